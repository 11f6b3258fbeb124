"""The newsroom's one writer: assigning and handing off, commenting, notifying, presence.

Each function checks who is asking and what about, writes in one transaction and
raises a ValidationError (a message a person can act on) when it refuses, having
changed nothing. None of it is editorial: nothing here writes a record's history,
an event or a public change (DESIGN.md rule 10).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tracker.desk.choices import State
from tracker.desk.models import Claim, Evidence, Source
from tracker.desk.services import checkers
from tracker.desk.text import strip_control_chars

from .models import Assignment, Comment, Kind, MailMode, MailPreference, Notification, Presence

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser as User

Record = Claim | Source
PIPELINE = (State.DRAFT, State.IN_REVIEW)
PRESENCE_MINUTES = 5
# @username (Django's username characters), not ending in the sentence's full stop; not
# the "@" in the middle of an email address.
MENTION = re.compile(r"(?<![\w.@+-])@([\w.+-]{0,149}[\w+-])")
# The fields of a record a comment may be about (a single field, as Wagtail's comments).
COMMENT_FIELDS = {
    "claim": ("statement", "claimant", "quote", "verdict", "rationale", "topics"),
    "source": ("title", "publisher", "text", "published_on", "url"),
}


def on(record: Record) -> dict:
    """The filter of newsroom rows about `record`."""
    return {"claim": record} if isinstance(record, Claim) else {"source": record}


def kind_of(record: Record) -> str:
    return "claim" if isinstance(record, Claim) else "source"


def record_for(kind: str, pk) -> Record | None:
    """The claim or source a form names (None for anything else)."""
    model = {"claim": Claim, "source": Source}.get(kind)
    if model is None or not str(pk).isdigit() or len(str(pk)) > 18:
        return None
    return model.objects.filter(pk=int(pk)).first()


def is_editor(user: User) -> bool:
    return user.has_perm("desk.retract_claim")


def can_see(user: User | None, record: Record) -> bool:
    return bool(user and user.is_active and user.is_staff and user.has_perm(f"desk.view_{kind_of(record)}"))


# Assignment --------------------------------------------------------------------------------


def assignee_of(record: Record) -> User | None:
    row = Assignment.objects.filter(**on(record)).select_related("assignee").first()
    return row.assignee if row else None


def _author_ids(record: Record) -> set[int]:
    if isinstance(record, Claim):
        return checkers.claim_contributor_ids(record)
    return checkers.source_contributor_ids(record)


def movers(record: Record) -> list[User]:
    """Who can take the record's next step: for a claim its reporter and the desk's
    reviewers, for a source whoever archived it and those who publish sources."""
    if isinstance(record, Claim):
        ids = {record.drafted_by_id} | set(checkers.staff_with("review_claim").values_list("pk", flat=True))
    else:
        ids = {record.created_by_id} | set(checkers.staff_with("publish_source").values_list("pk", flat=True))
    return list(
        get_user_model()
        .objects.filter(pk__in=ids - {None}, is_active=True, is_staff=True)
        .order_by("first_name", "last_name", "username")
    )


def assign_refusal(record: Record, by: User | None, to: User | None) -> str:
    """Why `by` may not give `record` to `to`, or "" if they may.

    Editors assign anything to anyone on the desk who can see it. Others may take a
    record they can move forward, and hand on one that is theirs (assigned to them, or
    which they drafted or wrote some of) to someone who can take its next step."""
    what = kind_of(record)
    if not can_see(by, record):
        return f"You cannot see this {what}, so you cannot assign it."
    if record.state not in PIPELINE:
        return f"This {what} is {record.get_state_display().lower()}: only drafts and records in review are assigned."
    if to is None or not can_see(to, record):
        return f"That person is not on the desk or cannot see this {what}."
    if is_editor(by):
        return ""
    able = {user.pk for user in movers(record)}
    if to.pk == by.pk:
        return "" if by.pk in able else f"Only someone who can take this {what}'s next step can take it."
    current = Assignment.objects.filter(**on(record)).values_list("assignee_id", flat=True).first()
    if by.pk != current and by.pk not in _author_ids(record):
        return f"This {what} is not yours to hand on: ask its assignee or an editor."
    if to.pk not in able:
        return f"{checkers.display_name(to)} cannot take this {what}'s next step: hand it to someone who can."
    return ""


def _set_assignee(record: Record, to: User, by: User | None) -> bool:
    """Make `to` the assignee; True when that changed anything."""
    row = Assignment.objects.select_for_update().filter(**on(record)).first()
    if row is not None and row.assignee_id == to.pk:
        return False
    if row is None:
        Assignment.objects.create(**on(record), assignee=to, assigned_by=by)
    else:
        row.assignee, row.assigned_by, row.assigned_at = to, by, timezone.now()
        row.save(update_fields=["assignee", "assigned_by", "assigned_at"])
    return True


def assign(*, record: Record, to: User, by: User) -> bool:
    """Give `record` to `to` (take it, assign it, hand it off) and tell them. True when
    the assignee changed."""
    refusal = assign_refusal(record, by, to)
    if refusal:
        raise ValidationError(refusal)
    with transaction.atomic():
        changed = _set_assignee(record, to, by)
        if changed and to.pk != by.pk:
            waiting = isinstance(record, Claim) and record.state == State.IN_REVIEW
            kind = Kind.REVIEW if waiting else Kind.ASSIGNED
            how = "it waits for your review" if waiting else "it is yours to take forward"
            text = f"{checkers.display_name(by)} handed you the {kind_of(record)} “{_title(record)}”: {how}."
            notify(to, kind, record, text, by)
    return changed


def hand_on_choices(record: Record, by: User, among=None) -> list[User]:
    """Those of `among` (by default everyone who could be given it) that `by` may give
    `record` to: `assign_refusal` for many people at once, in a few queries whatever
    the size of the desk."""
    if not can_see(by, record) or record.state not in PIPELINE:
        return []
    if is_editor(by):
        seeing = list(checkers.staff_with(f"view_{kind_of(record)}"))
        if among is None:
            return seeing
        ids = {user.pk for user in seeing}
        return [user for user in among if user.pk in ids]
    current = Assignment.objects.filter(**on(record)).values_list("assignee_id", flat=True).first()
    if by.pk != current and by.pk not in _author_ids(record):
        return []
    able = movers(record)
    if among is None:
        return [user for user in able if user.pk != by.pk]
    ids = {user.pk for user in able}
    return [user for user in among if user.pk in ids and user.pk != by.pk]


def handoff_offers(user: User, record: Record, able) -> list[User]:
    """The people of `able` (who can take a step `user` was refused) that `user` may
    hand `record` to in one click."""
    return hand_on_choices(record, user, list(able))[: checkers.NAMES_SHOWN]


# Comments ----------------------------------------------------------------------------------


def _clean_text(text: str) -> str:
    return strip_control_chars(text or "").strip()


def mentioned(body: str) -> list[User]:
    """The staff an @username in `body` names; a name nobody on the desk has is refused."""
    names = list(dict.fromkeys(MENTION.findall(body)))
    if not names:
        return []
    users = {
        user.username.lower(): user
        for user in get_user_model().objects.filter(is_active=True, is_staff=True, username__in=names)
    }
    if len(names) > 20:
        raise ValidationError("Mention at most 20 people in one comment.")
    unknown = [name for name in names if name.lower() not in users]
    if unknown:
        raise ValidationError(
            "Nobody on the desk is called " + ", ".join(f"@{name}" for name in unknown) + ": check the username."
        )
    return list(users.values())


def comment_add(*, record: Record, by: User, body: str, field: str = "", evidence: Evidence | None = None) -> Comment:
    """A comment in `record`'s thread; each person it @mentions is told."""
    what = kind_of(record)
    if not can_see(by, record):
        raise ValidationError(f"You cannot see this {what}, so you cannot comment on it.")
    body = _clean_text(body)
    if not body:
        raise ValidationError("Write the comment first.")
    if len(body) > 4000:
        raise ValidationError("A comment holds at most 4,000 characters: split it in two.")
    if field and field not in COMMENT_FIELDS[what]:
        raise ValidationError(f"A {what} has no field “{field[:40]}” to comment on.")
    if evidence is not None and (not isinstance(record, Claim) or evidence.claim_id != record.pk):
        raise ValidationError("That evidence row belongs to another claim.")
    people = mentioned(body)
    with transaction.atomic():
        comment = Comment.objects.create(**on(record), author=by, body=body, field=field, evidence=evidence)
        comment.mentions.set(people)
        where = f" on its {field}" if field else (" on one of its evidence rows" if evidence else "")
        for person in people:
            if person.pk != by.pk and can_see(person, record):
                text = f"{checkers.display_name(by)} mentioned you on the {what} “{_title(record)}”{where}: {body}"
                notify(person, Kind.MENTIONED, record, text, by)
    return comment


