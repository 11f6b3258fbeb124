"""Loading the desk's seed records (`seeds/`) into the database.

The seed folder holds the archived source texts and YAML files of curated records
(see seeds/README.md). Loading is all-or-nothing and idempotent: everything is
validated and written inside one transaction, a record that already matches its
seed is not saved again (so no history row is added), and any problem aborts with
a SeedError naming the file and the record.

Every record is written by the desk's services, as the seed accounts below: a claim
is drafted, submitted and published as in the admin, and a published claim whose
seed changes is corrected in public.

A seed also holds its record's public history: the day it was first published
(`published`, by default the day the desk published its first file) and its
corrections, each dated, with its public note and the values readers saw before it
(`was`). The loader replays that history with the services, the clock set to each
day (tracker/desk/clock.py): first every record as first published, then every
correction not yet published, oldest first, each as one public change (one event,
one correction note; tracker/events/log.py `one_public_change`). A fresh database
and one loaded from an earlier version of the seeds so end with the same public
history, and the as-of views have a real past to show.
"""

import datetime as dt
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.utils import timezone

from tracker.events.log import RECORD_TYPES, one_public_change, snapshot
from tracker.events.models import Event, RecheckFlag

from . import anchoring, clock, services
from .choices import (
    AgreementKind,
    AgreementStatus,
    DatePrecision,
    MeetingFormat,
    PartyKind,
    Reliability,
    SourceKind,
    Stance,
    State,
    Verdict,
)
from .models import (
    Agreement,
    Claim,
    Meeting,
    Party,
    Person,
    Source,
    Topic,
)
from .roles import EDITOR, REPORTER, sync_roles
from .rules import verdict_evidence_problems
from .text import strip_control_chars

SEED_FILES = ["sources.yaml", "reference.yaml", "people.yaml", "agreements.yaml", "meetings.yaml", "claims.yaml"]

# The seeded record was drafted, reviewed and edited by the desk before the system
# existed; these accounts stand for those people, so that the seeds go through the
# same services, and maker-checker holds, as for anything made in the admin.
SEED_DRAFTER = "desk-seed-reporter"
SEED_REVIEWER = "desk-seed-verifier"
SEED_EDITOR = "desk-seed-editor"

# The day the desk published its first file (the five sources, archived on 10 November
# 2025, and the records built from them): the first publication of every seeded record
# whose seed names no other day (`published:`).
FIRST_FILE_PUBLISHED = dt.date(2025, 11, 12)
# The time of day a seeded change is dated at (site time): the seeds give days only.
SEEDED_TIME_OF_DAY = dt.time(12, 0)

# What a `was:` may hold, per file: the fields of a record readers see.
CORRECTABLE = {
    "sources.yaml": {"file", "title", "publisher", "kind", "reliability", "url", "published_on",
                     "published_precision", "retrieved_on", "language"},
    "people.yaml": {"name", "party", "summary", "roles"},
    "agreements.yaml": {"title", "kind", "binding", "summary", "status_history", "parties", "topics"},
    "meetings.yaml": {"title", "start_date", "end_date", "place", "host", "occasion", "format", "outcomes",
                      "significance", "counterparts", "outcome_agreements", "topics", "sources", "participants"},
    "claims.yaml": {"statement", "claimant", "claimant_person", "source", "quote", "claimed_on", "verdict",
                    "rationale", "evidence", "agreements", "meetings", "people", "parties", "topics"},
}  # fmt: skip
HISTORY_KEYS = ("published", "corrections", "correction")


class SeedError(Exception):
    def __init__(self, file: str, record: str, message: str):
        self.file, self.record, self.message = file, record, message
        super().__init__(f"{file}: {record}: {message}")


@dataclass
class _Version:
    """A record as readers saw it from `day` (None: a note in the older, undated format,
    published when loaded), with the public note that announced it ("" for the first
    publication)."""

    row: dict
    day: dt.date | None
    note: str = ""


@dataclass
class _Step:
    """A correction of a seeded record still to publish, replayed once every record exists."""

    day: dt.date | None
    order: tuple[int, int, int]  # file, record, correction: the order the seeds give
    file: str
    label: str
    record: models.Model
    apply: Callable[[models.Model, str], Any]  # (record, note): the change, through the services
    note: str
    publication: bool = False  # the record's first publication, not a correction


