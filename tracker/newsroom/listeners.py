"""What the newsroom does when the desk takes a workflow step (tracker/desk/signals.py):
a new record is assigned to whoever made it, a claim sent back goes back to its
reporter, and the people concerned are told."""

from __future__ import annotations

from tracker.desk.models import Claim, Evidence
from tracker.desk.services import checkers

from .models import Kind
from .services import _set_assignee, _title, assignee_of, notify


def _name(user) -> str:
    return checkers.display_name(user) if user is not None else "The desk"


def on_workflow_step(sender, *, step: str, record, by, **extra) -> None:
    if step in ("claim_drafted", "source_archived") and by is not None:
        _set_assignee(record, by, by)
    elif step == "claim_submitted":
        assignee = assignee_of(record)
        if assignee is not None:
            text = f"{_name(by)} submitted the claim “{_title(record)}”: it waits for your review."
            notify(assignee, Kind.REVIEW, record, text, by)
    elif step == "claim_sent_back" and record.drafted_by is not None:
        _set_assignee(record, record.drafted_by, by)
        text = f"{_name(by)} sent back the claim “{_title(record)}”: {extra.get('comment', '')}"
        notify(record.drafted_by, Kind.SENT_BACK, record, text, by)
    elif step == "quote_flagged":
        item = extra["item"]
        claim = item.claim if isinstance(item, Evidence) else item
        owner = item.created_by if isinstance(item, Evidence) else claim.drafted_by
        if owner is not None:
            text = (f"{_name(by)} edited the source “{_title(record)}”: a quote of yours in the claim "
                    f"“{_title(claim)}” was re-pointed or orphaned and waits to be confirmed.")  # fmt: skip
            notify(owner, Kind.QUOTE_FLAGGED, claim, text, by)
    elif step == "claim_returned" and isinstance(record, Claim) and record.drafted_by is not None:
        source = extra.get("source")
        text = (f"{_name(by)} edited the source “{_title(source)}”: your published claim “{_title(record)}” "
                "was withdrawn to review.")  # fmt: skip
        notify(record.drafted_by, Kind.WITHDRAWN, record, text, by)
