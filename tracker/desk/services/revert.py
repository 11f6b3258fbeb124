"""Reverting a draft to an earlier version of itself.

A revert is an ordinary edit whose values come from the record's history: the claim's
statement, claimant, quote and source, what it is about and its evidence rows; a
source's details and text; an agreement's, meeting's or person's fields, links and
rows. It goes through claim_edit, source_edit or record_edit, so every rule of an
edit holds (who may change the record, quotes anchored in their sources, a claim never
its own evidence, stale forms refused) and the change is recorded like any other, with
"Reverted to version N" as its note. Workflow fields (state, verdict, rationale, who
drafted or reviewed it) and the record's address are not reverted.

A published or retracted record is never reverted: what readers saw changes only by
a correction, with its public note (rule 5).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from .. import versions
from ..choices import State
from ..models import Claim, Source
from .claims import EDITABLE_FIELDS as CLAIM_FIELDS
from .claims import LINK_FIELDS as CLAIM_LINKS
from .claims import EvidenceAdd, EvidenceChange, claim_edit
from .common import NotAllowed, WorkflowError, writes
from .records import KINDS, Rows, record_edit
from .sources import FIELDS as SOURCE_FIELDS
from .sources import source_edit

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser as User

REVERTIBLE = (Claim, Source, *(model for model in KINDS if hasattr(model, "state")))


def revert_refusal(record: models.Model) -> str:
    """Why `record` cannot be reverted whoever asks, or "" if it can."""
    if type(record) not in REVERTIBLE:
        return f"A {record._meta.verbose_name} is not reverted to an earlier version."
    if record.state not in (State.DRAFT, State.IN_REVIEW):
        if record.state == State.PUBLISHED:
            return (
                f"This {record._meta.verbose_name} is published: what readers see changes only by a correction, "
                "with a public note, never by a revert."
            )
        return f"This {record._meta.verbose_name} is {record.get_state_display().lower()}: it no longer changes."
    return ""


def _version(record: models.Model, version_id: int) -> versions.Version:
    model = type(record)
    row = versions.history_model(model).objects.filter(id=record.pk, history_id=version_id).first()
    if row is None:
        raise WorkflowError(f"That is not a version of this {model._meta.verbose_name}.")
    if row.history_type == "-":
        raise WorkflowError("That version is the record's deletion: choose a version before it.")
    return versions.load(model, [row])[0]


def _fk(value: Any, model: type[models.Model]) -> models.Model | None:
    """The record a historical foreign key pointed at, if it still exists."""
    if value is None:
        return None
    found = model._default_manager.filter(pk=value).first()
    if found is None:
        raise WorkflowError(
            f"That version refers to a {model._meta.verbose_name} that no longer exists, so it cannot be restored."
        )
    return found


def _fields(record: models.Model, target: versions.Version, names: tuple[str, ...]) -> dict[str, Any]:
    """The fields whose value differs from the target version's, as the edit services take them."""
    changed = {}
    for name in names:
        f = record._meta.get_field(name)
        old = target.value(name)
        now = getattr(record, f.attname)
        if old == now:
            continue
        changed[name] = _fk(old, f.related_model) if f.is_relation else old
    return changed


def _links(record: models.Model, target: versions.Version, names: tuple[str, ...]) -> dict[str, list]:
    links = {}
    for name in names:
        wanted = target.links.get(name, set())
        manager = getattr(record, name)
        if set(manager.values_list("pk", flat=True)) != wanted:
            related = manager.model
            found = list(related._default_manager.filter(pk__in=wanted))
            if len(found) != len(wanted):
                raise WorkflowError(f"That version links to {related._meta.verbose_name_plural} that no longer exist.")
            links[name] = found
    return links


def _held_values(held: versions.Held, values: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name in held.fields:
        f = held.model._meta.get_field(name)
        out[name] = _fk(values[name], f.related_model) if f.is_relation else values[name]
    return out


def _rows(record: models.Model, target: versions.Version) -> Rows:
    """What to add, change and remove to bring the record's rows back to the target's."""
    held = versions.HELD[type(record)]
    current = {
        row["id"]: row
        for row in held.model._default_manager.filter(**{held.key: record}).values(
            "id", *(held.model._meta.get_field(name).attname for name in held.fields)
        )
    }
    rows = Rows()
    wanted = target.held or {}
    for pk, values in wanted.items():
        now = current.get(pk)
        if now is None:
            rows.add.append(_held_values(held, values))
            continue
        differ = [
            name for name in held.fields if now[held.model._meta.get_field(name).attname] != values[name]
        ]  # fmt: skip
        if differ:
            full = _held_values(held, values)
            rows.change[pk] = {name: full[name] for name in differ}
    rows.remove = [pk for pk in current if pk not in wanted]
    return rows


def _something(*changes) -> None:
    if not any(changes):
        raise WorkflowError("That version reads the same as the current one: there is nothing to revert.")


@writes
def record_revert(*, record: models.Model, by: User, version_id: int, seen_version: int | None = None) -> models.Model:
    """Bring a draft claim, source, agreement, meeting or person back to an earlier version
    of itself (see the module's docstring)."""
    record = type(record)._default_manager.get(pk=record.pk)
    refusal = revert_refusal(record)
    if refusal:
        raise NotAllowed(refusal)
    target = _version(record, version_id)
    number = f"version {target.number}" if target.number else "the version"
    note = f"Reverted to {number} of {target.when} by {target.by}"
    if isinstance(record, Claim):
        fields = _fields(record, target, tuple(name for name in CLAIM_FIELDS if name != "slug"))
        links, rows = _links(record, target, CLAIM_LINKS), _rows(record, target)
        _something(fields, links, rows)
        return claim_edit(
            claim=record,
            by=by,
            fields=fields,
            links=links,
            add=[EvidenceAdd(**values, near=None) for values in rows.add],
            change=[EvidenceChange(evidence_id=pk, **values) for pk, values in rows.change.items()],
            remove=rows.remove,
            note=note,
            seen_version=seen_version,
        )
    if isinstance(record, Source):
        fields = _fields(record, target, tuple(name for name in SOURCE_FIELDS if name != "slug"))
        _something(fields)
        return source_edit(source=record, by=by, fields=fields, note=note, seen_version=seen_version)
    kind = KINDS[type(record)]
    held = versions.HELD.get(type(record))
    fields = _fields(record, target, tuple(name for name in kind.fields if name != kind.key))
    links = _links(record, target, kind.links)
    rows = _rows(record, target) if held else Rows()
    _something(fields, links, rows)
    return record_edit(
        record=record,
        by=by,
        fields=fields,
        links=links,
        rows={held.relation: rows} if held else None,
        note=note,
        seen_version=seen_version,
    )
