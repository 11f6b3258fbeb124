"""Earlier versions of a claim, agreement or source page, read from the event log's
states (tracker/events/state.py) and nothing else (issue 28).

A version is what readers saw right after one event of the record that left it on the
public record; it lasts until the record's next event. `?as_of=DAY` shows the version
readers saw at the end of that day; the Memento pages (memento.py) show each version
at its own address. Both render the record's own page from the version's state, on
copies of the records made in memory and never saved, so nothing later than the
version and nothing readers never saw (a draft, a withdrawn record, an internal note)
can reach them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils import timezone

from tracker.desk.choices import CorrectionKind, State
from tracker.desk.models import (
    Agreement,
    AgreementStatusChange,
    Claim,
    Correction,
    Evidence,
    Meeting,
    Party,
    Person,
    Source,
    Topic,
)
from tracker.events.as_of import NotPublishedThen, end_of
from tracker.events.log import RECORD_TYPES
from tracker.events.models import Event

from .records import PublicCorrection

PAGES = {Claim: "public:claim", Agreement: "public:agreement", Source: "public:source"}


@dataclass(frozen=True)
class Version:
    """One version of a record: the event it followed and what readers saw then."""

    event_id: int
    at: dt.datetime
    state: dict[str, Any]
    day: dt.date | None = None  # the `as_of` day asked for, if any

    @property
    def published_on(self) -> dt.date:
        return timezone.localdate(self.at)


def _events(record: models.Model):
    return Event.objects.filter(record_type=RECORD_TYPES[type(record)], record_id=record.pk)


def versions_of(record: models.Model) -> list[Version]:
    """Every version readers saw of `record`, oldest first (one query)."""
    rows = _events(record).filter(state__isnull=False).order_by("at", "id").values_list("id", "at", "state")
    return [Version(event_id=pk, at=at, state=state) for pk, at, state in rows]


def version_at(record: models.Model, when: dt.datetime) -> Version | None:
    """The version readers saw at `when`: the one after the record's last event by
    then. None if it was not yet on the public record, or was off it then (withdrawn
    or retracted), or its state could not be recovered."""
    row = _events(record).filter(at__lte=when).order_by("-at", "-id").values_list("id", "at", "state").first()
    if row is None or row[2] is None:
        return None
    return Version(event_id=row[0], at=row[1], state=row[2])


def version_on(record: models.Model, day: dt.date) -> Version:
    """The version readers saw at the end of `day`; NotPublishedThen, saying why, if none."""
    when = f"{day:%-d %B %Y}"
    end = end_of(day)
    found = version_at(record, end)
    if found is not None:
        return Version(event_id=found.event_id, at=found.at, state=found.state, day=day)
    what = record._meta.verbose_name
    first = _events(record).order_by("at", "id").values_list("at", flat=True).first()
    if first is None or first >= end:
        since = f" It was first published on {timezone.localdate(first):%-d %B %Y}." if first else ""
        raise NotPublishedThen(f"This {what} was not yet published on {when}.{since}")
    raise NotPublishedThen(
        f"On {when} this {what} was not on the public record (it was back under review), so there is no "
        "version of that day to show."
    )


def events_of(record: models.Model) -> list[Event]:
    """The record's own public changes, newest first (the versions page)."""
    return list(_events(record).order_by("-at", "-id").only("id", "at", "kind", "note"))


