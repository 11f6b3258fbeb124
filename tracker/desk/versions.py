"""Versions of a record, read from its change history (django-simple-history), in words
a reader understands: verdict and state labels rather than codes, whole titles and
texts, times to the minute, people by name.

A version is one history row of the record, plus what the row's own table does not
hold: what the record linked to then (simple-history keeps a copy of the links with
each row) and the rows it held then (a claim's evidence, an agreement's status steps,
a meeting's participants, a person's roles), rebuilt from those rows' own histories
as they stood at the version's time. The history page, the compare page and reverting
a draft (services/revert.py) read versions here.

Loading is in bulk: a page of versions costs one query per kind of link, one for the
rows' histories and one per kind of record named, however many versions it holds.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from simple_history.utils import get_m2m_reverse_field_name

from .diffing import mark_words
from .models import (
    Agreement,
    AgreementStatusChange,
    Claim,
    Evidence,
    Meeting,
    Participation,
    Person,
    Role,
    Source,
)

# The fields compared, in the order a reader meets them. A model not named here shows
# every field it tracks but those in INTERNAL.
SHOWN: dict[type[models.Model], tuple[str, ...]] = {
    Claim: ("statement", "claimant", "claimant_person", "source", "quote", "claimed_on", "slug",
            "verdict", "rationale", "state", "drafted_by", "reviewed_by", "earlier_check"),
    Source: ("title", "publisher", "kind", "reliability", "url", "slug", "published_on", "retrieved_on",
             "language", "state", "text"),
    Agreement: ("title", "slug", "kind", "binding", "summary", "current_status", "state"),
    Meeting: ("title", "slug", "start_date", "end_date", "place", "host", "occasion", "format", "outcomes",
              "significance", "state"),
}  # fmt: skip
# Bookkeeping a person never reads: offsets, hashes, counters, derived dates.
INTERNAL = {
    "id", "version", "created_at", "updated_at", "first_published_at", "text_sha256", "text_fingerprint",
    "canonical_url", "start", "end", "prefix", "suffix", "anchor_method", "anchor_score", "suggested_start",
    "suggested_end", "published_precision", "date_precision", "submitted_at", "verdict_published_at",
    "status_since", "created_by", "anchor_broken",
}  # fmt: skip
# Texts long enough to be shown once, with the changes marked and the rest folded.
LONG_TEXTS = {"text"}


@dataclass(frozen=True)
class Held:
    """Rows a record holds, kept with their own history: relation name, row model, the
    row's key to its record, and the row's fields a reader compares."""

    relation: str
    model: type[models.Model]
    key: str
    fields: tuple[str, ...]
    label: str


HELD: dict[type[models.Model], Held] = {
    Claim: Held("evidence", Evidence, "claim", ("source", "stance", "quote", "note"), "Evidence"),
    Agreement: Held("status_history", AgreementStatusChange, "agreement", ("date", "status", "source", "note"),
                    "Status history"),
    Meeting: Held("participants", Participation, "meeting", ("person", "role"), "Participants"),
    Person: Held("roles", Role, "person", ("title", "party", "start_date", "end_date"), "Roles"),
}  # fmt: skip


def history_model(model: type[models.Model]) -> type[models.Model]:
    return getattr(model, model._meta.simple_history_manager_attribute).model


def shown_fields(model: type[models.Model]) -> list[models.Field]:
    tracked = {f.name: f for f in model._meta.concrete_fields}
    names = SHOWN.get(model) or [name for name in tracked if name not in INTERNAL]
    return [tracked[name] for name in names if name in tracked]


def link_fields(model: type[models.Model]) -> list[models.ManyToManyField]:
    return list(getattr(history_model(model), "_history_m2m_fields", []))


def person_name(user) -> str:
    if user is None:
        return "the system"
    return (user.get_full_name() or "").strip() or user.get_username()


def minute(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%-d %b %Y %H:%M") if moment else ""


@dataclass
class Version:
    """One version of a record: its history row, its links then, the rows it held then."""

    row: Any
    links: dict[str, set[int]] = field(default_factory=dict)
    held: dict[int, dict[str, Any]] | None = None  # row id -> its values, or None if it holds none

    @property
    def id(self) -> int:
        return self.row.history_id

    @property
    def at(self) -> dt.datetime:
        return self.row.history_date

    @property
    def when(self) -> str:
        return minute(self.row.history_date)

    @property
    def by(self) -> str:
        return person_name(self.row.history_user)

    @property
    def number(self) -> int | None:
        return getattr(self.row, "version", None)

    @property
    def what(self) -> str:
        """What the change was, in the words the service wrote (or the kind of change)."""
        return self.row.history_change_reason or {"+": "Created", "~": "Changed", "-": "Deleted"}.get(
            self.row.history_type, ""
        )

    def value(self, name: str) -> Any:
        return getattr(self.row, name if not _is_fk(self.row, name) else f"{name}_id")


def _is_fk(row, name: str) -> bool:
    try:
        return row._meta.get_field(name).is_relation
    except FieldDoesNotExist:
        return False


def load(model: type[models.Model], rows: Sequence[Any]) -> list[Version]:
    """Versions of one record from its history rows (any order; kept)."""
    versions = [Version(row) for row in rows]
    if not versions:
        return versions
    ids = [version.id for version in versions]
    by_id = {version.id: version for version in versions}
    for link in link_fields(model):
        target = get_m2m_reverse_field_name(link)
        through = getattr(versions[0].row, link.name).model
        for version in versions:
            version.links[link.name] = set()
        for history_id, target_id in through.objects.filter(history_id__in=ids).values_list(
            "history_id", f"{target}_id"
        ):
            by_id[history_id].links[link.name].add(target_id)
    held = HELD.get(model)
    if held is not None:
        _load_held(held, versions)
    return versions


def _load_held(held: Held, versions: list[Version]) -> None:
    """Each version's rows as they stood at its time, from one read of the rows' history
    up to the latest version. The services save a record's rows before the record, in
    the same change, so a row's change is at or before the record's history row."""
    record_id = versions[0].row.id
    latest = max(version.at for version in versions)
    names = [f"{name}_id" if held.model._meta.get_field(name).is_relation else name for name in held.fields]
    rows = (
        history_model(held.model)
        .objects.filter(**{f"{held.key}_id": record_id, "history_date__lte": latest})
        .order_by("history_date", "history_id")
        .values("id", "history_date", "history_type", *names)
    )
    changes = list(rows)
    for version in sorted(versions, key=lambda v: v.at):
        state: dict[int, dict[str, Any]] = {}
        for change in changes:
            if change["history_date"] > version.at:
                break
            if change["history_type"] == "-":
                state.pop(change["id"], None)
            else:
                state[change["id"]] = {name: change[column] for name, column in zip(held.fields, names, strict=True)}
        version.held = state


# Names of the records a version refers to ---------------------------------------------------


# What to read of a referred record to name it (never a source's archived text).
_NAME_FIELDS = {Source: "title", Claim: "statement", Person: "name"}


class Names:
    """The names of every record the given versions refer to, read in one query per model."""

    def __init__(self, model: type[models.Model], versions: Iterable[Version]):
        wanted: dict[type[models.Model], set[int]] = defaultdict(set)
        versions = list(versions)
        for version in versions:
            for f in shown_fields(model):
                if f.is_relation and version.value(f.name) is not None:
                    wanted[f.related_model].add(version.value(f.name))
            for link in link_fields(model):
                wanted[link.related_model] |= version.links.get(link.name, set())
            held = HELD.get(model)
            for values in (version.held or {}).values():
                for name in held.fields:
                    f = held.model._meta.get_field(name)
                    if f.is_relation and values[name] is not None:
                        wanted[f.related_model].add(values[name])
        self.names: dict[type[models.Model], dict[int, str]] = {}
        for related, ids in wanted.items():
            self.names[related] = self._read(related, ids)

    @staticmethod
    def _read(related: type[models.Model], ids: set[int]) -> dict[int, str]:
        if related is get_user_model():
            return {user.pk: person_name(user) for user in related._default_manager.filter(pk__in=ids).order_by()}
        if related is Role:
            rows = Role.objects.filter(pk__in=ids).order_by().values_list("pk", "title", "person__name")
            return {pk: f"{title} ({name})" for pk, title, name in rows}
        queryset = related._default_manager.filter(pk__in=ids).order_by()
        if related in _NAME_FIELDS:
            return dict(queryset.values_list("pk", _NAME_FIELDS[related]))
        return {record.pk: str(record) for record in queryset}

    def of(self, related: type[models.Model], pk: int | None) -> str:
        if pk is None:
            return ""
        return self.names.get(related, {}).get(pk) or f"a deleted {related._meta.verbose_name} (#{pk})"


def display(f: models.Field, value: Any, names: Names, row: Any = None) -> str:
    """A field's value as a reader says it."""
    if f.name == "published_on" and row is not None and hasattr(row, "published_precision"):
        return Source(published_on=value, published_precision=row.published_precision).published_display
    if value is None or value == "":
        return ""
    if f.is_relation:
        return names.of(f.related_model, value)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, models.BooleanField):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return minute(value)
    if isinstance(value, dt.date):
        return f"{value.day} {value:%B %Y}"
    return str(value)