class _Context:
    """Where we are, for error messages, plus the slug lookups built so far."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.file = ""
        self.record = ""
        self.row_index = 0
        self.sources: dict[str, Source] = {}
        self.parties: dict[str, Party] = {}
        self.topics: dict[str, Topic] = {}
        self.people: dict[str, Person] = {}
        self.agreements: dict[str, Agreement] = {}
        self.meetings: dict[str, Meeting] = {}
        self.changed: set[tuple[str, int]] = set()
        self.steps: list[_Step] = []
        self.today = timezone.localdate()
        self.reporter = self.verifier = self.editor = None

    def fail(self, message: str) -> SeedError:
        return SeedError(self.file, self.record, message)

    def ref(self, table: dict, key: Any, what: str):
        try:
            return table[key]
        except (KeyError, TypeError):
            raise self.fail(f"unknown {what} {key!r}") from None

    def refs(self, table: dict, keys: Any, what: str) -> list:
        if keys is None:
            return []
        if not isinstance(keys, list):
            raise self.fail(f"{what} must be a list, not {keys!r}")
        return [self.ref(table, key, what) for key in keys]

    def mark_changed(self, record: models.Model) -> None:
        self.changed.add((type(record).__name__, record.pk))


def _date(ctx: _Context, value: Any, field: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ctx.fail(f"{field} must be a date like 2025-10-29, not {value!r}") from None


def _choice(ctx: _Context, value: Any, choices: type[models.TextChoices], field: str) -> str:
    if value not in choices.values:
        raise ctx.fail(f"{field} {value!r} is not one of {', '.join(choices.values)}")
    return value


def _require(ctx: _Context, row: dict, *fields: str) -> None:
    if not isinstance(row, dict):
        raise ctx.fail(f"expected a mapping of fields, got {row!r}")
    missing = [f for f in fields if row.get(f) in (None, "")]
    if missing:
        raise ctx.fail(f"missing {', '.join(missing)}")


def _message(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(exc.messages)


def _rows(ctx: _Context, data: Any, key: str | None = None) -> list:
    rows = data.get(key) if key and isinstance(data, dict) else data
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise ctx.fail(f"expected a list{f' under {key!r}' if key else ''}")
    return rows


def _each(ctx: _Context, rows: list, label: Callable[[dict], str]):
    seen = set()
    for index, row in enumerate(rows):
        ctx.record, ctx.row_index = f"#{index + 1}", index
        if isinstance(row, dict):
            ctx.record = label(row) or ctx.record
        if ctx.record in seen:
            raise ctx.fail("appears twice")
        seen.add(ctx.record)
        yield row


@contextmanager
def _refused_as_seed_error(ctx: _Context):
    """A service's refusal, reported with the seed file and record it came from."""
    try:
        yield
    except ValidationError as exc:
        raise ctx.fail(_message(exc)) from None


def _clean_note(value: Any) -> str:
    return strip_control_chars(str(value or "")).strip()


# A record's public history, as its seed gives it --------------------------------------------


def _history(ctx: _Context, row: dict) -> list[_Version]:
    """The versions readers saw of the record `row` describes, oldest first: the record
    as first published, then after each correction. The seed holds the latest version;
    each correction's `was` gives the values readers saw before it."""
    _require(ctx, row)
    published = _date(ctx, row.get("published"), "published") or FIRST_FILE_PUBLISHED
    if published > ctx.today:
        raise ctx.fail(f"published {published} is in the future")
    latest = {name: value for name, value in row.items() if name not in HISTORY_KEYS}
    entries = _rows(ctx, row.get("corrections"), None)
    if row.get("correction"):
        # The older format: one undated note, the latest.
        if entries:
            raise ctx.fail("give the corrections as one `corrections:` list, not also `correction:`")
        entries = [{"note": row["correction"]}]
    allowed = CORRECTABLE.get(ctx.file, set())
    versions, notes, previous = [], set(), published
    for index, entry in enumerate(entries):
        what = f"correction {index + 1}"
        if not isinstance(entry, dict):
            raise ctx.fail(f"{what} must be a mapping with date, note and was")
        note = _clean_note(entry.get("note"))
        if not note:
            raise ctx.fail(f"{what} has no note: a correction is published with a note saying what changed and why")
        if note in notes:
            raise ctx.fail(f"{what} repeats the note of an earlier one: each correction says what it changed")
        notes.add(note)
        day = _date(ctx, entry.get("date"), f"{what} date")
        if day is None and "correction" not in row:
            raise ctx.fail(f"{what} has no date: say when it was made (`date: {ctx.today}`)")
        if day is not None:
            if day > ctx.today:
                raise ctx.fail(f"{what} is dated {day}, in the future")
            if day < previous:
                raise ctx.fail(f"{what} is dated {day}, before the record's previous publication or correction")
            previous = day
        was = entry.get("was") or {}
        if not isinstance(was, dict):
            raise ctx.fail(f"{what}: `was` must be a mapping of the values readers saw before it")
        unknown = set(was) - allowed
        if unknown:
            raise ctx.fail(f"{what}: `was` may hold {', '.join(sorted(allowed))}; not {', '.join(sorted(unknown))}")
        versions.append((day, note, was))
    # From the latest version back: each correction's `was` is what stood before it.
    rows = [latest]
    for _day, _note, was in reversed(versions):
        rows.append({**rows[-1], **was})
    rows.reverse()
    history = [_Version(row=rows[0], day=published)]
    history += [_Version(row=rows[i + 1], day=day, note=note) for i, (day, note, _was) in enumerate(versions)]
    return history


