"""Small read helpers the public pages share: finding a published record (or saying
it was retracted), and describing corrections without leaking retracted content."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Model, Prefetch, QuerySet
from django.http import Http404

from tracker.caching import tags
from tracker.desk.choices import CorrectionKind, DatePrecision, State
from tracker.desk.models import Claim, Correction, Source
from tracker.events.models import Event, EventKind, RecordType

# A list of claims shows each one's source by title: fetched in one query by primary
# key, without the archived text. (Prefetched, not joined: joined, SQLite's planner
# may walk every source to find a page of claims.)
SOURCE_WITHOUT_TEXT = Prefetch("source", queryset=Source.objects.defer("text"))


class RecordGone(Exception):
    """A record that was published and then retracted: answered 410 with its note."""

    def __init__(self, what: str, retracted_on: datetime | None, notes: list[Correction]):
        self.what, self.retracted_on, self.notes = what, retracted_on, notes
        super().__init__(what)


def published_or_gone(queryset: QuerySet, **lookup) -> Model:
    """The published record matching `lookup`; RecordGone if it was retracted,
    Http404 otherwise (a draft or an unknown address look the same from outside).
    The page being built is about it (tracker/caching/tags.py)."""
    model = queryset.model
    record = queryset.published().filter(**lookup).first()
    if record is not None:
        tags.about(record)  # its page lists the records that name it
        return record
    what = model._meta.verbose_name
    retracted = model.objects.filter(state=State.RETRACTED, first_published_at__isnull=False, **lookup).first()
    if retracted is not None:
        field = model._meta.model_name
        notes = list(Correction.objects.published().filter(**{field: retracted}, kind=CorrectionKind.RETRACTION))
        raise RecordGone(what, retracted.updated_at, notes)
    raise Http404(f"There is no published {what} at this address.")


@dataclass(frozen=True)
class UnderReview:
    """A published claim the desk withdrew to review: its address says so, since when
    and why, under the title readers last saw (never its draft's), until it is
    published again (DESIGN.md rule 6)."""

    record: Claim
    title: str
    since: datetime
    reason: str


def under_review(slug: str) -> UnderReview | None:
    """The notice for the withdrawn claim at `slug`, or None."""
    claim = (
        Claim.objects.filter(slug=slug, state__in=(State.DRAFT, State.IN_REVIEW), first_published_at__isnull=False)
        .only("pk", "slug", "state", "first_published_at")
        .first()
    )
    if claim is None:
        return None
    last = Event.objects.filter(record_type=RecordType.CLAIM, record_id=claim.pk).order_by("-id").first()
    if last is None or last.kind != EventKind.WITHDRAWN:
        return None
    return UnderReview(record=claim, title=last.title, since=last.at, reason=last.note)


@dataclass(frozen=True)
class PublicCorrection:
    """A correction as readers see it: the record is named and linked only while it
    is published; a retracted record is described by its kind alone."""

    id: int
    kind: str
    kind_label: str
    note: str
    created_at: datetime
    record_kind: str
    record: Model | None


def public_corrections(corrections) -> list[PublicCorrection]:
    """Expects corrections with claim, agreement, meeting and source selected."""
    described = []
    for correction in corrections:
        record = correction.record
        described.append(
            PublicCorrection(
                id=correction.pk,
                kind=correction.kind,
                kind_label=correction.get_kind_display(),
                note=correction.note,
                created_at=correction.created_at,
                record_kind=record._meta.verbose_name,
                record=record if record.state == State.PUBLISHED else None,
            )
        )
    return described


def corrections_with_records() -> QuerySet:
    return Correction.objects.published().select_related("claim", "agreement", "meeting", "source")


def partial_date(day, precision: str) -> str:
    if day is None or precision == DatePrecision.UNKNOWN:
        return "Date unknown"
    if precision == DatePrecision.YEAR:
        return day.strftime("%Y")
    if precision == DatePrecision.MONTH:
        return day.strftime("%B %Y")
    return f"{day.day} {day:%B %Y}"
