"""What readers saw of a record right after an event: `Event.state` (issue 28).

`log_change` stores it with every event that leaves a claim, an agreement or a source
on the public record, in the change's transaction. It holds everything the record's
page and API detail render of the record itself: for a claim its statement, claimant,
quote, verdict and rationale, the verdict's date, the evidence with its stances,
quotes and the sources' names, the records it is about and the corrections published
by then. `?as_of=` and the Memento pages (tracker/public/versions.py) read only this,
so they show exactly what readers saw, never a later state or one readers never saw.

Only what was public goes in: evidence from published sources, links to published
records, public correction notes. An event that takes the record off the public
record (withdrawn, retracted, removed) has no state: readers saw none.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models

from tracker.desk.choices import State
from tracker.desk.models import Agreement, Claim, Correction, Evidence, Source

# Bumped when the shape changes; a reader of an older shape fills what it lacks.
SHAPE = 1


def _when(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _source_ref(source: Source) -> dict[str, Any]:
    return {
        "slug": source.slug,
        "title": source.title,
        "publisher": source.publisher,
        "reliability": source.reliability,
        "url": source.url or "",
    }


def _corrections(**about) -> list[dict[str, Any]]:
    # Oldest first, as the API lists them; the page orders them as it always does.
    rows = Correction.objects.filter(**about).order_by("created_at", "id")
    return [
        {"id": row.pk, "kind": row.kind, "note": row.note, "created_at": _when(row.created_at)}
        for row in rows.only("id", "kind", "note", "created_at")
    ]


def _refs(queryset, key: str = "slug", name: str = "title") -> list[list[str]]:
    return [list(row) for row in queryset.order_by(name).values_list(key, name)]


def _claim(claim: Claim) -> dict[str, Any]:
    source = claim.source
    evidence = Evidence.objects.published().filter(claim=claim).select_related("source").defer("source__text")
    person = claim.claimant_person
    return {
        "shape": SHAPE,
        "statement": claim.statement,
        "claimant": claim.claimant,
        "claimant_person": [person.slug, person.name] if person and person.state == State.PUBLISHED else None,
        "claimed_on": _when(claim.claimed_on),
        "source": _source_ref(source) if source.state == State.PUBLISHED else None,
        "quote": claim.quote if source.state == State.PUBLISHED else "",
        "quote_at": None if claim.anchor_broken else [claim.start, claim.end],
        "quote_context": [claim.prefix, claim.suffix],
        "verdict": claim.verdict,
        "rationale": claim.rationale,
        "verdict_published_at": _when(claim.verdict_published_at),
        "first_published_at": _when(claim.first_published_at),
        "evidence": [
            {
                "id": item.pk,
                "stance": item.stance,
                "quote": item.quote,
                "note": item.note,
                "start": item.start,
                "end": item.end,
                "prefix": item.prefix,
                "suffix": item.suffix,
                "source": _source_ref(item.source),
            }
            for item in evidence.order_by("start", "id")
        ],
        "agreements": _refs(claim.agreements.published()),
        "meetings": _refs(claim.meetings.published()),
        "people": _refs(claim.people.published(), name="name"),
        "parties": _refs(claim.parties.all(), key="code", name="name"),
        "topics": _refs(claim.topics.all(), name="name"),
        "corrections": _corrections(claim=claim),
    }


def _agreement(agreement: Agreement) -> dict[str, Any]:
    steps = agreement.status_history.select_related("source").defer("source__text").order_by("date", "id")
    return {
        "shape": SHAPE,
        "title": agreement.title,
        "kind": agreement.kind,
        "binding": agreement.binding,
        "summary": agreement.summary,
        "status": agreement.current_status,
        "status_since": _when(agreement.status_since),
        "status_history": [
            {
                "id": step.pk,
                "status": step.status,
                "date": _when(step.date),
                "date_precision": step.date_precision,
                "note": step.note,
                "source": _source_ref(step.source) if step.source and step.source.state == State.PUBLISHED else None,
            }
            for step in steps
        ],
        "parties": _refs(agreement.parties.all(), key="code", name="name"),
        "topics": _refs(agreement.topics.all(), name="name"),
        "first_published_at": _when(agreement.first_published_at),
        "corrections": _corrections(agreement=agreement),
    }


def _source(source: Source) -> dict[str, Any]:
    names = ("title", "publisher", "kind", "reliability", "url", "published_on", "published_precision",
             "retrieved_on", "language", "text")  # fmt: skip
    state: dict[str, Any] = {"shape": SHAPE}
    for name in names:
        value = getattr(source, name)
        state[name] = _when(value) if isinstance(value, dt.date) else value
    state["first_published_at"] = _when(source.first_published_at)
    state["corrections"] = _corrections(source=source)
    return state


BUILDERS = {Claim: _claim, Agreement: _agreement, Source: _source}


def public_state(record: models.Model) -> dict[str, Any] | None:
    """What readers see of `record` now (read from the database), or None when it is
    not on the public record or its pages have no versions."""
    build = BUILDERS.get(type(record))
    if build is None or record.pk is None:
        return None
    current = type(record)._default_manager.filter(pk=record.pk, state=State.PUBLISHED).first()
    return build(current) if current is not None else None
