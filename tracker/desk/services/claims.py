"""Claims and their evidence: drafting, editing, review, publication, corrections.

Claim states: draft -> in review -> published -> retracted, with "send back" (in
review -> draft), "withdraw" or "return to review" (published -> in review) and
"correct" (published -> published, with a public Correction).

What a reader sees of a published claim (its statement, claimant, date, quote and
source, each evidence quote with its source, stance and note, the verdict and its
rationale) changes only with a public correction note, or by withdrawing the claim
to review until it is published again (rule 5). Its slug never changes. What it is
about (agreements, meetings, people, parties, topics) is the desk's index and may be
edited by an editor, with history, without a note.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from tracker.events.describe import describe_changes
from tracker.events.log import NOT_PUBLIC, Snapshot, last_public, log_change, prospective, snapshot
from tracker.events.models import RecheckFlag
from tracker.events.recheck import may_recheck

from .. import clock, signals
from ..choices import CorrectionKind, Stance, State, Verdict
from ..models import Claim, ClaimEvent, Correction, Evidence, Source, short_text
from ..rules import verdict_evidence_problems
from . import checkers
from .common import (
    NotAllowed,
    WorkflowError,
    can,
    check_slug,
    check_version,
    clean,
    delete,
    note_required,
    require,
    save,
    set_links,
    unique_slug,
    writes,
    writing,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser as User

Action = ClaimEvent.Action

CONTENT_FIELDS = ("statement", "claimant", "claimant_person", "source", "quote", "claimed_on")
LINK_FIELDS = ("agreements", "meetings", "people", "parties", "topics")
EDITABLE_FIELDS = (*CONTENT_FIELDS, "slug")


@dataclass(frozen=True)
class EvidenceAdd:
    """A passage of `source` to attach as evidence (`near`: an offset to choose between repeats)."""

    source: Source
    quote: str
    stance: str
    note: str = ""
    near: int | None = None


@dataclass(frozen=True)
class EvidenceChange:
    """New values for one of the claim's evidence rows; None leaves a value as it is."""

    evidence_id: int
    source: Source | None = None
    quote: str | None = None
    stance: str | None = None
    note: str | None = None


def _event(claim: Claim, action: str, by: User | None, comment: str = "") -> None:
    ClaimEvent.objects.create(claim=claim, action=action, by=by, comment=comment)


def _lock_claim(claim: Claim) -> Claim:
    try:
        return Claim.objects.select_for_update().get(pk=claim.pk)
    except Claim.DoesNotExist:
        raise WorkflowError("This claim no longer exists.") from None


def _require_state(claim: Claim, *states: str, doing: str) -> None:
    if claim.state not in states:
        allowed = " or ".join(State(s).label.lower() for s in states)
        raise WorkflowError(
            f"Cannot {doing}: the claim is {claim.get_state_display().lower()}, "
            f"and only a claim that is {allowed} can be."
        )


# Who may do what to which claim -----------------------------------------------------------


def edit_refusal(claim: Claim, by: User | None) -> str:
    """Why `by` may not change `claim` (its content, links or evidence), or "" if they may."""
    if not can(by, "change_claim"):
        return "You are not allowed to edit claims."
    if claim.state == State.DRAFT:
        if claim.drafted_by_id not in (None, by.pk) and not can(by, "review_claim"):
            return "This draft belongs to another reporter: only they or a verifier can change it."
    elif claim.state == State.IN_REVIEW:
        if not can(by, "review_claim"):
            return "This claim is in review: a verifier changes it now, or sends it back to you."
    elif claim.state == State.PUBLISHED:
        if not can(by, "correct_claim"):
            return "This claim is published: only an editor can change it, with a public correction."
    else:
        return "This claim is retracted: it no longer changes."
    return ""


def evidence_refusal(claim: Claim, by: User | None) -> str:
    """Why `by` may not add evidence to `claim` as it stands, or "" if they may."""
    if not can(by, "add_evidence"):
        return "You are not allowed to attach evidence."
    return edit_refusal(claim, by)


contributor_ids = checkers.claim_contributor_ids


