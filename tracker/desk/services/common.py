"""What every service shares: refusals, role checks, saving with history, stale edits."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify

from .. import versioning
from ..choices import State
from ..text import strip_control_chars

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser as User

HISTORY_REASON_MAX = 100  # simple-history's history_change_reason column


class WorkflowError(ValidationError):
    """A change the rules refuse. The message says what to do instead."""


class NotAllowed(WorkflowError):
    """The person lacks the role for this change, or the record is not theirs to change."""


class StaleEdit(WorkflowError):
    """The record changed since the form was opened (rule 7)."""


@contextmanager
def writing() -> Iterator[None]:
    """The transaction of a change: every service writes inside one. It first moves the
    record version (tracker/desk/versioning.py), which cached pages and API responses
    are keyed on, so whatever the service changes is seen on the next request on any
    server; a refused change rolls the version back with everything else."""
    with transaction.atomic():
        versioning.bump()
        yield
        versioning.stamp()


def writes[**P, R](service: Callable[P, R]) -> Callable[P, R]:
    """Run a service in `writing()`. Services use this, never transaction.atomic."""

    @wraps(service)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with writing():
            return service(*args, **kwargs)

    return wrapper


def can(by: User | None, codename: str) -> bool:
    return bool(by and by.is_active and by.has_perm(f"desk.{codename}"))


def require(by: User | None, codename: str, doing: str) -> None:
    if not can(by, codename):
        raise NotAllowed(f"You are not allowed to {doing}. Ask an editor if you need this role.")


def lock(record: models.Model) -> models.Model:
    """The record as it is now, its row locked until the transaction ends."""
    return type(record)._default_manager.select_for_update().get(pk=record.pk)


def save(record: models.Model, *, by: User | None, reason: str) -> None:
    """Save with its history record. The reason is cut to fit its column; the whole
    comment or note lives in the ClaimEvent or Correction written alongside."""
    if len(reason) > HISTORY_REASON_MAX:
        reason = reason[: HISTORY_REASON_MAX - 1] + "…"
    record._history_user = by
    record._change_reason = reason
    record.save()
    if getattr(record, "first_published_at", None) is not None and record.state != State.PUBLISHED:
        # Partners see a record that left the public record as a tombstone dated by its
        # last change (tracker/api/sync.py): even an edit no reader sees moves that date.
        versioning.public_change(["tombstones"])


def delete(record: models.Model, *, by: User | None, reason: str) -> None:
    record._history_user = by
    record._change_reason = reason[:HISTORY_REASON_MAX]
    record.delete()


def set_links(record: models.Model, links: dict[str, list]) -> bool:
    """Set many-to-many relations; True if any changed. The caller saves the record,
    which writes one history row for all of them (simple-history would otherwise
    write a row per add and remove)."""
    changed = False
    record.skip_history_when_saving = True
    try:
        for name, targets in links.items():
            manager = getattr(record, name)
            wanted = {target.pk for target in targets}
            if set(manager.values_list("pk", flat=True)) != wanted:
                manager.set(list(targets))
                changed = True
    finally:
        del record.skip_history_when_saving
    return changed


def clean(value: Any) -> Any:
    """Text as the desk stores it: control characters removed, outer whitespace trimmed."""
    if isinstance(value, str):
        return strip_control_chars(value).strip()
    return value


def note_required(note: str, what: str) -> str:
    note = clean(note or "")
    if not note:
        raise WorkflowError(f"{what} needs a note saying what changed and why; it is shown publicly.")
    return note


def unique_slug(model: type[models.Model], text: str, max_length: int = 80) -> str:
    # Dashes of every kind separate words ("Canada–China" -> "canada-china").
    text = "".join(" " if ch in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212/" else ch for ch in text)
    base = slugify(text)[:max_length].strip("-") or model._meta.model_name
    slug, n = base, 2
    while model._default_manager.filter(slug=slug).exists():
        slug = f"{base[: max_length - 6].rstrip('-')}-{n}"
        n += 1
    return slug


def check_slug(record: models.Model, slug: str) -> str:
    """A slug the record may take: well formed, free, and never a change of a
    published address (published slugs are permanent; DESIGN.md rule 6)."""
    slug = clean(slug or "")
    if slug == record.slug:
        return slug
    if getattr(record, "first_published_at", None) is not None:
        raise WorkflowError(
            {"slug": "This record has been published, so its address is permanent: the slug cannot change."}
        )
    if not slug:
        raise WorkflowError({"slug": "Give the record a slug (its address), or leave it empty to make one."})
    if slugify(slug) != slug:
        raise WorkflowError({"slug": "A slug has only lower-case letters, digits and dashes."})
    if type(record)._default_manager.filter(slug=slug).exclude(pk=record.pk).exists():
        raise WorkflowError({"slug": f"The slug “{slug}” is taken by another record."})
    return slug


def check_version(record: models.Model, seen: int | None) -> None:
    """Refuse a change made from a form opened at an older version (rule 7)."""
    if seen is not None and seen != record.version:
        raise StaleEdit(stale_edit_message(record, seen), code="stale")


def stale_edit_message(instance: models.Model, seen: int | None) -> str:
    """Who changed the record since version `seen`, when, and which fields (rule 7)."""
    name = instance._meta.verbose_name
    later = list(instance.history.filter(version__gt=seen or 0).select_related("history_user").order_by("history_date"))
    if not later:
        return (
            f"Not saved: this {name} was changed after you opened it. Nothing was overwritten: "
            "reload the page to see the current version, then make your change again."
        )
    people = sorted({str(h.history_user) if h.history_user else "the system" for h in later})
    latest = later[-1]
    base = instance.history.filter(version=seen).first()
    fields: list[str] = []
    if base is not None:
        for change in latest.diff_against(base, excluded_fields=["updated_at", "version"]).changes:
            label = str(instance._meta.get_field(change.field).verbose_name)
            if label not in fields:
                fields.append(label)
    changed = f" ({', '.join(fields)})" if fields else ""
    when = timezone.localtime(latest.history_date).strftime("%-d %b %Y %H:%M:%S %Z")
    return (
        f"Not saved: {', '.join(people)} changed this {name}{changed} at {when}, after you opened it. "
        "Nothing was overwritten: reload the page to see the current version, then make your change again."
    )


def full_clean(record: models.Model, *, exclude: list[str] | None = None) -> None:
    """Model validation, its messages kept per field for the form that shows them."""
    record.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