def _published_notes(record: models.Model) -> set[str]:
    """The public notes already published on `record`: its correction notes and the
    notes of its events."""
    notes = set()
    if hasattr(record, "corrections"):
        notes |= set(record.corrections.values_list("note", flat=True))
    notes |= set(
        Event.objects.filter(record_type=RECORD_TYPES[type(record)], record_id=record.pk)
        .exclude(note="")
        .values_list("note", flat=True)
    )
    return notes


def _seeded_time(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, SEEDED_TIME_OF_DAY))


def _first_published(day: dt.date):
    return clock.seeded_at(_seeded_time(day))


def _plan(
    ctx: _Context,
    record: models.Model,
    history: list[_Version],
    apply: Callable[[models.Model, Any, str], Any],
    parsed: list[Any],
    *,
    created: bool,
    publish: Callable[[models.Model], Any] | None = None,
) -> list[int]:
    """Queue the corrections of `record` its readers have not seen yet (and its first
    publication, `publish`, for a new record); return which versions they are. A new
    record has seen none; an existing one has seen each correction whose note it
    already carries (a database loaded from earlier seeds)."""
    order = (SEED_FILES.index(ctx.file), ctx.row_index)
    if publish is not None:
        ctx.steps.append(
            _Step(day=history[0].day, order=(*order, 0), file=ctx.file, label=ctx.record, record=record,
                  apply=lambda current, _note: publish(current), note="", publication=True)
        )  # fmt: skip
    if created:
        pending = list(range(1, len(history)))
    else:
        seen = _published_notes(record)
        done = [i for i in range(1, len(history)) if history[i].note in seen]
        last = max(done, default=0)
        skipped = [history[i].note for i in range(1, last) if i not in done]
        if skipped:
            raise ctx.fail(
                f"the correction “{skipped[0][:80]}” is older than one already published on this record; "
                "a correction is added after the record's last one"
            )
        pending = list(range(last + 1, len(history)))
    for i in pending:
        ctx.steps.append(
            _Step(
                day=history[i].day,
                order=(*order, i),
                file=ctx.file,
                label=ctx.record,
                record=record,
                apply=lambda current, note, version=parsed[i]: apply(current, version, note),
                note=history[i].note,
            )
        )
    return pending


def _replay(ctx: _Context) -> None:
    """Publish every queued publication and correction, oldest first (so that on a fresh
    database the change feed's ids follow the days), each correction as one public
    change dated its day. A correction never predates what readers already saw of the
    record (on a database loaded earlier, where the record changed later than its seed
    says): it is then dated now, as is a note in the older, undated format."""
    first_event = (Event.objects.aggregate(last=Max("id"))["last"] or 0) + 1
    for step in sorted(ctx.steps, key=lambda s: (s.day or dt.date.max, s.order)):
        ctx.file, ctx.record = step.file, step.label
        record = type(step.record)._default_manager.get(pk=step.record.pk)
        if step.publication:
            if getattr(record, "first_published_at", None) is not None:
                continue  # a source already published with a claim that quotes it, earlier
            with _refused_as_seed_error(ctx), _first_published(step.day):
                step.apply(record, "")
            continue
        when = _seeded_time(step.day) if step.day else timezone.now()
        last = Event.objects.filter(record_type=RECORD_TYPES[type(record)], record_id=record.pk).aggregate(
            last=Max("at")
        )["last"]
        if last is not None and when < last:
            when = timezone.now()
        with _refused_as_seed_error(ctx), clock.seeded_at(when), one_public_change(record, note=step.note):
            step.apply(record, step.note)
        ctx.mark_changed(record)
    # A corrected agreement status or person's roles flags the claims citing them for a
    # re-check; the seeds' claims were checked again in the same review.
    flags = RecheckFlag.objects.filter(event_id__gte=first_event, rechecked_at=None).values_list("pk", flat=True)
    if flags:
        services.claim_mark_rechecked(flags=list(flags), by=ctx.verifier)


NEEDS_NOTE = (
    "this {what} is published, and its seed now differs from what readers see: add an entry to its "
    "`corrections:` list (`date:` the day it is made, `note:` a public note saying what changed and why, "
    "`was:` the values readers saw before) to publish the change as a correction"
)


def _differences(record: models.Model, values: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if getattr(record, name) != value}


def _link_differences(record: models.Model, links: dict[str, list]) -> dict[str, list]:
    return {
        name: targets
        for name, targets in links.items()
        if set(getattr(record, name).values_list("pk", flat=True)) != {target.pk for target in targets}
    }