def comment_resolve(*, comment: Comment, by: User, resolved: bool = True) -> Comment:
    if not can_see(by, comment.record):
        raise ValidationError("You cannot see this record, so you cannot resolve its comments.")
    comment.resolved_at = timezone.now() if resolved else None
    comment.resolved_by = by if resolved else None
    comment.save(update_fields=["resolved_at", "resolved_by"])
    return comment


# Notifications -----------------------------------------------------------------------------


def _title(record: Record) -> str:
    text = str(record)
    return text if len(text) <= 90 else text[:89] + "…"


def mail_mode(user: User) -> str:
    return MailPreference.objects.filter(user=user).values_list("mode", flat=True).first() or MailMode.IMMEDIATE


def set_mail_mode(*, user: User, mode: str) -> None:
    if mode not in MailMode.values:
        raise ValidationError("Choose immediate mail or a daily digest.")
    MailPreference.objects.update_or_create(user=user, defaults={"mode": mode})


def notify(recipient: User, kind: str, record: Record, text: str, actor: User | None) -> Notification | None:
    """Tell `recipient` (never the person who did it). Mailed by the worker after the
    transaction commits, or in the day's digest (tasks.py)."""
    if actor is not None and recipient.pk == actor.pk or not recipient.is_active:
        return None
    notification = Notification.objects.create(
        **on(record), recipient=recipient, kind=kind, actor=actor, text=text[:500]
    )
    if recipient.email and mail_mode(recipient) == MailMode.IMMEDIATE:
        from . import tasks  # the task calls back into mailing.py only

        transaction.on_commit(lambda: tasks.mail_notification.enqueue(notification.pk))
    return notification


def mark_read(*, user: User, ids=None) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


# Presence ----------------------------------------------------------------------------------


def touch_presence(user: User, record: Record, now: dt.datetime | None = None) -> None:
    """`user` has the record's page open (now): the heartbeat of "editing since"."""
    now = now or timezone.now()
    stale = now - dt.timedelta(minutes=PRESENCE_MINUTES)
    updated = Presence.objects.filter(user=user, seen_at__gte=stale, **on(record)).update(seen_at=now)
    if not updated:
        Presence.objects.update_or_create(user=user, **on(record), defaults={"started_at": now, "seen_at": now})


def others_editing(user: User, record: Record, now: dt.datetime | None = None) -> list[Presence]:
    now = now or timezone.now()
    stale = now - dt.timedelta(minutes=PRESENCE_MINUTES)
    return list(
        Presence.objects.filter(seen_at__gte=stale, **on(record))
        .exclude(user=user)
        .select_related("user")
        .order_by("started_at")
    )