# Differences ------------------------------------------------------------------------------


@dataclass
class Line:
    """One field, or one kind of link, in two versions."""

    label: str
    old_text: str
    new_text: str
    old: SafeString  # marked up: what was removed
    new: SafeString  # marked up: what was added
    changed: bool
    long: bool = False  # shown once, the changes marked and the rest folded
    both: SafeString = mark_safe("")
    words_added: int = 0
    words_removed: int = 0


@dataclass
class HeldRow:
    """One of the rows a record holds (an evidence quote...), in two versions."""

    status: str  # "added", "removed", "changed" or "unchanged"
    lines: list[Line]

    @property
    def status_label(self) -> str:
        return capfirst(self.status)


@dataclass
class Comparison:
    old: Version
    new: Version
    lines: list[Line]
    held_label: str = ""
    held: list[HeldRow] = field(default_factory=list)

    @property
    def changed(self) -> list[Line]:
        return [line for line in self.lines if line.changed]

    @property
    def unchanged(self) -> list[Line]:
        return [line for line in self.lines if not line.changed]

    @property
    def held_changes(self) -> list[HeldRow]:
        return [row for row in self.held if row.status != "unchanged"]

    @property
    def held_unchanged(self) -> list[HeldRow]:
        return [row for row in self.held if row.status == "unchanged"]