def _row_differences(
    existing, wanted: list[dict], key: tuple[str, ...], *, remove_stale: bool, loose_key: tuple[str, ...] = ()
) -> services.Rows:
    """What turns the rows `existing` into `wanted`, matching rows on `key` (then, for
    rows left over, on `loose_key`, so that a corrected date changes a row rather than
    adding a second one)."""
    current = {tuple(getattr(row, name) for name in key): row for row in existing}
    rows = services.Rows()
    unmatched = []
    for values in wanted:
        row = current.pop(tuple(values[name] for name in key), None)
        if row is None:
            unmatched.append(values)
            continue
        changed = _differences(row, values)
        if changed:
            rows.change[row.pk] = changed
    for values in unmatched:
        row = None
        if loose_key:
            loose = tuple(values[name] for name in loose_key)
            row = next((r for r in current.values() if tuple(getattr(r, n) for n in loose_key) == loose), None)
        if row is None:
            rows.add.append(values)
            continue
        current = {k: r for k, r in current.items() if r.pk != row.pk}
        rows.change[row.pk] = _differences(row, values)
    if remove_stale:
        rows.remove = [row.pk for row in current.values()]
    return rows


# Agreements, meetings, people, parties, topics ----------------------------------------------


@dataclass
class _Fields:
    """A record's values as a seed version gives them."""

    fields: dict[str, Any]
    links: dict[str, list] = field(default_factory=dict)
    rows: dict[str, tuple[list[dict], tuple[str, ...], bool, tuple[str, ...]]] = field(default_factory=dict)


def _changes(record: models.Model, values: _Fields) -> tuple[dict, dict, dict]:
    row_changes = {
        name: _row_differences(getattr(record, name).all(), wanted, key, remove_stale=stale, loose_key=loose)
        for name, (wanted, key, stale, loose) in values.rows.items()
    }
    row_changes = {name: changes for name, changes in row_changes.items() if changes}
    return _differences(record, values.fields), _link_differences(record, values.links), row_changes


def _correct_record(ctx: _Context, record: models.Model, values: _Fields, note: str) -> None:
    """One correction of a published agreement, meeting or person, with its note."""
    changed, links, rows = _changes(record, values)
    correctable = isinstance(record, Agreement | Meeting)
    if changed or links or rows:
        record = services.record_edit(record=record, by=ctx.editor, fields=changed, links=links, rows=rows,
                                      note=note if correctable else "")  # fmt: skip
    if correctable and not record.corrections.filter(note=note).exists():
        services.record_note_correction(record=record, by=ctx.editor, note=note)


def _sync(
    ctx: _Context,
    model: type[models.Model],
    key: dict[str, Any],
    history: list[_Version],
    parse: Callable[[dict], _Fields],
    *,
    publish: bool = True,
) -> models.Model:
    """Create (as first published) or update an agreement, meeting, person, party or
    topic through the services, and queue its corrections; a record that already
    matches its seed is left alone."""
    parsed = [parse(version.row) for version in history]
    record = model.objects.filter(**key).first()
    correct = lambda r, v, note: _correct_record(ctx, r, v, note)  # noqa: E731
    with _refused_as_seed_error(ctx):
        if record is None or (publish and record.state in (State.DRAFT, State.IN_REVIEW)
                              and record.first_published_at is None):  # fmt: skip
            # Never published: it is published as its seed's first version, on its first
            # day (_replay); parties and topics are public as soon as they exist.
            first = parsed[0]
            with _first_published(history[0].day):
                if record is None:
                    record = services.record_create(
                        model=model, by=ctx.editor, fields={**key, **first.fields}, links=first.links,
                        rows={name: services.Rows(add=wanted) for name, (wanted, *_rest) in first.rows.items()},
                    )  # fmt: skip
                else:
                    changed, links, rows = _changes(record, first)
                    if changed or links or rows:
                        record = services.record_edit(record=record, by=ctx.editor, fields=changed, links=links,
                                                      rows=rows)  # fmt: skip
            ctx.mark_changed(record)
            publication = (lambda r: services.record_publish(record=r, by=ctx.editor)) if publish else None
            _plan(ctx, record, history, correct, parsed, created=True, publish=publication)
            return record
        if getattr(record, "state", State.PUBLISHED) != State.PUBLISHED:
            return record  # withdrawn or retracted by the desk: left as it is
        if len(history) > 1 and _plan(ctx, record, history, correct, parsed, created=False):
            return record  # brought up to date by its corrections (_replay)
        changed, links, rows = _changes(record, parsed[-1])
        if not (changed or links or rows):
            return record
        if (changed or rows) and (model in (Agreement, Meeting) or (model is Person and len(history) > 1)):
            raise ctx.fail(_needs_note(record, history))
        # What it links to, or a person's details (which carry no corrections before their first).
        record = services.record_edit(record=record, by=ctx.editor, fields=changed, links=links, rows=rows)
        ctx.mark_changed(record)
    return record