def publish_refusal(claim: Claim, by: User | None, *, doing: str = "publish") -> str:
    """Why `by` may not publish (or correct) the verdict of `claim`, or "" if they may:
    the role, maker-checker (rule 4) for the claim and for each draft source published
    with it. A refusal names who can instead."""
    who = checkers.claim_publishers(claim, doing=doing)
    then = f" {checkers.names(who)} can {doing} it." if who else ""
    if not can(by, "publish_claim" if doing == "publish" else "correct_claim"):
        return f"You are not allowed to {doing} verdicts.{then}"
    if by.pk in contributor_ids(claim):
        return (
            "You drafted this claim or wrote some of its content or evidence, so someone else "
            f"must {doing} its verdict (maker-checker).{then}"
        )
    if doing == "publish":
        for source in sources_published_with(claim):
            refusal = checkers.source_publish_refusal(source, by)
            if refusal:
                return f"Publishing this claim publishes its draft source “{source}” with it. {refusal}"
    return ""


# What the verdict rests on (rule 3) -------------------------------------------------------


def counted_evidence(claim: Claim) -> list[Evidence]:
    """The evidence a verdict may rest on: anchored quotes from published sources, or,
    before the claim is published, from draft sources that are published with it.
    (A passage of the claim's own source is only ever context: _check_own_source.)"""
    allowed = {State.PUBLISHED} if claim.state == State.PUBLISHED else {State.PUBLISHED, State.DRAFT, State.IN_REVIEW}
    return [
        item
        for item in claim.evidence.select_related("source")
        if not item.anchor_broken and item.source.state in allowed
    ]


def verdict_problems(claim: Claim, verdict: str) -> list[str]:
    """Rule 3 for `claim` as it stands, plus: nothing it rests on may be a flagged quote."""
    problems = []
    if claim.anchor_broken:
        problems.append("The claim's own quote no longer occurs in its source: fix the quote first.")
    if claim.source.state == State.RETRACTED:
        problems.append("The source the claim appears in was retracted: a verdict cannot rest on it.")
    broken = claim.evidence.filter(anchor_broken=True).count()
    if broken:
        problems.append(
            f"{broken} evidence quote(s) no longer occur in their source after an edit: fix or remove them first."
        )
    quotes = [*([] if claim.anchor_broken else [claim]), *claim.evidence.filter(anchor_broken=False)]
    moved = [item for item in quotes if item.needs_a_look]
    if moved:
        problems.append(
            f"{len(moved)} quote(s) were re-pointed to other words by an edit of their source: someone other "
            "than whoever made that edit confirms each one in the orphaned-quotes queue first."
        )
    problems += verdict_evidence_problems(verdict, [item.stance for item in counted_evidence(claim)])
    return problems


def _check_verdict(claim: Claim, verdict: str, rationale: str) -> str:
    if verdict not in Verdict.values or verdict == Verdict.NOT_RATED:
        raise WorkflowError("Choose a verdict: a claim is published with a verdict, not “Not yet rated”.")
    rationale = clean(rationale or "")
    if not rationale:
        raise WorkflowError("Write the rationale: readers see why the desk reached this verdict.")
    problems = verdict_problems(claim, verdict)
    if problems:
        raise WorkflowError(problems)
    return rationale


# Drafting and editing ---------------------------------------------------------------------


@writes
def claim_create_draft(
    *,
    by: User,
    source: Source,
    quote: str,
    statement: str,
    claimant: str = "",
    near: int | None = None,
    claimed_on=None,
    claimant_person=None,
    slug: str = "",
    links: dict[str, list] | None = None,
    evidence: Sequence[EvidenceAdd] = (),
) -> Claim:
    """A new draft claim, its quote anchored in `source` (near offset `near` if given)."""
    require(by, "add_claim", "draft claims")
    statement = clean(statement or "")
    if not statement:
        raise WorkflowError({"statement": "Write the claim's statement: the checkable sentence, in the desk's words."})
    source = Source.objects.get(pk=source.pk)
    if source.state == State.RETRACTED:
        raise WorkflowError({"source": "That source was retracted: a claim cannot be drafted from it."})
    claim = Claim(
        statement=statement,
        claimant=clean(claimant or "") or source.publisher,
        claimant_person=claimant_person,
        source=source,
        quote=clean(quote or ""),
        claimed_on=claimed_on if claimed_on is not None else source.published_on,
        drafted_by=by,
    )
    claim.slug = check_slug(claim, slug) if slug else unique_slug(Claim, statement)
    _anchor(claim, near)
    _validate(claim)
    save(claim, by=by, reason="Drafted")
    claim.contributors.add(by)
    _event(claim, Action.DRAFTED, by)
    signals.step("claim_drafted", claim, by)
    if links or evidence:
        claim = claim_edit(claim=claim, by=by, links=links, add=evidence)
    return claim


