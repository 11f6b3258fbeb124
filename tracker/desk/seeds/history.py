"""The seeded record's past: each record's first publication and dated corrections, as its
seed gives them (`published`, `corrections` with `was`), queued and published in order of
their days with the services' clock set to each (see the package's docstring)."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Max
from django.utils import timezone

from tracker.events.log import RECORD_TYPES, one_public_change
from tracker.events.models import Event, RecheckFlag

from .. import clock, services
from .reading import SEED_FILES, _clean_note, _Context, _date, _refused_as_seed_error, _require, _rows

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


def _needs_note(record: models.Model, history: list[_Version]) -> str:
    problem = NEEDS_NOTE.format(what=record._meta.verbose_name)
    if len(history) > 1:
        problem += " (its last correction's note was already published for an earlier change: add a new one)"
    return problem