def _needs_note(record: models.Model, history: list[_Version]) -> str:
    problem = NEEDS_NOTE.format(what=record._meta.verbose_name)
    if len(history) > 1:
        problem += " (its last correction's note was already published for an earlier change: add a new one)"
    return problem


def _load_sources(ctx: _Context, data: Any) -> None:
    for row in _each(ctx, _rows(ctx, data), lambda r: r.get("slug")):
        _require(ctx, row, "slug", "file", "title", "publisher", "kind", "reliability")
        history = _history(ctx, row)
        parsed = [_source_values(ctx, version.row) for version in history]
        source = Source.objects.filter(slug=row["slug"]).first()
        with _refused_as_seed_error(ctx):
            if source is None:
                with _first_published(history[0].day):
                    source = services.source_create(by=ctx.reporter, slug=row["slug"], **parsed[0])
                ctx.mark_changed(source)
                _plan(ctx, source, history, lambda s, v, note: _correct_source(ctx, s, v, note), parsed, created=True,
                      publish=lambda s: services.record_publish(record=s, by=ctx.editor))  # fmt: skip
            elif source.state != State.RETRACTED:
                pending = []
                if len(history) > 1:
                    pending = _plan(ctx, source, history, lambda s, v, note: _correct_source(ctx, s, v, note),
                                    parsed, created=False)  # fmt: skip
                changed = _differences(source, parsed[-1])
                if changed and not pending:
                    # The service refuses a published source's new text without a note.
                    source = services.source_edit(source=source, by=ctx.editor, fields=changed)
                    ctx.mark_changed(source)
        ctx.sources[row["slug"]] = source