def _anchor(item: Claim | Evidence, near: int | None) -> None:
    if not item.quote:
        raise WorkflowError({"quote": "Paste or select the passage, exactly as it stands in the source."})
    try:
        item.anchor(near=near)
    except ValidationError as exc:
        raise WorkflowError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from None


def _validate(record: Claim | Evidence) -> None:
    try:
        record.full_clean(exclude=["claim", "source"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise WorkflowError(exc.message_dict) from None


def _public_view(claim: Claim) -> tuple:
    """What a reader sees of the claim's content and evidence (not its verdict)."""
    evidence = sorted(
        (item.source_id, item.quote, item.stance, item.note)
        for item in Evidence.objects.published().filter(claim=claim)
    )
    return (
        claim.statement,
        claim.claimant,
        claim.claimant_person_id,
        claim.claimed_on,
        claim.source_id,
        claim.quote,
        tuple(evidence),
    )


def _check_own_source(claim: Claim, item: Evidence) -> None:
    """A claim's own appearance is never its own evidence (rule 3)."""
    if item.source_id != claim.source_id:
        return
    if item.start < claim.end and claim.start < item.end:
        raise WorkflowError(
            f"“{short_text(item.quote, 60)}” is the claim's own quote, or overlaps it: "
            "a claim is never its own evidence."
        )
    if item.stance != Stance.CONTEXT:
        raise WorkflowError(
            f"“{short_text(item.quote, 60)}” is from the source the claim appears in: "
            "it can give context, but it cannot "
            "support or contradict the claim. Quote another source."
        )


@writes
def claim_edit(
    *,
    claim: Claim,
    by: User,
    fields: dict[str, Any] | None = None,
    links: dict[str, list] | None = None,
    add: Sequence[EvidenceAdd] = (),
    change: Sequence[EvidenceChange] = (),
    remove: Sequence[int] = (),
    note: str = "",
    seen_version: int | None = None,
) -> Claim:
    """Change a claim's content, what it is about, and its evidence, all at once.

    On a published claim, a change a reader would see needs `note`, published as a
    correction, and must leave the verdict resting on its published evidence (rule 3);
    otherwise withdraw the claim to review first.
    """
    claim, _added = _edit(
        claim=claim, by=by, fields=fields, links=links, add=add, change=change, remove=remove, note=note,
        seen_version=seen_version,
    )  # fmt: skip
    return claim


def _edit(
    *,
    claim: Claim,
    by: User,
    fields: dict[str, Any] | None,
    links: dict[str, list] | None,
    add: Sequence[EvidenceAdd],
    change: Sequence[EvidenceChange],
    remove: Sequence[int],
    note: str,
    seen_version: int | None,
) -> tuple[Claim, list[Evidence]]:
    fields, links = dict(fields or {}), dict(links or {})
    claim = _lock_claim(claim)
    check_version(claim, seen_version)
    seen = snapshot(claim)
    refusal = edit_refusal(claim, by)
    if refusal:
        raise NotAllowed(refusal)
    for codename, asked in (("add_evidence", add), ("change_evidence", change), ("delete_evidence", remove)):
        if asked and not can(by, codename):
            raise NotAllowed("You are not allowed to change evidence.")
    unknown = (set(fields) - set(EDITABLE_FIELDS)) | (set(links) - set(LINK_FIELDS))
    if unknown:
        raise WorkflowError(f"These are not fields of a claim one can edit: {', '.join(sorted(unknown))}.")

    published = claim.state == State.PUBLISHED
    before, old_slug = _public_view(claim), claim.slug
    content_changed = _apply_fields(claim, fields)
    touched = _apply_evidence(claim, by, add=add, change=change, remove=remove)
    evidence_changed = bool(touched) or bool(remove)
    links_changed = set_links(claim, links) if links else False
    if not (content_changed or evidence_changed or links_changed or claim.slug != old_slug):
        return claim, []
    reader_visible = published and (content_changed or _public_view(claim) != before)
    if published and (content_changed or evidence_changed) and by.pk == claim.reviewed_by_id:
        # Maker-checker both ways: whoever published the verdict does not then write what it rests on.
        raise NotAllowed(
            "You published this claim's verdict, so another editor must correct its content or evidence "
            "(maker-checker)."
        )

    note = clean(note or "")
    if reader_visible:
        if not note:
            raise WorkflowError(
                "This claim is published: write a correction note saying what changed and why (it is shown "
                "publicly), or withdraw the claim to review first."
            )
        problems = verdict_problems(claim, claim.verdict)
        if problems:
            raise WorkflowError(
                [
                    "After this change the published verdict would no longer rest on its evidence:",
                    *problems,
                    "Withdraw the claim to review to make this change.",
                ]  # fmt: skip
            )
    if content_changed or evidence_changed:
        checkers.guard_claim_contribution(claim, by)
        claim.contributors.add(by)
    if reader_visible:
        save(claim, by=by, reason=f"Corrected: {note}")
        Correction.objects.create(kind=CorrectionKind.CORRECTION, claim=claim, note=note, created_by=by)
        _event(claim, Action.CORRECTED, by, note)
    else:
        what = [name for name, yes in (("content", content_changed), ("evidence", evidence_changed),
                                       ("links", links_changed)) if yes]  # fmt: skip
        save(claim, by=by, reason=f"Edited ({', '.join(what) or 'slug'})" + (f": {note}" if note else ""))
        if content_changed or evidence_changed:
            _event(claim, Action.EDITED, by, note)
    log_change(claim, before=seen, note=note if reader_visible else "")
    return claim, [item for item in touched if getattr(item, "_added", False)]


def _apply_fields(claim: Claim, fields: dict[str, Any]) -> bool:
    """Set the claim's own fields; True if its content changed."""
    changed = False
    if "slug" in fields:
        claim.slug = check_slug(
            claim, fields.pop("slug") or unique_slug(Claim, fields.get("statement", claim.statement))
        )
    old_source, old_quote, old_start = claim.source_id, claim.quote, claim.start
    for name, value in fields.items():
        value = clean(value)
        if name == "source" and value is not None and value.pk != claim.source_id:
            value = Source.objects.get(pk=value.pk)
            problem = _unquotable(claim, value)
            if problem:
                raise WorkflowError({"source": problem})
        current = getattr(claim, name)
        if current != value:
            setattr(claim, name, value)
            changed = True
    if not claim.statement:
        raise WorkflowError({"statement": "Write the claim's statement."})
    if not claim.claimant:
        raise WorkflowError({"claimant": "Say who made the claim: the outlet or the quoted person."})
    if (claim.source_id, claim.quote) != (old_source, old_quote):
        _anchor(claim, old_start if claim.source_id == old_source else None)
    _validate(claim)
    if changed:
        for item in claim.evidence.all():
            _check_own_source(claim, item)
    return changed


def _unquotable(claim: Claim, source: Source) -> str:
    """Why `claim` may not quote `source`, or "". A published claim quotes only
    published sources: its readers must be able to follow every quote."""
    if source.state == State.RETRACTED:
        return f"“{source}” was retracted: it cannot be quoted."
    if claim.state == State.PUBLISHED and source.state != State.PUBLISHED:
        return f"“{source}” is not published yet: publish it before quoting it in a published claim."
    return ""


def _own_evidence(claim: Claim, evidence_id: int) -> Evidence:
    """One of the claim's evidence rows; never another claim's (a crafted form may ask)."""
    item = Evidence.objects.select_related("source").filter(pk=evidence_id, claim=claim).first()
    if item is None:
        raise NotAllowed("That evidence does not belong to this claim.")
    return item


def _apply_evidence(
    claim: Claim,
    by: User,
    *,
    add: Sequence[EvidenceAdd],
    change: Sequence[EvidenceChange],
    remove: Sequence[int],
) -> list[Evidence]:
    """Apply the evidence changes; return the rows added or changed."""
    removed = {int(pk) for pk in remove}
    for pk in removed:
        item = _own_evidence(claim, pk)
        delete(item, by=by, reason="Removed from its claim")
    touched: list[Evidence] = []
    for edit in change:
        if edit.evidence_id in removed:
            continue
        item = _own_evidence(claim, edit.evidence_id)
        before = (item.source_id, item.quote, item.stance, item.note)
        if edit.source is not None and edit.source.pk != item.source_id:
            item.source = Source.objects.get(pk=edit.source.pk)
        for name in ("quote", "stance", "note"):
            value = getattr(edit, name)
            if value is not None:
                setattr(item, name, clean(value))
        if (item.source_id, item.quote, item.stance, item.note) == before:
            continue
        if (item.source_id, item.quote) != before[:2]:
            _anchor(item, item.start if item.source_id == before[0] else None)
        touched.append(item)
    for new in add:
        item = Evidence(
            claim=claim,
            source=Source.objects.get(pk=new.source.pk),
            quote=clean(new.quote or ""),
            stance=new.stance,
            note=clean(new.note or ""),
            created_by=by,
        )
        _anchor(item, new.near)
        item._added = True
        touched.append(item)
    seen = set(
        claim.evidence.exclude(pk__in=[item.pk for item in touched if item.pk]).values_list("source_id", "start", "end")
    )
    for item in touched:
        if item.stance not in Stance.values:
            raise WorkflowError("Choose whether the passage supports the claim, contradicts it or gives context.")
        problem = _unquotable(claim, item.source)
        if problem:
            raise WorkflowError(problem)
        _check_own_source(claim, item)
        _validate(item)
        key = (item.source_id, item.start, item.end)
        if key in seen:
            raise WorkflowError(f"“{short_text(item.quote, 60)}” is already evidence for this claim.")
        seen.add(key)
    for item in touched:
        reason = "Changed on its claim" if item.pk else f"Attached as {item.get_stance_display().lower()}"
        save(item, by=by, reason=reason)
    return touched


def evidence_attach(
    *,
    claim: Claim,
    by: User,
    source: Source,
    quote: str,
    stance: str,
    note: str = "",
    near: int | None = None,
    correction_note: str = "",
) -> Evidence:
    """Quote a passage of `source` as evidence for `claim`, anchored in its text."""
    require(by, "add_evidence", "attach evidence")
    if stance not in Stance.values:
        raise WorkflowError("Choose whether the passage supports the claim, contradicts it or gives context.")
    with writing():
        _claim, added = _edit(
            claim=claim, by=by, fields=None, links=None, change=(), remove=(), note=correction_note,
            seen_version=None, add=[EvidenceAdd(source=source, quote=quote, stance=stance, note=note, near=near)],
        )  # fmt: skip
    return added[0]


@writes
def claim_delete(*, claim: Claim, by: User) -> None:
    """Delete a draft that was never published (a claim marked by mistake)."""
    require(by, "delete_claim", "delete claims")
    claim = _lock_claim(claim)
    if claim.first_published_at is not None:
        raise WorkflowError("This claim has been published: it is retracted, never deleted.")
    if claim.drafted_by_id != by.pk and not can(by, "correct_claim"):
        raise NotAllowed("Only the reporter who drafted this claim, or an editor, can delete it.")
    if claim.state != State.DRAFT:
        raise WorkflowError("Only a draft can be deleted; send it back first.")
    delete(claim, by=by, reason="Deleted as a draft")


# Review ------------------------------------------------------------------------------------


@writes
def claim_submit(*, claim: Claim, by: User) -> Claim:
    """Draft -> in review."""
    require(by, "submit_claim", "submit claims for review")
    claim = _lock_claim(claim)
    _require_state(claim, State.DRAFT, doing="submit it for review")
    if claim.drafted_by_id not in (None, by.pk) and not can(by, "review_claim"):
        raise NotAllowed("Only the reporter who drafted this claim, or a verifier, can submit it for review.")
    if claim.anchor_broken:
        raise WorkflowError("The claim's quote no longer occurs in its source: fix the quote before submitting.")
    claim.state = State.IN_REVIEW
    claim.submitted_at = clock.now()
    save(claim, by=by, reason="Submitted for review")
    _event(claim, Action.SUBMITTED, by)
    signals.step("claim_submitted", claim, by)
    return claim


@writes
def claim_send_back(*, claim: Claim, by: User, comment: str) -> Claim:
    """In review -> draft, with a comment for the reporter."""
    require(by, "review_claim", "send claims back")
    comment = clean(comment or "")
    if not comment:
        raise WorkflowError("Say what the reporter should fix: sending a claim back needs a comment.")
    claim = _lock_claim(claim)
    _require_state(claim, State.IN_REVIEW, doing="send it back")
    claim.state = State.DRAFT
    save(claim, by=by, reason=f"Sent back: {comment}")
    _event(claim, Action.SENT_BACK, by, comment)
    signals.step("claim_sent_back", claim, by, comment=comment)
    return claim


def sources_published_with(claim: Claim) -> list[Source]:
    """The unpublished sources that publishing `claim` publishes too: a reader must be
    able to follow each quote to its passage."""
    ids = {claim.source_id, *claim.evidence.values_list("source_id", flat=True)}
    return list(Source.objects.filter(pk__in=ids, state__in=(State.DRAFT, State.IN_REVIEW)).order_by("title"))


def republication_changes(claim: Claim, *, verdict: str, rationale: str) -> list[str]:
    """What readers would see change if `claim` (withdrawn to review after readers saw
    it) were published again with `verdict` and `rationale`: one sentence a change,
    from the version they last saw. Empty for a claim never published, or unchanged."""
    if claim.first_published_at is None:
        return []
    last = last_public(claim)
    if last is None:
        return []
    return describe_changes(last.fields, prospective(claim, verdict=verdict, rationale=rationale).fields)


def republication_note(claim: Claim, *, verdict: str, rationale: str) -> str:
    """A draft of the public note for republishing `claim`, for the publisher to edit."""
    changes = republication_changes(claim, verdict=verdict, rationale=rationale)
    if not changes:
        return ""
    return "Since readers last saw this check, we reviewed it again. " + " ".join(changes)


@writes
def claim_publish(*, claim: Claim, by: User, verdict: str, rationale: str, note: str = "") -> Claim:
    """In review -> published, with a verdict resting on evidence (rules 3 and 4).

    The draft sources the claim and its evidence quote are published with it, where
    `by` may publish each of them. A claim readers saw before (withdrawn to review) is
    republished with `note`, a public correction saying what changed since they last
    saw it (republication_note drafts it); unchanged, it needs none (rule 5).
    """
    require(by, "publish_claim", "publish verdicts")
    claim = _lock_claim(claim)
    _require_state(claim, State.IN_REVIEW, doing="publish it")
    refusal = publish_refusal(claim, by)
    if refusal:
        raise WorkflowError(refusal)
    rationale = _check_verdict(claim, verdict, rationale)
    last_seen = last_public(claim) if claim.first_published_at is not None else None
    note = clean(note or "")
    changes = republication_changes(claim, verdict=verdict, rationale=rationale) if last_seen else []
    if changes and not note:
        raise WorkflowError(
            {
                "note": "Readers saw this claim before it was withdrawn, and it has changed since: say what "
                "changed in the public note (a draft is filled in from the differences)."
            }
        )
    drafts = sources_published_with(claim)
    for source in drafts:
        source.state = State.PUBLISHED
        save(source, by=by, reason=f"Published with the claim “{claim.slug}”")
        log_change(source, before=NOT_PUBLIC)
        if source.pk == claim.source_id:
            claim.source = source  # the claim's search row quotes it only once it is published
    claim.verdict, claim.rationale = verdict, rationale
    claim.state = State.PUBLISHED
    claim.reviewed_by = by
    if last_seen is None or verdict != last_seen.fields.get("verdict"):
        claim.verdict_published_at = clock.now()
    if last_seen is None:
        save(claim, by=by, reason=f"Published as {Verdict(verdict).label}")
        _event(claim, Action.PUBLISHED, by, rationale)
        log_change(claim, before=NOT_PUBLIC)
        return claim
    save(claim, by=by, reason=f"Republished as {Verdict(verdict).label}" + (f": {note}" if note else ""))
    if changes:
        Correction.objects.create(kind=CorrectionKind.CORRECTION, claim=claim, note=note, created_by=by)
    _event(claim, Action.PUBLISHED, by, note or rationale)
    log_change(claim, before=last_seen, note=note if changes else "")
    return claim


@writes
def claim_return_to_review(*, claim: Claim, reason: str, by: User | None = None) -> Claim:
    """Published -> in review, when something it rests on broke (rule 2). The system
    calls it, on behalf of whoever made the change that broke it."""
    claim = _lock_claim(claim)
    if claim.state != State.PUBLISHED:
        return claim
    seen = snapshot(claim)
    claim.state = State.IN_REVIEW
    claim.submitted_at = clock.now()
    save(claim, by=by, reason=reason)
    _event(claim, Action.RETURNED, by, reason)
    log_change(claim, before=seen, note=reason)  # its address says why, while under review
    return claim


@writes
def claim_withdraw(*, claim: Claim, by: User, reason: str) -> Claim:
    """Published -> in review, by an editor, to change what the verdict rests on. Until it
    is published again its address says it is under review, since when and why (`reason`
    is public), and partners see a `withdrawn` tombstone."""
    require(by, "withdraw_claim", "withdraw published claims")
    reason = clean(reason or "")
    if not reason:
        raise WorkflowError(
            {"reason": "Say why the claim goes back to review: readers see it on the claim's page meanwhile."}
        )
    claim = _lock_claim(claim)
    _require_state(claim, State.PUBLISHED, doing="withdraw it")
    seen = snapshot(claim)
    claim.state = State.IN_REVIEW
    claim.submitted_at = clock.now()
    save(claim, by=by, reason=f"Withdrawn to review: {reason}")
    _event(claim, Action.WITHDRAWN, by, reason)
    log_change(claim, before=seen, note=reason)
    return claim


# Published claims: corrections and retractions (rule 5) -----------------------------------


@writes
def claim_correct(*, claim: Claim, by: User, note: str, verdict: str, rationale: str) -> Claim:
    """Change a published verdict or rationale; the note becomes a public Correction."""
    require(by, "correct_claim", "correct published verdicts")
    note = note_required(note, "A correction")
    claim = _lock_claim(claim)
    _require_state(claim, State.PUBLISHED, doing="correct it")
    refusal = publish_refusal(claim, by, doing="correct")
    if refusal:
        raise WorkflowError(refusal)
    rationale = _check_verdict(claim, verdict, rationale)
    if (verdict, rationale) == (claim.verdict, claim.rationale):
        raise WorkflowError("Nothing to correct: the verdict and rationale are unchanged.")
    seen = snapshot(claim)
    old_verdict, old_label = claim.verdict, claim.get_verdict_display()
    claim.verdict, claim.rationale = verdict, rationale
    claim.reviewed_by = by
    if verdict != old_verdict:
        claim.verdict_published_at = clock.now()
    save(claim, by=by, reason=f"Corrected (was {old_label}): {note}")
    Correction.objects.create(kind=CorrectionKind.CORRECTION, claim=claim, note=note, created_by=by)
    _event(claim, Action.CORRECTED, by, note)
    log_change(claim, before=seen, note=note)
    return claim


@writes
def claim_retract(*, claim: Claim, by: User, note: str) -> Claim:
    """Published -> retracted; the note becomes a public retraction notice (rules 5, 6)."""
    require(by, "retract_claim", "retract published claims")
    note = note_required(note, "A retraction")
    claim = _lock_claim(claim)
    _require_state(claim, State.PUBLISHED, doing="retract it")
    seen = snapshot(claim)
    claim.state = State.RETRACTED
    save(claim, by=by, reason=f"Retracted: {note}")
    Correction.objects.create(kind=CorrectionKind.RETRACTION, claim=claim, note=note, created_by=by)
    _event(claim, Action.RETRACTED, by, note)
    log_change(claim, before=seen, note=note)
    return claim


def claim_note_correction(*, claim: Claim, by: User | None, note: str, before: Snapshot) -> None:
    """A public correction on a published claim whose evidence changed without its
    own edit (a source it quotes was retracted). Its verdict still rests on evidence.
    `before`: the claim as readers saw it before that change."""
    save(claim, by=by, reason=f"Corrected: {note}")
    Correction.objects.create(kind=CorrectionKind.CORRECTION, claim=claim, note=note, created_by=by)
    _event(claim, Action.CORRECTED, by, note)
    log_change(claim, before=before, note=note)


@writes
def claim_mark_rechecked(*, flags: Sequence[int], by: User) -> int:
    """Clear "to re-check" flags (tracker.events.models.RecheckFlag) once someone has
    looked at the claim again; returns how many were cleared. What the claim says
    changes, if it must, by a correction or a withdrawal, not here."""
    if not may_recheck(by):
        raise NotAllowed("You are not allowed to re-check published claims.")
    return RecheckFlag.objects.filter(pk__in=list(flags), rechecked_at=None).update(
        rechecked_at=timezone.now(), rechecked_by=by
    )


# Quotes after an edit of their source (the "orphaned quotes" queue) --------------------------


def _quoted_item(claim: Claim, evidence_id: int | None) -> Claim | Evidence:
    return claim if evidence_id is None else _own_evidence(claim, evidence_id)


@writes
def quote_confirm(
    *, claim: Claim, by: User, evidence_id: int | None = None, quote: str | None = None, reason: str = ""
) -> Claim:
    """Confirm where a quote now stands after an edit of its source: the suggested
    passage (or `quote`, another passage a person chose) for an orphaned quote, or the
    passage it was re-pointed to. Someone other than whoever edited the source confirms
    it; the suggestion for an orphaned quote scored below the matcher's threshold, so
    taking it needs `reason`, shown to the claim's publisher and kept in history. The
    person who confirms chose the words, so they join the claim's contributors
    (maker-checker). `evidence_id` None means the claim's own quote."""
    claim = _lock_claim(claim)
    item = _quoted_item(claim, evidence_id)
    refusal = checkers.quote_confirm_refusal(claim, item, by)
    if refusal:
        raise NotAllowed(refusal)
    if not item.needs_a_look:
        raise WorkflowError("This quote is anchored: there is nothing to confirm.")
    source = Source.objects.get(pk=item.source_id)
    reason = clean(reason or "")
    suggested = (item.suggested_start, item.suggested_end) if item.anchor_broken else None
    score = item.anchor_score
    proposed = clean(quote or "") or (item.suggested_passage(source.text) if item.anchor_broken else item.quote)
    if not proposed:
        raise WorkflowError({"quote": "No passage was found: paste the passage as it stands in the edited source."})
    before = item.quote
    item.quote = proposed
    item.source = source
    _anchor(item, item.suggested_start if item.suggested_start is not None else item.start)
    # Taking the matcher's suggestion for an orphaned quote: it scored below the threshold.
    below_threshold = suggested is not None and (item.start, item.end) == suggested
    if below_threshold and not reason:
        scored = f" (it scored {score:.2f})" if score is not None else ""
        raise WorkflowError(
            {
                "reason": f"The suggested passage is only the closest match{scored}, below what the desk accepts "
                "without a look: say why it is the right passage, or paste the right one."
            }
        )
    if claim.state == State.PUBLISHED and item.quote != before:
        raise WorkflowError(
            "This claim is published: withdraw it to review first, or change the quote on the claim's page "
            "with a correction note."
        )
    if isinstance(item, Evidence):
        _check_own_source(claim, item)
        clash = claim.evidence.exclude(pk=item.pk).filter(source=item.source_id, start=item.start, end=item.end)
        if clash.exists():
            raise WorkflowError(
                f"“{short_text(item.quote, 60)}” is already evidence for this claim: detach this one instead."
            )
    else:
        for other in claim.evidence.all():
            _check_own_source(claim, other)
    if below_threshold:
        item.anchor_confirm_note = reason
    checkers.guard_claim_contribution(claim, by)
    why = f" below the threshold: {reason}" if below_threshold else ""
    save(item, by=by, reason=f"Quote confirmed after an edit of “{source.slug}”{why}")
    claim.contributors.add(by)
    if item is not claim:
        save(claim, by=by, reason="Quote confirmed after an edit of its source")
    confirmed = f"Confirmed the quote “{short_text(item.quote, 80)}” after an edit of “{source}”{why}."
    _event(claim, Action.EDITED, by, confirmed)
    return claim


def evidence_detach(*, claim: Claim, by: User, evidence_id: int, note: str = "") -> Claim:
    """Remove an evidence quote whose passage is gone from its edited source, saying why
    (`note`: kept in history; on a published claim, the public correction)."""
    if not clean(note or ""):
        raise WorkflowError(
            {"note": "Say why this evidence is detached: it is kept in the claim's history (and published as a "
             "correction if the claim is published)."}
        )  # fmt: skip
    return claim_edit(claim=claim, by=by, remove=[evidence_id], note=note)


# Earlier checks ---------------------------------------------------------------------------


@writes
def claim_link_earlier(*, claim: Claim, by: User, earlier: Claim | None) -> Claim:
    """Mark `claim` as a repeat of `earlier`, a claim the desk checked (or is checking)
    before; None unlinks it. The same right as editing the claim; readers see the link
    between published claims only. Like the topics a claim is filed under, it is the
    desk's index, not the claim's content: no correction note."""
    claim = _lock_claim(claim)
    refusal = edit_refusal(claim, by)
    if refusal:
        raise NotAllowed(refusal)
    if earlier is not None:
        earlier = Claim.objects.filter(pk=earlier.pk).first()
        if earlier is None or earlier.state == State.RETRACTED:
            raise WorkflowError("That claim was retracted or no longer exists: it cannot be the earlier check.")
        if earlier.pk == claim.pk:
            raise WorkflowError("A claim cannot be a repeat of itself.")
        seen, step = {claim.pk}, earlier
        while step is not None:
            if step.pk in seen:
                raise WorkflowError("That claim is already a repeat of this one: link them the other way round.")
            seen.add(step.pk)
            step = step.earlier_check
    if claim.earlier_check_id == (earlier.pk if earlier else None):
        return claim
    claim.earlier_check = earlier
    reason = f"Linked as a repeat of “{earlier.slug}”" if earlier else "Unlinked from its earlier check"
    save(claim, by=by, reason=reason)
    return claim