def _datetime(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _source(ref: dict[str, Any]) -> Source:
    return Source(
        state=State.PUBLISHED, **{name: ref[name] for name in ("slug", "title", "publisher", "reliability", "url")}
    )


def corrections_then(state: dict[str, Any], record: models.Model) -> list[Correction]:
    """The correction notes published on the record by then, as rows never saved."""
    return [
        Correction(id=row["id"], kind=row["kind"], note=row["note"], created_at=_datetime(row["created_at"]))
        for row in state.get("corrections", [])
    ]


def public_corrections_then(state: dict[str, Any], record: models.Model) -> list[PublicCorrection]:
    """The same, newest first as the page lists them."""
    rows = sorted(corrections_then(state, record), key=lambda row: (row.created_at, row.pk), reverse=True)
    return [
        PublicCorrection(
            id=row.pk,
            kind=row.kind,
            kind_label=CorrectionKind(row.kind).label,
            note=row.note,
            created_at=row.created_at,
            record_kind=record._meta.verbose_name,
            record=record,
        )  # fmt: skip
        for row in rows
    ]


def _refs(model: type[models.Model], pairs: list[list[str]], key: str = "slug", name: str = "title") -> list:
    return [model(**{key: pair[0], name: pair[1]}) for pair in pairs]


@dataclass
class ClaimThen:
    claim: Claim
    evidence: list[Evidence]
    about: dict[str, list]
    state: dict[str, Any]


def claim_then(claim: Claim, version: Version) -> ClaimThen:
    """`claim` as readers saw it in `version`: a copy in memory, never saved."""
    state = version.state
    then = Claim(pk=claim.pk, slug=claim.slug, state=State.PUBLISHED, first_published_at=claim.first_published_at)
    then.statement, then.claimant, then.quote = state["statement"], state["claimant"], state["quote"]
    then.verdict, then.rationale = state["verdict"], state["rationale"]
    then.claimed_on = _date(state["claimed_on"])
    then.verdict_published_at = _datetime(state["verdict_published_at"])
    then.updated_at = version.at
    then.source = _source(state["source"]) if state["source"] else Source(state=State.DRAFT, title="", publisher="")
    then.anchor_broken = state["quote_at"] is None
    then.start, then.end = state["quote_at"] or (0, 0)
    then.prefix, then.suffix = state.get("quote_context") or ("", "")
    person = state["claimant_person"]
    then.claimant_person = Person(slug=person[0], name=person[1], state=State.PUBLISHED) if person else None
    evidence = []
    for item in state["evidence"]:
        row = Evidence(pk=item["id"], stance=item["stance"], quote=item["quote"], note=item["note"],
                       start=item["start"], end=item["end"], prefix=item["prefix"], suffix=item["suffix"])  # fmt: skip
        row.claim, row.source = then, _source(item["source"])
        evidence.append(row)
    about = {
        "agreements": _refs(Agreement, state["agreements"]),
        "meetings": _refs(Meeting, state["meetings"]),
        "people": _refs(Person, state["people"], name="name"),
        "parties": _refs(Party, state["parties"], key="code", name="name"),
        "topics": _refs(Topic, state["topics"], name="name"),
    }
    return ClaimThen(claim=then, evidence=evidence, about=about, state=state)


def agreement_then(agreement: Agreement, version: Version) -> tuple[Agreement, list[AgreementStatusChange]]:
    state = version.state
    then = Agreement(pk=agreement.pk, slug=agreement.slug, state=State.PUBLISHED, title=state["title"],
                     kind=state["kind"], binding=state["binding"], summary=state["summary"],
                     current_status=state["status"], status_since=_date(state["status_since"]),
                     first_published_at=agreement.first_published_at, updated_at=version.at)  # fmt: skip
    steps = []
    for item in state["status_history"]:
        step = AgreementStatusChange(pk=item["id"], status=item["status"], date=_date(item["date"]),
                                     date_precision=item["date_precision"], note=item["note"])  # fmt: skip
        step.agreement = then
        step.source = _source(item["source"]) if item["source"] else Source(state=State.DRAFT)
        steps.append(step)
    return then, steps


def source_then(source: Source, version: Version) -> Source:
    state = version.state
    then = Source(pk=source.pk, slug=source.slug, state=State.PUBLISHED, updated_at=version.at,
                  first_published_at=source.first_published_at)  # fmt: skip
    for name in ("title", "publisher", "kind", "reliability", "url", "published_precision", "language", "text"):
        setattr(then, name, state[name])
    then.published_on, then.retrieved_on = _date(state["published_on"]), _date(state["retrieved_on"])
    return then


def memento_url(record: models.Model, event_id: int) -> str:
    return reverse(f"{PAGES[type(record)]}-version", args=[record.slug, event_id])