def _source_values(ctx: _Context, row: dict) -> dict[str, Any]:
    _require(ctx, row, "file", "title", "publisher", "kind", "reliability")
    path = ctx.folder / row["file"]
    try:
        text = strip_control_chars(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ctx.fail(f"cannot read archived text {row['file']}: {exc}") from None
    precision = _choice(ctx, row.get("published_precision", "unknown"), DatePrecision, "published_precision")
    return {
        "title": row["title"],
        "publisher": row["publisher"],
        "kind": _choice(ctx, row["kind"], SourceKind, "kind"),
        "reliability": _choice(ctx, row["reliability"], Reliability, "reliability"),
        "url": row.get("url") or None,
        "published_on": _date(ctx, row.get("published_on"), "published_on"),
        "published_precision": precision,
        "retrieved_on": _date(ctx, row.get("retrieved_on"), "retrieved_on"),
        "language": row.get("language", "en"),
        "text": text,
    }


def _correct_source(ctx: _Context, source: Source, values: dict[str, Any], note: str) -> None:
    """A correction of a published source: a new text is published with the note as
    the source's correction (the service's rule); other fields with the note as the
    change's public note."""
    changed = _differences(source, values)
    if changed:
        services.source_edit(source=source, by=ctx.editor, fields=changed, note=note)


def _load_reference(ctx: _Context, data: Any) -> None:
    for row in _each(ctx, _rows(ctx, data, "parties"), lambda r: f"party {r.get('code')}"):
        _require(ctx, row, "code", "name", "kind")
        history = _history(ctx, row)
        parse = lambda r: _Fields({"name": r["name"], "kind": _choice(ctx, r["kind"], PartyKind, "kind")})  # noqa: E731
        ctx.parties[row["code"]] = _sync(ctx, Party, {"code": row["code"]}, history, parse, publish=False)
    for row in _each(ctx, _rows(ctx, data, "topics"), lambda r: f"topic {r.get('slug')}"):
        _require(ctx, row, "slug", "name")
        history = _history(ctx, row)
        parse = lambda r: _Fields({"name": r["name"]})  # noqa: E731
        ctx.topics[row["slug"]] = _sync(ctx, Topic, {"slug": row["slug"]}, history, parse, publish=False)


def _load_people(ctx: _Context, data: Any) -> None:
    rows = _rows(ctx, data)
    histories = {}
    for row in _each(ctx, rows, lambda r: r.get("slug")):
        _require(ctx, row, "slug", "name")
        histories[row["slug"]] = history = _history(ctx, row)
        person = Person.objects.filter(slug=row["slug"]).first()
        if person is None:
            # Drafted first, all of them, so that a role is checked against every other
            # holder of its title when the roles are added (below), then published.
            with _refused_as_seed_error(ctx), _first_published(history[0].day):
                fields = _person_fields(ctx, history[0].row)
                person = services.record_create(model=Person, by=ctx.editor, fields={"slug": row["slug"], **fields})
        ctx.people[row["slug"]] = person
    for row in _each(ctx, rows, lambda r: r.get("slug")):

        def parse(version: dict) -> _Fields:
            roles = []
            for role in _rows(ctx, version.get("roles")):
                _require(ctx, role, "title")
                roles.append(
                    {
                        "title": role["title"],
                        "start_date": _date(ctx, role.get("start"), "start"),
                        "party": ctx.ref(ctx.parties, role["party"], "party") if role.get("party") else None,
                        "end_date": _date(ctx, role.get("end"), "end"),
                    }
                )
            # Roles are never removed by the seeds: a meeting may place someone in one.
            # A role whose start date is corrected is the same role (matched on its title).
            roles_key = (roles, ("title", "start_date"), False, ("title",))
            return _Fields(_person_fields(ctx, version), rows={"roles": roles_key})

        ctx.people[row["slug"]] = _sync(ctx, Person, {"slug": row["slug"]}, histories[row["slug"]], parse)


def _person_fields(ctx: _Context, row: dict) -> dict[str, Any]:
    return {
        "name": row["name"],
        "party": ctx.ref(ctx.parties, row["party"], "party") if row.get("party") else None,
        "summary": row.get("summary") or "",
    }


def _load_agreements(ctx: _Context, data: Any) -> None:
    for row in _each(ctx, _rows(ctx, data), lambda r: r.get("slug")):
        _require(ctx, row, "slug", "title", "kind", "parties", "status_history")
        history = _history(ctx, row)

        def parse(version: dict) -> _Fields:
            steps = []
            for step in _rows(ctx, version["status_history"]):
                _require(ctx, step, "status", "date", "source")
                steps.append(
                    {
                        "status": _choice(ctx, step["status"], AgreementStatus, "status"),
                        "date": _date(ctx, step["date"], "date"),
                        "date_precision": _choice(
                            ctx, step.get("date_precision", "day"), DatePrecision, "date_precision"
                        ),  # fmt: skip
                        "source": ctx.ref(ctx.sources, step["source"], "source"),
                        "note": step.get("note") or "",
                    }
                )
            return _Fields(
                {
                    "title": version["title"],
                    "kind": _choice(ctx, version["kind"], AgreementKind, "kind"),
                    "binding": bool(version.get("binding", False)),
                    "summary": version.get("summary") or "",
                },
                links={
                    "parties": ctx.refs(ctx.parties, version["parties"], "party"),
                    "topics": ctx.refs(ctx.topics, version.get("topics"), "topic"),
                },
                rows={"status_history": (steps, ("status", "date"), True, ())},
            )

        ctx.agreements[row["slug"]] = _sync(ctx, Agreement, {"slug": row["slug"]}, history, parse)


def _load_meetings(ctx: _Context, data: Any) -> None:
    for row in _each(ctx, _rows(ctx, data), lambda r: r.get("slug")):
        _require(ctx, row, "slug", "title", "start_date", "format")
        history = _history(ctx, row)

        def parse(version: dict) -> _Fields:
            _require(ctx, version, "title", "start_date", "format")
            start = _date(ctx, version["start_date"], "start_date")
            participants = []
            for entry in _rows(ctx, version.get("participants")):
                _require(ctx, entry, "person")
                person = ctx.ref(ctx.people, entry["person"], "person")
                role = None
                if entry.get("role"):
                    role = person.roles.filter(title=entry["role"]).held_on(start).first()
                    if role is None:
                        raise ctx.fail(f"{person} did not hold the role {entry['role']!r} on {start}")
                participants.append({"person": person, "role": role})
            return _Fields(
                {
                    "title": version["title"],
                    "start_date": start,
                    "end_date": _date(ctx, version.get("end_date"), "end_date"),
                    "place": version.get("place") or "",
                    "host": ctx.ref(ctx.parties, version["host"], "party") if version.get("host") else None,
                    "occasion": version.get("occasion") or "",
                    "format": _choice(ctx, version["format"], MeetingFormat, "format"),
                    "outcomes": version.get("outcomes") or "",
                    "significance": version.get("significance") or "",
                },
                links={
                    "counterparts": ctx.refs(ctx.parties, version.get("counterparts"), "party"),
                    "outcome_agreements": ctx.refs(ctx.agreements, version.get("outcome_agreements"), "agreement"),
                    "topics": ctx.refs(ctx.topics, version.get("topics"), "topic"),
                    "sources": ctx.refs(ctx.sources, version.get("sources"), "source"),
                },
                rows={"participants": (participants, ("person",), True, ())},
            )

        ctx.meetings[row["slug"]] = _sync(ctx, Meeting, {"slug": row["slug"]}, history, parse)


def _seed_users(ctx: _Context) -> None:
    """The accounts the seeded record is written by. They hold their roles but cannot
    sign in (no usable password), so maker-checker holds for the seeds too."""
    from django.apps import apps
    from django.contrib.auth.models import Group

    if not Group.objects.filter(name=EDITOR).exists():
        sync_roles(apps)  # a test database flushed after the migrations ran
    User = get_user_model()
    for attr, username, role in (("reporter", SEED_DRAFTER, REPORTER), ("verifier", SEED_REVIEWER, EDITOR),
                                 ("editor", SEED_EDITOR, EDITOR)):  # fmt: skip
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, is_active=True)
            user.set_unusable_password()
            user.save()
        if not user.is_active:
            User.objects.filter(pk=user.pk).update(is_active=True)
            user.is_active = True
        if not user.groups.filter(name=role).exists():
            user.groups.set([Group.objects.get(name=role)])
        setattr(ctx, attr, User.objects.get(pk=user.pk))  # fresh, without a cached permission set


