"""Writing the event log: the one helper every desk service calls.

A service takes `before = snapshot(record)` when it has locked the record, makes its
change, and calls `log_change(record, before=before, note=...)` in the same
transaction. The helper works out from the two snapshots whether anything public
changed and how (published, corrected, withdrawn...), so that no service decides on
its own what becomes public: a draft's edits write nothing, a withdrawal does, and old
values are only ever those a reader could see. An event also records what it touched
(touched.py) with the public record version, so cached responses drop exactly what
the change made stale, and a change that writes no event drops nothing.

The seed loader replays a correction of the seeded record through several services at
once (withdraw, edit, publish, note); `one_public_change` makes that one event, as
readers saw one change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models

from tracker.desk import clock, versioning
from tracker.desk.choices import State
from tracker.desk.models import Agreement, Claim, Evidence, Meeting, Party, Person, Source, Topic

from .models import Event, EventKind, EventSubject, RecheckFlag, RecordType
from .state import public_state
from .touched import touched

RECORD_TYPES: dict[type[models.Model], str] = {
    Claim: RecordType.CLAIM,
    Source: RecordType.SOURCE,
    Agreement: RecordType.AGREEMENT,
    Meeting: RecordType.MEETING,
    Person: RecordType.PERSON,
    Party: RecordType.PARTY,
    Topic: RecordType.TOPIC,
}
# Fields too long to repeat in an event: named as changed, without their values.
LARGE = {"text", "evidence", "summary"}
# What a publication event states about the record.
HEADLINE = ("verdict", "status", "status_since")
# Serialises the writers of events, so that ids are committed in increasing order and a
# partner resuming after id N never misses an event committed later with a smaller id.
ADVISORY_LOCK = 0x7472_6163_6B65_7231  # "tracker1"


@dataclass
class Snapshot:
    """What a reader could see of a record at one moment (`public` False: nothing)."""

    public: bool
    fields: dict[str, Any] = field(default_factory=dict)
    subjects: set[tuple[str, int]] = field(default_factory=set)
    title: str = ""
    slug: str = ""
    pk: int | None = None


NOT_PUBLIC = Snapshot(public=False)


def _value(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _published(queryset) -> list[str]:
    return sorted(queryset.filter(state=State.PUBLISHED).values_list("slug", flat=True))


def _slug_if_published(record) -> str | None:
    return record.slug if record is not None and record.state == State.PUBLISHED else None


def _ids(kind: str, queryset) -> set[tuple[str, int]]:
    return {(kind, pk) for pk in queryset.values_list("pk", flat=True)}


def _claim(claim: Claim, snap: Snapshot, *, evidence=None) -> None:
    if evidence is None:
        evidence = Evidence.objects.published().filter(claim=claim).select_related("source")
    agreements = claim.agreements.filter(state=State.PUBLISHED)
    meetings = claim.meetings.filter(state=State.PUBLISHED)
    people = claim.people.filter(state=State.PUBLISHED)
    snap.fields = {
        "statement": claim.statement,
        "claimant": claim.claimant,
        "claimant_person": _slug_if_published(claim.claimant_person),
        "claimed_on": _value(claim.claimed_on),
        "source": _slug_if_published(claim.source),
        "quote": claim.quote,
        "verdict": claim.verdict,
        "rationale": claim.rationale,
        "evidence": sorted([item.source.slug, item.quote, item.stance, item.note] for item in evidence),
        "agreements": sorted(agreements.values_list("slug", flat=True)),
        "meetings": sorted(meetings.values_list("slug", flat=True)),
        "people": sorted(people.values_list("slug", flat=True)),
        "parties": sorted(claim.parties.values_list("code", flat=True)),
        "topics": sorted(claim.topics.values_list("slug", flat=True)),
        # Readers see the link between published claims under "Related checks".
        "earlier_check": _slug_if_published(claim.earlier_check),
    }
    snap.subjects = (
        _ids(RecordType.AGREEMENT, agreements)
        | _ids(RecordType.MEETING, meetings)
        | _ids(RecordType.PERSON, people)
        | _ids(RecordType.PARTY, claim.parties.all())
        | _ids(RecordType.TOPIC, claim.topics.all())
    )
    if snap.fields["claimant_person"]:
        snap.subjects.add((RecordType.PERSON, claim.claimant_person_id))
    snap.title = claim.statement


def _source(source: Source, snap: Snapshot) -> None:
    names = ("title", "publisher", "kind", "reliability", "url", "published_on", "published_precision",
             "retrieved_on", "language")  # fmt: skip
    snap.fields = {name: _value(getattr(source, name)) for name in names}
    snap.fields["text"] = source.hash_text(source.text)
    snap.title = source.title


def _agreement(agreement: Agreement, snap: Snapshot) -> None:
    steps = agreement.status_history.order_by("date", "id")
    snap.fields = {
        "title": agreement.title,
        "kind": agreement.kind,
        "binding": agreement.binding,
        "summary": agreement.summary,
        "status": agreement.current_status,
        "status_since": _value(agreement.status_since),
        "status_history": [[s.status, _value(s.date), s.date_precision, s.note] for s in steps],
        "parties": sorted(agreement.parties.values_list("code", flat=True)),
        "topics": sorted(agreement.topics.values_list("slug", flat=True)),
    }
    snap.subjects = _ids(RecordType.PARTY, agreement.parties.all()) | _ids(RecordType.TOPIC, agreement.topics.all())
    snap.title = agreement.title


def _meeting(meeting: Meeting, snap: Snapshot) -> None:
    names = ("title", "start_date", "end_date", "place", "occasion", "format", "outcomes", "significance")
    snap.fields = {name: _value(getattr(meeting, name)) for name in names}
    participants = meeting.participants.filter(person__state=State.PUBLISHED).select_related("person", "role")
    agreements = meeting.outcome_agreements.filter(state=State.PUBLISHED)
    snap.fields |= {
        "host": meeting.host.code if meeting.host_id else None,
        "counterparts": sorted(meeting.counterparts.values_list("code", flat=True)),
        "outcome_agreements": sorted(agreements.values_list("slug", flat=True)),
        "topics": sorted(meeting.topics.values_list("slug", flat=True)),
        "sources": _published(meeting.sources),
        "participants": sorted([p.person.slug, p.role.title if p.role_id else ""] for p in participants),
    }
    snap.subjects = (
        _ids(RecordType.PARTY, meeting.counterparts.all())
        | _ids(RecordType.AGREEMENT, agreements)
        | _ids(RecordType.TOPIC, meeting.topics.all())
        | {(RecordType.PERSON, p.person_id) for p in participants}
    )
    if meeting.host_id:
        snap.subjects.add((RecordType.PARTY, meeting.host_id))
    snap.title = meeting.title


def _person(person: Person, snap: Snapshot) -> None:
    roles = person.roles.select_related("party").order_by("start_date", "title")
    snap.fields = {
        "name": person.name,
        "party": person.party.code if person.party_id else None,
        "summary": person.summary,
        "roles": [
            [r.title, r.party.code if r.party_id else None, _value(r.start_date), _value(r.end_date)] for r in roles
        ],
    }
    if person.party_id:
        snap.subjects = {(RecordType.PARTY, person.party_id)}
    snap.title = person.name


def _reference(record: Party | Topic, snap: Snapshot) -> None:
    snap.fields = {"name": record.name}
    if isinstance(record, Party):
        snap.fields["kind"] = record.kind
    snap.title = record.name


SNAPSHOTS = {Claim: _claim, Source: _source, Agreement: _agreement, Meeting: _meeting, Person: _person,
             Party: _reference, Topic: _reference}  # fmt: skip


def _key(record: models.Model) -> str:
    return record.code if isinstance(record, Party) else record.slug


def snapshot(record: models.Model) -> Snapshot:
    """What a reader sees of `record` now, read from the database as it stands."""
    model = type(record)
    if model not in SNAPSHOTS:
        raise TypeError(f"{model.__name__} has no public events.")
    if record.pk is None:
        return NOT_PUBLIC
    record = model._default_manager.filter(pk=record.pk).first()
    if record is None:
        return NOT_PUBLIC
    public = getattr(record, "state", State.PUBLISHED) == State.PUBLISHED
    if not public:
        return NOT_PUBLIC
    snap = Snapshot(public=True, title=str(record), slug=_key(record), pk=record.pk)
    SNAPSHOTS[model](record, snap)
    snap.title = " ".join(snap.title.split())[:300]
    return snap


def prospective(claim: Claim, *, verdict: str, rationale: str) -> Snapshot:
    """What readers would see of `claim` were it published now with `verdict` and
    `rationale`: its evidence from published sources and from the draft sources that
    would be published with it (services.claim_publish)."""
    claim = Claim.objects.select_related("source", "claimant_person").get(pk=claim.pk)
    claim.verdict, claim.rationale = verdict, rationale
    if claim.source.state in (State.DRAFT, State.IN_REVIEW):
        claim.source.state = State.PUBLISHED
    evidence = (
        Evidence.objects.filter(claim=claim, anchor_broken=False)
        .exclude(source__state=State.RETRACTED)
        .select_related("source")
    )
    snap = Snapshot(public=True, slug=claim.slug, pk=claim.pk)
    _claim(claim, snap, evidence=evidence)
    snap.title = " ".join(snap.title.split())[:300]
    return snap


def last_public(record: models.Model) -> Snapshot | None:
    """What readers last saw of `record` (now off the public record, or on it), from
    the event log: None if they never saw it, or if the log holds no copy of it."""
    event = (
        Event.objects.filter(record_type=RECORD_TYPES[type(record)], record_id=record.pk)
        .filter(snapshot__isnull=False)
        .order_by("-id")
        .first()
    )
    if event is None:
        return None
    # Off the public record (withdrawn, retracted), but remembered: a republication diffs against it.
    return Snapshot(public=False, fields=event.snapshot, title=event.title, slug=event.record_slug, pk=record.pk)


def _diff(before: Snapshot, after: Snapshot) -> list[dict[str, Any]]:
    changes = []
    for name, new in after.fields.items():
        old = before.fields.get(name)
        if old == new:
            continue
        changes.append({"field": name} if name in LARGE else {"field": name, "old": old, "new": new})
    return changes


def _kind(changes: list[dict[str, Any]], note: str) -> str:
    changed = {change["field"] for change in changes}
    if "verdict" in changed:
        return EventKind.VERDICT_CORRECTED
    if "status" in changed:
        return EventKind.STATUS_CHANGED
    if "roles" in changed:
        return EventKind.ROLES_CHANGED
    return EventKind.CORRECTED if note else EventKind.UPDATED


def log_change(record: models.Model, *, before: Snapshot, note: str = "", deleted: bool = False) -> Event | None:
    """Write the event for what changed publicly in `record` since `before`, if anything.

    `note` is the change's public note (a correction, a retraction, or why the record
    was withdrawn for review); it is never an internal comment. A `before` from
    `last_public` (a withdrawn record) makes a publication a republication, with what
    changed since readers last saw it. Returns the event, or None when nothing public changed.
    """
    record_type = RECORD_TYPES[type(record)]
    if (record_type, record.pk) in _deferred.get():
        return None  # one_public_change writes the one event when it ends
    after = NOT_PUBLIC if deleted else snapshot(record)
    if after.public and before.public:
        changes = _diff(before, after)
        if not changes and not note:
            return None  # (a new public note alone is a change readers see)
        kind = _kind(changes, note)
    elif after.public and before.fields:
        # Back on the public record after a withdrawal: what changed since readers last saw it.
        kind = EventKind.REPUBLISHED
        changes = _diff(before, after)
    elif after.public:
        kind = EventKind.PUBLISHED
        changes = [{"field": name, "new": after.fields[name]} for name in HEADLINE if after.fields.get(name)]
    elif before.public:
        state = None if deleted else type(record)._default_manager.filter(pk=record.pk).values_list("state", flat=True)
        if deleted:
            kind = EventKind.REMOVED
        elif state and state[0] == State.RETRACTED:
            kind = EventKind.RETRACTED
        else:
            kind = EventKind.WITHDRAWN  # the note says why, on its page while it is under review
        changes = []
    else:
        return None
    shown = after if after.public else before
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])
    event = Event.objects.create(
        at=clock.now(),
        record_type=record_type,
        record_id=shown.pk,
        record_slug=shown.slug,
        title=shown.title,
        kind=kind,
        changes=changes,
        note=note,
        snapshot=shown.fields,
        state=public_state(record) if after.public else None,
    )
    EventSubject.objects.bulk_create(
        [EventSubject(event=event, record_type=t, record_id=pk) for t, pk in sorted(shown.subjects | before.subjects)]
    )
    _flag_claims_citing(record, event)
    versioning.public_change(touched(record_type, event, before, after))
    return event


def _flag_claims_citing(record: models.Model, event: Event) -> None:
    """An agreement's status or a person's roles changed: the published claims citing
    them may no longer hold. They are flagged for the desk, never unpublished."""
    if event.kind == EventKind.STATUS_CHANGED and isinstance(record, Agreement):
        claims = Claim.objects.published().filter(agreements=record)
    elif event.kind == EventKind.ROLES_CHANGED and isinstance(record, Person):
        claims = Claim.objects.published().filter(models.Q(people=record) | models.Q(claimant_person=record))
    else:
        return
    ids = claims.values_list("pk", flat=True).distinct()
    RecheckFlag.objects.bulk_create([RecheckFlag(claim_id=pk, event=event, created_at=event.at) for pk in ids])


_deferred: ContextVar[frozenset[tuple[str, int]]] = ContextVar("deferred_events", default=frozenset())


@contextmanager
def one_public_change(record: models.Model, *, note: str) -> Iterator[None]:
    """Make everything done to `record` inside one public change with the public `note`:
    the services' own events for it are not written, and on leaving, one event compares
    the record as readers saw it on entry with what they see now. The seed loader uses
    it where a correction takes several services (a withdrawal to review, an edit and a
    publication in one transaction are, for readers, one correction). Events of other
    records are written as usual; nothing is written if the block fails."""
    key = (RECORD_TYPES[type(record)], record.pk)
    before = snapshot(record)
    token = _deferred.set(_deferred.get() | {key})
    try:
        yield
    finally:
        _deferred.reset(token)
    log_change(record, before=before, note=note)
