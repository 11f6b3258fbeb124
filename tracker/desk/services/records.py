"""Agreements, meetings, people, parties and topics: creating, editing, publishing,
retracting, with the rows they hold (status steps, participants, roles).

A published record's slug (a party's code, a topic's slug) is its public address and
never changes. An editor may add a public note to an edit of a published agreement
or meeting; it is published as a correction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import ProtectedError

from tracker.events.log import NOT_PUBLIC, log_change, snapshot

from ..choices import CorrectionKind, State
from ..models import (
    Agreement,
    AgreementStatusChange,
    Correction,
    Meeting,
    Participation,
    Party,
    Person,
    Role,
    Source,
    Topic,
)
from . import checkers
from .claims import claim_note_correction, claim_return_to_review, verdict_problems
from .common import (
    NotAllowed,
    WorkflowError,
    can,
    check_slug,
    check_version,
    clean,
    delete,
    lock,
    note_required,
    require,
    save,
    set_links,
    unique_slug,
    writes,
    writing,
)
from .sources import claims_resting_on

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser as User


@dataclass
class Rows:
    """Changes to the rows a record holds: new rows, changed rows by id, removed ids."""

    add: list[dict[str, Any]] = field(default_factory=list)
    change: dict[int, dict[str, Any]] = field(default_factory=dict)
    remove: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.add or self.change or self.remove)


@dataclass(frozen=True)
class Kind:
    fields: tuple[str, ...]
    links: tuple[str, ...] = ()
    # relation name -> (row model, the row's key to its record)
    rows: dict[str, tuple[type[models.Model], str]] = field(default_factory=dict)
    key: str = "slug"  # the public address, permanent once published


KINDS: dict[type[models.Model], Kind] = {
    Agreement: Kind(
        fields=("slug", "title", "kind", "binding", "summary"),
        links=("parties", "topics"),
        rows={"status_history": (AgreementStatusChange, "agreement")},
    ),
    Meeting: Kind(
        fields=(
            "slug",
            "title",
            "start_date",
            "end_date",
            "place",
            "host",
            "occasion",
            "format",
            "outcomes",
            "significance",
        ),  # fmt: skip
        links=("counterparts", "outcome_agreements", "topics", "sources"),
        rows={"participants": (Participation, "meeting")},
    ),
    Person: Kind(fields=("slug", "name", "party", "summary"), rows={"roles": (Role, "person")}),
    Party: Kind(fields=("code", "name", "kind"), key="code"),
    Topic: Kind(fields=("slug", "name")),
}
RETRACTABLE = (Source, Agreement, Meeting)


def _kind(model: type[models.Model]) -> Kind:
    try:
        return KINDS[model]
    except KeyError:
        raise WorkflowError(f"{model._meta.verbose_name_plural} are not edited this way.") from None


def _perm(model: type[models.Model], action: str) -> str:
    return f"{action}_{model._meta.model_name}"


def edit_refusal(record: models.Model, by: User | None) -> str:
    model = type(record)
    if not can(by, _perm(model, "change")):
        return f"You are not allowed to edit {model._meta.verbose_name_plural}."
    if getattr(record, "state", None) == State.RETRACTED:
        return f"This {model._meta.verbose_name} is retracted: it no longer changes."
    return ""


def _validate(record: models.Model, exclude: list[str] | None = None) -> None:
    try:
        record.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise WorkflowError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from None


def _set_key(record: models.Model, kind: Kind, value: Any) -> None:
    if kind.key == "slug":
        record.slug = check_slug(record, value or unique_slug(type(record), str(record)))
        return
    value = clean(value or "").upper()
    if record.pk and value != record.code:
        raise WorkflowError({"code": "A party's code is its public address: it never changes."})
    record.code = value


def _apply_fields(record: models.Model, kind: Kind, fields: dict[str, Any]) -> bool:
    unknown = set(fields) - set(kind.fields)
    if unknown:
        raise WorkflowError(f"These are not fields one can edit here: {', '.join(sorted(unknown))}.")
    changed = False
    for name, value in fields.items():
        if name == kind.key:
            before = getattr(record, name)
            _set_key(record, kind, value)
            changed |= getattr(record, name) != before
            continue
        value = clean(value)
        if getattr(record, name) != value:
            setattr(record, name, value)
            changed = True
    return changed


def _row_label(model: type[models.Model], values: dict[str, Any]) -> str:
    shown = ", ".join(str(v) for v in values.values() if v not in (None, ""))[:80]
    return f"{model._meta.verbose_name} ({shown})" if shown else model._meta.verbose_name


def _apply_rows(record: models.Model, kind: Kind, rows: dict[str, Rows], by: User | None) -> bool:
    changed = False
    for relation, asked in rows.items():
        if relation not in kind.rows:
            raise WorkflowError(f"A {record._meta.verbose_name} holds no {relation}.")
        model, key = kind.rows[relation]
        mine = model._default_manager.filter(**{key: record})
        for pk in asked.remove:
            row = mine.filter(pk=pk).first()
            if row is None:
                raise NotAllowed(f"That {model._meta.verbose_name} does not belong to this record.")
            delete(row, by=by, reason=f"Removed from {record}")
            changed = True
        for pk, values in asked.change.items():
            if pk in asked.remove:
                continue
            row = mine.filter(pk=pk).first()
            if row is None:
                raise NotAllowed(f"That {model._meta.verbose_name} does not belong to this record.")
            values = {name: clean(value) for name, value in values.items()}
            if all(getattr(row, name) == value for name, value in values.items()):
                continue
            for name, value in values.items():
                setattr(row, name, value)
            _save_row(row, values, by, reason=f"Changed on {record}")
            changed = True
        for values in asked.add:
            values = {name: clean(value) for name, value in values.items()}
            row = model(**{key: record}, **values)
            _save_row(row, values, by, reason=f"Added to {record}")
            changed = True
    return changed


def _save_row(row: models.Model, values: dict[str, Any], by: User | None, *, reason: str) -> None:
    try:
        row.full_clean()
    except ValidationError as exc:
        messages = exc.messages
        raise WorkflowError([f"{_row_label(type(row), values)}: {message}" for message in messages]) from None
    save(row, by=by, reason=reason)


def _derive(record: models.Model) -> None:
    if isinstance(record, Agreement):
        record.refresh_status()


@writes
def record_create(
    *,
    model: type[models.Model],
    by: User,
    fields: dict[str, Any],
    links: dict[str, list] | None = None,
    rows: dict[str, Rows] | None = None,
) -> models.Model:
    """A new agreement, meeting or person (a draft), party or topic."""
    kind = _kind(model)
    require(by, _perm(model, "add"), f"add {model._meta.verbose_name_plural}")
    record = model()
    fields = dict(fields)
    key = fields.pop(kind.key, "")
    _apply_fields(record, kind, fields)
    _set_key(record, kind, key)
    _validate(record, exclude=[kind.key] if kind.key == "slug" else None)
    save(record, by=by, reason="Added")
    if links or rows:
        if links:
            set_links(record, {name: links[name] for name in links if name in kind.links})
        _apply_rows(record, kind, rows or {}, by)
        _derive(record)
        save(record, by=by, reason="Added its details")
    log_change(record, before=NOT_PUBLIC)  # parties and topics are public from the start
    return record


@writes
def record_edit(
    *,
    record: models.Model,
    by: User,
    fields: dict[str, Any] | None = None,
    links: dict[str, list] | None = None,
    rows: dict[str, Rows] | None = None,
    note: str = "",
    seen_version: int | None = None,
) -> models.Model:
    """Change a record, what it links to and the rows it holds, in one step."""
    kind = _kind(type(record))
    record = lock(record)
    if hasattr(record, "version"):
        check_version(record, seen_version)
    seen = snapshot(record)
    refusal = edit_refusal(record, by)
    if refusal:
        raise NotAllowed(refusal)
    unknown = set(links or {}) - set(kind.links)
    if unknown:
        raise WorkflowError(f"These are not links one can edit here: {', '.join(sorted(unknown))}.")
    changed = _apply_fields(record, kind, dict(fields or {}))
    _validate(record, exclude=[kind.key] if kind.key == "slug" else None)
    changed |= set_links(record, links) if links else False
    changed |= _apply_rows(record, kind, rows or {}, by)
    note = clean(note or "")
    if not changed:
        if note:
            raise WorkflowError("Nothing changed, so there is nothing to publish a note about.")
        return record
    _derive(record)
    published = getattr(record, "state", None) == State.PUBLISHED
    save(record, by=by, reason="Edited" + (f": {note}" if note else ""))
    corrected = bool(note and published and isinstance(record, Agreement | Meeting))
    if corrected:
        Correction.objects.create(
            kind=CorrectionKind.CORRECTION, note=note, created_by=by, **{record._meta.model_name: record}
        )
    log_change(record, before=seen, note=note if corrected else "")
    return record


@writes
def record_note_correction(*, record: Agreement | Meeting, by: User, note: str) -> models.Model:
    """A public correction on a published agreement or meeting for a change that reached
    it another way: a seeded record loaded into a fresh database is created as corrected,
    and carries the note of that correction so its public history is the same as on a
    database that saw the change."""
    model = type(record)
    if model not in (Agreement, Meeting):
        raise WorkflowError(f"A {model._meta.verbose_name} is not corrected this way.")
    require(by, _perm(model, "change"), f"edit {model._meta.verbose_name_plural}")
    note = note_required(note, "A correction")
    record = lock(record)
    if record.state != State.PUBLISHED:
        raise WorkflowError(f"Only a published {model._meta.verbose_name} carries a correction.")
    save(record, by=by, reason=f"Corrected: {note}")
    Correction.objects.create(
        kind=CorrectionKind.CORRECTION, note=note, created_by=by, **{model._meta.model_name: record}
    )
    return record


@writes
def record_delete(*, record: models.Model, by: User) -> None:
    """Delete a record that was never published (or a party or topic nothing uses)."""
    model = type(record)
    require(by, _perm(model, "delete"), f"delete {model._meta.verbose_name_plural}")
    record = lock(record)
    if getattr(record, "first_published_at", None) is not None:
        raise WorkflowError(f"This {model._meta.verbose_name} has been published: it is retracted, never deleted.")
    seen = snapshot(record)
    try:
        with writing():
            delete(record, by=by, reason="Deleted")
    except ProtectedError:
        raise WorkflowError(
            f"Other records still refer to this {model._meta.verbose_name}: remove those first."
        ) from None
    log_change(record, before=seen, deleted=True)  # a party or topic leaves the public record


# Publishing and retracting -----------------------------------------------------------------


@writes
def record_publish(*, record: Source | Agreement | Meeting | Person, by: User) -> models.Model:
    """Draft or in review -> published, for a source, agreement, meeting or person."""
    model = type(record)
    name = model._meta.verbose_name
    if model not in (Source, Agreement, Meeting, Person):
        raise WorkflowError(f"A {name} is not published this way.")
    require(by, _perm(model, "publish"), f"publish {model._meta.verbose_name_plural}")
    record = lock(record)
    if record.state not in (State.DRAFT, State.IN_REVIEW):
        raise WorkflowError(f"This {name} is {record.get_state_display().lower()}: only a draft can be published.")
    if model is Source:
        refusal = checkers.source_publish_refusal(record, by)
        if refusal:
            raise NotAllowed(refusal)
    record.state = State.PUBLISHED
    save(record, by=by, reason="Published")
    log_change(record, before=NOT_PUBLIC)
    return record


@writes
def record_retract(*, record: Source | Agreement | Meeting, by: User, note: str) -> models.Model:
    """Published -> retracted, with a public retraction notice. Retracting a source
    corrects the published claims that quote it, or sends them back to review when
    their verdict no longer rests on visible evidence (rules 3 and 5)."""
    model = type(record)
    name = model._meta.verbose_name
    if model not in RETRACTABLE:
        raise WorkflowError(f"A {name} cannot be retracted; edit it instead.")
    require(by, _perm(model, "retract"), f"retract {model._meta.verbose_name_plural}")
    note = note_required(note, "A retraction")
    record = lock(record)
    if record.state != State.PUBLISHED:
        raise WorkflowError(f"This {name} is {record.get_state_display().lower()}: only a published one is retracted.")
    resting = [(claim, snapshot(claim)) for claim in claims_resting_on(record)] if model is Source else []
    seen = snapshot(record)
    record.state = State.RETRACTED
    save(record, by=by, reason=f"Retracted: {note}")
    Correction.objects.create(kind=CorrectionKind.RETRACTION, note=note, created_by=by, **{name: record})
    log_change(record, before=seen, note=note)
    for claim, claim_seen in resting:
        _after_source_retracted(claim, record, by=by, note=note, before=claim_seen)
    return record


def _after_source_retracted(claim, source: Source, *, by: User, note: str, before) -> None:
    if claim.source_id == source.pk or verdict_problems(claim, claim.verdict):
        claim_return_to_review(
            claim=claim, by=by, reason=f"Returned to review: the source “{source}” was retracted ({note})."
        )
        return
    claim_note_correction(
        claim=claim,
        before=before,
        by=by,
        note=f"A source this claim quoted, “{source.title}”, was retracted ({note}). Its quotes are no longer "
        "shown; the verdict rests on the remaining evidence.",
    )