# Claims ------------------------------------------------------------------------------------


@dataclass
class _ClaimVersion:
    content: dict[str, Any]
    near: int
    links: dict[str, list]
    evidence: list[dict]
    verdict: str
    rationale: str


def _check_quote(ctx: _Context, source: Source, quote: Any, what: str) -> anchoring.Anchor:
    if not isinstance(quote, str):
        raise ctx.fail(f"{what} quote must be text")
    try:
        return anchoring.anchor_quote(source.text, quote)
    except anchoring.QuoteNotFound as exc:
        raise ctx.fail(f"{what} quote {quote[:80]!r} is not in source {source.slug!r}: {exc}") from None


def _claim_version(ctx: _Context, row: dict) -> _ClaimVersion:
    _require(ctx, row, "statement", "claimant", "source", "quote", "verdict", "evidence")
    source = ctx.ref(ctx.sources, row["source"], "source")
    verdict = _choice(ctx, row["verdict"], Verdict, "verdict")
    evidence = []
    for item in _rows(ctx, row["evidence"]):
        _require(ctx, item, "source", "quote", "stance")
        evidence_source = ctx.ref(ctx.sources, item["source"], "source")
        found = _check_quote(ctx, evidence_source, item["quote"], "evidence")
        evidence.append(
            {
                "source": evidence_source,
                "quote": found.exact,
                "start": found.start,
                "stance": _choice(ctx, item["stance"], Stance, "stance"),
                "note": item.get("note") or "",
            }
        )
    problems = verdict_evidence_problems(verdict, [item["stance"] for item in evidence])
    if problems:
        raise ctx.fail(" ".join(problems))
    if verdict == Verdict.NOT_RATED or not row.get("rationale"):
        raise ctx.fail("a seeded claim is published with a verdict and its rationale")
    quote = _check_quote(ctx, source, row["quote"], "claim")
    content = {
        "statement": row["statement"],
        "claimant": row["claimant"],
        "claimant_person": ctx.ref(ctx.people, row["claimant_person"], "person")
        if row.get("claimant_person")
        else None,
        "source": source,
        "quote": quote.exact,
        "claimed_on": _date(ctx, row.get("claimed_on"), "claimed_on"),
    }
    links = {
        "agreements": ctx.refs(ctx.agreements, row.get("agreements"), "agreement"),
        "meetings": ctx.refs(ctx.meetings, row.get("meetings"), "meeting"),
        "people": ctx.refs(ctx.people, row.get("people"), "person"),
        "parties": ctx.refs(ctx.parties, row.get("parties"), "party"),
        "topics": ctx.refs(ctx.topics, row.get("topics"), "topic"),
    }
    rationale = strip_control_chars(str(row["rationale"])).strip()
    return _ClaimVersion(content, quote.start, links, evidence, verdict, rationale)


def _load_claims(ctx: _Context, data: Any) -> None:
    for row in _each(ctx, _rows(ctx, data), lambda r: r.get("slug")):
        _require(ctx, row, "slug", "statement", "claimant", "source", "quote", "verdict", "evidence")
        history = _history(ctx, row)
        parsed = [_claim_version(ctx, version.row) for version in history]
        claim = Claim.objects.filter(slug=row["slug"]).first()
        correct = lambda c, v, note: _correct_claim(ctx, c, v, note)  # noqa: E731
        with _refused_as_seed_error(ctx):
            if claim is None:
                with _first_published(history[0].day):
                    claim = _new_claim(ctx, row["slug"], parsed[0])
                publish = lambda c, v=parsed[0]: services.claim_publish(  # noqa: E731
                    claim=c, by=ctx.verifier, verdict=v.verdict, rationale=v.rationale
                )
                _plan(ctx, claim, history, correct, parsed, created=True, publish=publish)
            elif claim.state == State.PUBLISHED:
                pending = _plan(ctx, claim, history, correct, parsed, created=False) if len(history) > 1 else []
                if not pending:
                    _settle_claim(ctx, claim, history, parsed[-1])


