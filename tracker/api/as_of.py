"""`?as_of=YYYY-MM-DD` on the claim and agreement details (tracker/events/as_of.py):
the record as it stood that day, with the day in `as_of`."""

import datetime as dt

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from tracker.desk.models import Agreement, Claim
from tracker.events.as_of import DATE, BadDate, NotPublishedThen, agreement_as_of, parse_as_of
from tracker.public import versions

from .errors import InvalidFilter

AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATE,
    description="The record as it stood on this day (YYYY-MM-DD): a claim exactly as readers saw it at the "
    "end of that day (statement, verdict and its date, rationale, evidence, links and the corrections published "
    "by then); an agreement's status by its dated status history. Not a date: "
    "400. A day in the future, or one when the claim was not published: 404 (there is no record of that day).",
)


def as_of_field() -> serializers.DateField:
    return serializers.DateField(
        source="as_of_day", allow_null=True, read_only=True, help_text="The `as_of` day asked for, or null."
    )


def _future(raw: str) -> bool:
    try:
        return DATE.fullmatch(raw) is not None and dt.date.fromisoformat(raw) > timezone.localdate()
    except ValueError:  # not a calendar day: parse_as_of says so
        return False


CLAIM_FIELDS = ("statement", "claimant", "claimed_on", "quote", "verdict", "rationale", "verdict_published_at",
                "source", "claimant_person", "start", "end", "prefix", "suffix", "anchor_broken")  # fmt: skip


def _apply(record, day) -> None:
    if isinstance(record, Claim):
        # The version readers saw at the end of that day, from the event log's state
        # alone (tracker/public/versions.py): evidence, links and corrections included.
        try:
            then = versions.claim_then(record, versions.version_on(record, day))
        except NotPublishedThen as error:
            raise NotFound(str(error)) from None
        for name in CLAIM_FIELDS:
            setattr(record, name, getattr(then.claim, name))
        record.published_evidence = sorted(then.evidence, key=lambda item: (item.start, item.pk or 0))
        record.shown = then.about | {"corrections": versions.corrections_then(then.state, record)}
    elif isinstance(record, Agreement):
        then = agreement_as_of(record, day)
        record.current_status, record.status_since = then.status, then.since


class AsOfDetailMixin:
    """A detail endpoint that takes `as_of`. The record is changed in memory only."""

    def get_serializer_class(self):
        if getattr(self, "action", None) == "retrieve":
            return self.detail_serializer_class
        return super().get_serializer_class()

    @extend_schema(parameters=[AS_OF])
    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        # Kept like every answer (CachedAnswersMixin): the day is in the address, and
        # a record's past only changes with the record version.
        return self.cached(lambda: self.retrieve_as_of(request))

    def retrieve_as_of(self, request: Request) -> Response:
        raw = request.query_params.get("as_of")
        day = None
        if raw is not None:
            if _future(raw):
                # A well-formed day the record has not reached: nothing to show, as for a
                # day before it was published (a 404), not a malformed request.
                raise NotFound(f"as_of is {raw}, a day in the future: there is no record of it yet.")
            try:
                day = parse_as_of(raw)
            except BadDate as error:
                raise InvalidFilter(f"Invalid filter: as_of: {error}", {"as_of": [str(error)]}) from None
        record = self.get_object()
        record.as_of_day = day
        if isinstance(record, Claim):  # what ClaimAsOfSerializer lists: now, unless _apply says then
            names = ("agreements", "meetings", "people", "parties", "topics", "corrections")
            record.shown = {name: getattr(record, name).all() for name in names}
        if day is not None:
            _apply(record, day)
        return Response(self.get_serializer(record).data)
