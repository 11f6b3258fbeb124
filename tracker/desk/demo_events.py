"""The public events of the demo record (generate_demo; issue 28), written in bulk.

The services write one event per public change (tracker/events/log.py), with what
readers saw before and after and the record's public state (tracker/events/state.py).
The demo writes the same rows for the changes it makes as if the desk had: every
published record's publication, a corrected claim's correction, a retracted claim's
retraction, each dated when it happened. They are written at the end, in the order
they happened, so that event ids follow time as they do when the services write them
(a partner resumes the change feed after the last id it saw).

States are built here from the values the builder has in hand, in the shape state.py
gives them, so that as-of views and versions read a demo record like any other.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tracker.events.models import Event, EventKind, EventSubject, RecordType
from tracker.events.state import SHAPE


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def source_ref(info) -> dict[str, Any]:
    return {"slug": info.slug, "title": info.title, "publisher": info.publisher,
            "reliability": info.reliability, "url": info.url or ""}  # fmt: skip


class DemoEvents:
    """Collects the demo's public events, then writes them in the order they happened."""

    def __init__(self):
        self.pending: list[tuple[dt.datetime, int, Event, list[tuple[str, int]]]] = []

    def add(self, record_type: str, record, *, at: dt.datetime, kind: str, title: str, snapshot: dict,
            state: dict | None, changes: list | None = None, note: str = "",
            subjects: list[tuple[str, int]] = ()) -> None:  # fmt: skip
        key = record.code if record_type == RecordType.PARTY else record.slug
        event = Event(at=at, record_type=record_type, record_id=record.pk, record_slug=key,
                      title=" ".join(title.split())[:300], kind=kind, changes=changes or [], note=note,
                      snapshot=snapshot, state=state)  # fmt: skip
        self.pending.append((at, len(self.pending), event, list(subjects)))

    def source(self, source) -> None:
        names = ("title", "publisher", "kind", "reliability", "url", "published_on", "published_precision",
                 "retrieved_on", "language")  # fmt: skip
        fields = {name: _iso(v) if isinstance(v := getattr(source, name), dt.date) else v for name in names}
        state = {"shape": SHAPE, **fields, "text": source.text, "first_published_at": _iso(source.first_published_at),
                 "corrections": []}  # fmt: skip
        self.add(RecordType.SOURCE, source, at=source.first_published_at, kind=EventKind.PUBLISHED,
                 title=source.title, snapshot={**fields, "text": source.text_sha256}, state=state)  # fmt: skip

    def agreement(self, agreement, steps, parties, topics, infos) -> None:
        """`steps`: its AgreementStatusChange rows; `infos`: source info by pk."""
        history = sorted(steps, key=lambda s: (s.date, s.pk))
        fields = {
            "title": agreement.title, "kind": agreement.kind, "binding": agreement.binding,
            "summary": agreement.summary, "status": agreement.current_status,
            "status_since": _iso(agreement.status_since),
        }  # fmt: skip
        state = {
            "shape": SHAPE, **fields,
            "status_history": [{"id": s.pk, "status": s.status, "date": _iso(s.date), "date_precision": "day",
                                "note": "", "source": source_ref(infos[s.source_id])} for s in history],
            "parties": sorted([[p.code, p.name] for p in parties], key=lambda pair: pair[1]),
            "topics": sorted([[t.slug, t.name] for t in topics], key=lambda pair: pair[1]),
            "first_published_at": _iso(agreement.first_published_at), "corrections": [],
        }  # fmt: skip
        snapshot = fields | {
            "status_history": [[s.status, _iso(s.date), "day", ""] for s in history],
            "parties": sorted(p.code for p in parties), "topics": sorted(t.slug for t in topics),
        }  # fmt: skip
        subjects = [(RecordType.PARTY, p.pk) for p in parties] + [(RecordType.TOPIC, t.pk) for t in topics]
        changes = [{"field": name, "new": fields[name]} for name in ("status", "status_since") if fields[name]]
        self.add(RecordType.AGREEMENT, agreement, at=agreement.first_published_at, kind=EventKind.PUBLISHED,
                 title=agreement.title, snapshot=snapshot, state=state, changes=changes, subjects=subjects)  # fmt: skip

    def plain(self, record_type: str, record, title: str) -> None:
        """A meeting's or person's publication (their pages keep no versions)."""
        self.add(record_type, record, at=record.first_published_at, kind=EventKind.PUBLISHED, title=title,
                 snapshot={"title": title}, state=None)  # fmt: skip

    def claim(self, claim, *, info, evidence, infos, links, first_rationale, corrected, published, later,
              corrections, correction_note, retraction_note) -> None:  # fmt: skip
        """A published (and perhaps corrected or retracted) claim's events. `links`: its
        agreements, meetings, people, parties and topics; `corrections`: its rows."""
        refs = {
            "agreements": sorted([[a.slug, a.title] for a in links["agreements"]], key=lambda p: p[1]),
            "meetings": sorted([[m.slug, m.title] for m in links["meetings"]], key=lambda p: p[1]),
            "people": sorted([[p.slug, p.name] for p in links["people"]], key=lambda p: p[1]),
            "parties": sorted([[p.code, p.name] for p in links["parties"]], key=lambda p: p[1]),
            "topics": sorted([[t.slug, t.name] for t in links["topics"]], key=lambda p: p[1]),
        }
        items = sorted(evidence, key=lambda e: (e.start, e.pk))
        person = links["people"][0] if claim.claimant_person_id and links["people"] else None

        def shown(rationale: str, notes: list) -> tuple[dict, dict]:
            snapshot = {
                "statement": claim.statement, "claimant": claim.claimant,
                "claimant_person": person.slug if person else None, "claimed_on": _iso(claim.claimed_on),
                "source": info.slug, "quote": claim.quote, "verdict": claim.verdict, "rationale": rationale,
                "evidence": sorted([infos[e.source_id].slug, e.quote, e.stance, e.note] for e in items),
                "agreements": sorted(a.slug for a in links["agreements"]),
                "meetings": sorted(m.slug for m in links["meetings"]),
                "people": sorted(p.slug for p in links["people"]),
                "parties": sorted(p.code for p in links["parties"]), "topics": sorted(t.slug for t in links["topics"]),
                "earlier_check": None,
            }  # fmt: skip
            state = {
                "shape": SHAPE, "statement": claim.statement, "claimant": claim.claimant,
                "claimant_person": [person.slug, person.name] if person else None,
                "claimed_on": _iso(claim.claimed_on), "source": source_ref(info), "quote": claim.quote,
                "quote_at": [claim.start, claim.end], "quote_context": [claim.prefix, claim.suffix],
                "verdict": claim.verdict, "rationale": rationale,
                "verdict_published_at": _iso(claim.verdict_published_at),
                "first_published_at": _iso(claim.first_published_at),
                "evidence": [{"id": e.pk, "stance": e.stance, "quote": e.quote, "note": e.note, "start": e.start,
                              "end": e.end, "prefix": e.prefix, "suffix": e.suffix,
                              "source": source_ref(infos[e.source_id])} for e in items],
                **refs,
                "corrections": [{"id": c.pk, "kind": c.kind, "note": c.note, "created_at": _iso(c.created_at)}
                                for c in notes],
            }  # fmt: skip
            return snapshot, state

        subjects = (
            [(RecordType.AGREEMENT, a.pk) for a in links["agreements"]]
            + [(RecordType.MEETING, m.pk) for m in links["meetings"]]
            + [(RecordType.PERSON, p.pk) for p in links["people"]]
            + [(RecordType.PARTY, p.pk) for p in links["parties"]]
            + [(RecordType.TOPIC, t.pk) for t in links["topics"]]
        )
        snapshot, state = shown(first_rationale, [])
        self.add(RecordType.CLAIM, claim, at=published, kind=EventKind.PUBLISHED, title=claim.statement,
                 snapshot=snapshot, state=state, changes=[{"field": "verdict", "new": claim.verdict}],
                 subjects=subjects)  # fmt: skip
        if corrected:
            changes = [{"field": "rationale", "old": first_rationale, "new": claim.rationale}]
            snapshot, state = shown(claim.rationale, corrections)
            self.add(RecordType.CLAIM, claim, at=later, kind=EventKind.CORRECTED, title=claim.statement,
                     snapshot=snapshot, state=state, changes=changes, note=correction_note,
                     subjects=subjects)  # fmt: skip
        elif corrections:  # retracted: readers saw it last as first published
            self.add(RecordType.CLAIM, claim, at=later, kind=EventKind.RETRACTED, title=claim.statement,
                     snapshot=snapshot, state=None, note=retraction_note, subjects=subjects)  # fmt: skip

    def write(self, write) -> int:
        """Write the events in the order they happened with `write` (Builder.write)."""
        self.pending.sort(key=lambda row: (row[0], row[1]))
        events = write([event for _, _, event, _ in self.pending], Event)
        subjects = [
            EventSubject(event_id=event.pk, record_type=kind, record_id=pk)
            for _, _, event, rows in self.pending
            for kind, pk in sorted(set(rows))
        ]
        write(subjects, EventSubject)
        count = len(events)
        self.pending = []
        return count