def _new_claim(ctx: _Context, slug: str, version: _ClaimVersion) -> Claim:
    """Drafted and submitted by the seed reporter, to be published by the seed verifier
    (_replay): the same path as a claim made in the admin."""
    claim = services.claim_create_draft(
        by=ctx.reporter, slug=slug, near=version.near, links=version.links,
        evidence=[services.EvidenceAdd(source=item["source"], quote=item["quote"], stance=item["stance"],
                                       note=item["note"], near=item["start"]) for item in version.evidence],
        **version.content,
    )  # fmt: skip
    claim = services.claim_submit(claim=claim, by=ctx.reporter)
    ctx.mark_changed(claim)
    return claim


@dataclass
class _ClaimChanges:
    fields: dict[str, Any]
    links: dict[str, list]
    add: list[services.EvidenceAdd]
    change: list[services.EvidenceChange]
    remove: list[int]
    verdict_changed: bool

    @property
    def content(self) -> bool:
        """A change of what readers see of the claim besides its verdict and rationale."""
        return bool(self.fields or self.add or self.change or self.remove)


def _claim_changes(claim: Claim, version: _ClaimVersion) -> _ClaimChanges:
    current = {(item.source_id, item.start, item.end): item for item in claim.evidence.all()}
    add, change = [], []
    for item in version.evidence:
        found = current.pop((item["source"].pk, item["start"], item["start"] + len(item["quote"])), None)
        if found is None:
            add.append(services.EvidenceAdd(source=item["source"], quote=item["quote"], stance=item["stance"],
                                            note=item["note"], near=item["start"]))  # fmt: skip
        elif (found.stance, found.note) != (item["stance"], item["note"]):
            change.append(services.EvidenceChange(evidence_id=found.pk, stance=item["stance"], note=item["note"]))
    return _ClaimChanges(
        fields=_differences(claim, version.content),
        links=_link_differences(claim, version.links),
        add=add,
        change=change,
        remove=[item.pk for item in current.values()],
        verdict_changed=(version.verdict, version.rationale) != (claim.verdict, claim.rationale),
    )


def _settle_claim(ctx: _Context, claim: Claim, history: list[_Version], version: _ClaimVersion) -> None:
    """A published claim with no correction left to publish: what it is about may be
    updated; a change readers would see without a correction is refused (rule 5)."""
    changes = _claim_changes(claim, version)
    if changes.content or changes.verdict_changed:
        raise ctx.fail(_needs_note(claim, history))
    if changes.links:
        services.claim_edit(claim=claim, by=ctx.editor, links=changes.links)
        ctx.mark_changed(claim)


def _correct_claim(ctx: _Context, claim: Claim, version: _ClaimVersion, note: str) -> None:
    """One correction of a published claim, with its note: the services the desk would
    use for it, one public change (see _replay)."""
    changes = _claim_changes(claim, version)
    edit = {"fields": changes.fields, "links": changes.links, "add": changes.add, "change": changes.change,
            "remove": changes.remove}  # fmt: skip
    if changes.verdict_changed and changes.content:
        # The new verdict rests on the new evidence, and the old one may not: change both
        # while the claim is back in review; readers see one correction (_replay).
        claim = services.claim_withdraw(claim=claim, by=ctx.editor, reason=note)
        claim = services.claim_edit(claim=claim, by=ctx.editor, **edit)
        claim = services.claim_publish(claim=claim, by=ctx.verifier, verdict=version.verdict,
                                       rationale=version.rationale)  # fmt: skip
    else:
        if changes.content or changes.links:
            claim = services.claim_edit(claim=claim, by=ctx.editor, note=note, **edit)
        if changes.verdict_changed:
            claim = services.claim_correct(claim=claim, by=ctx.verifier, note=note, verdict=version.verdict,
                                           rationale=version.rationale)  # fmt: skip
    if not claim.corrections.filter(note=note).exists():
        services.claims.claim_note_correction(claim=claim, by=ctx.verifier, note=note, before=snapshot(claim))


LOADERS = {
    "sources.yaml": _load_sources,
    "reference.yaml": _load_reference,
    "people.yaml": _load_people,
    "agreements.yaml": _load_agreements,
    "meetings.yaml": _load_meetings,
    "claims.yaml": _load_claims,
}


def load_seeds(folder: Path) -> int:
    """Load every seed file in `folder`; return how many records changed."""
    ctx = _Context(folder)
    documents = {}
    for name in SEED_FILES:
        ctx.file, ctx.record = name, "(file)"
        try:
            documents[name] = yaml.safe_load((folder / name).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ctx.fail("file is missing") from None
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise ctx.fail(f"not valid YAML: {exc}") from None
    try:
        with transaction.atomic():
            _seed_users(ctx)
            for name in SEED_FILES:
                ctx.file = name
                LOADERS[name](ctx, documents[name])
            _replay(ctx)
    except IntegrityError as exc:
        raise ctx.fail(f"breaks a database rule: {exc}") from None
    return len(ctx.changed)