def _text_line(label: str, old: str, new: str, *, long: bool = False) -> Line:
    if old == new:
        same = mark_safe(escape(old))
        return Line(label, old, new, same, same, False, long, mark_words(old, new).both if long else same)
    marked = mark_words(old, new)
    return Line(label, old, new, marked.old, marked.new, True, long, marked.both, marked.words_added,
                marked.words_removed)  # fmt: skip


def _names_line(label: str, old: list[str], new: list[str]) -> Line:
    """A list of linked records, those removed and added marked."""
    gone, came = set(old) - set(new), set(new) - set(old)
    old_html = "; ".join(
        f'<del><span class="desk-sr">removed: </span>{escape(n)}</del>' if n in gone else escape(n) for n in old
    )
    new_html = "; ".join(
        f'<ins><span class="desk-sr">added: </span>{escape(n)}</ins>' if n in came else escape(n) for n in new
    )
    return Line(label, "; ".join(old), "; ".join(new), mark_safe(old_html), mark_safe(new_html), bool(gone or came))


def field_lines(model: type[models.Model], old: Version, new: Version, names: Names) -> list[Line]:
    lines = []
    for f in shown_fields(model):
        label = capfirst(str(f.verbose_name))
        before = display(f, old.value(f.name), names, old.row)
        after = display(f, new.value(f.name), names, new.row)
        lines.append(_text_line(label, before, after, long=f.name in LONG_TEXTS))
    for link in link_fields(model):
        label = capfirst(str(link.verbose_name))
        before = sorted(names.of(link.related_model, pk) for pk in old.links.get(link.name, ()))
        after = sorted(names.of(link.related_model, pk) for pk in new.links.get(link.name, ()))
        lines.append(_names_line(label, before, after))
    return lines


def held_rows(model: type[models.Model], old: Version, new: Version, names: Names) -> list[HeldRow]:
    held = HELD.get(model)
    if held is None:
        return []
    fields = [held.model._meta.get_field(name) for name in held.fields]
    before, after = old.held or {}, new.held or {}
    result = []
    for pk in sorted(set(before) | set(after), key=lambda pk: (pk not in before, pk)):
        a, b = before.get(pk), after.get(pk)
        lines = []
        for f in fields:
            old_text = display(f, a[f.name], names) if a else ""
            new_text = display(f, b[f.name], names) if b else ""
            lines.append(_text_line(capfirst(str(f.verbose_name)), old_text, new_text))
        if a is None:
            status = "added"
        elif b is None:
            status = "removed"
        else:
            status = "changed" if any(line.changed for line in lines) else "unchanged"
        result.append(HeldRow(status, lines))
    return result


def compare(model: type[models.Model], old: Version, new: Version, names: Names | None = None) -> Comparison:
    names = names or Names(model, [old, new])
    held = HELD.get(model)
    return Comparison(
        old=old,
        new=new,
        lines=field_lines(model, old, new, names),
        held_label=held.label if held else "",
        held=held_rows(model, old, new, names),
    )


def changes_in_words(model: type[models.Model], versions: Sequence[Version], names: Names) -> dict[int, list[str]]:
    """For a history page: each version's changes from the one before it (versions
    newest first, the last one only as the base of the one before it), as short
    sentences. Whole titles and short texts; a long text says how many words changed."""
    described: dict[int, list[str]] = {}
    for newer, older in zip(versions, versions[1:], strict=False):
        comparison = compare(model, older, newer, names)
        sentences = []
        for line in comparison.changed:
            if line.long:
                sentences.append(f"{line.label}: {line.words_added} word(s) added, {line.words_removed} removed")
            elif not line.old_text:
                sentences.append(f"{line.label}: set to “{line.new_text}”")
            elif not line.new_text:
                sentences.append(f"{line.label}: “{line.old_text}” removed")
            else:
                sentences.append(f"{line.label}: “{line.old_text}” → “{line.new_text}”")
        for row in comparison.held_changes:
            first = next((line for line in row.lines if line.new_text or line.old_text), None)
            what = (first.new_text or first.old_text) if first else ""
            detail = ", ".join(line.label.lower() for line in row.lines if line.changed)
            if row.status == "changed":
                sentences.append(f"{comparison.held_label}: {what} ({detail} changed)")
            else:
                sentences.append(f"{comparison.held_label}: {what} {row.status}")
        described[newer.id] = sentences
    return described


def short(record: models.Model) -> str:
    """A record's name for a page title."""
    from .models import short_text

    return short_text(str(record), 90)
