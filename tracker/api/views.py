"""Read-only endpoints: declarations only.

Each queryset starts from `Model.objects.published()` and prefetches every nested
list from a published-only queryset, so a list costs the same few queries whatever
its length. Filtering uses the FilterSets the public lists use (tracker/filters.py).
"""

from collections.abc import Callable

from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from rest_framework import viewsets
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from tracker.caching import freshness, tags
from tracker.caching import responses as caching
from tracker.desk import versioning
from tracker.desk.choices import State
from tracker.desk.models import (
    Agreement,
    AgreementStatusChange,
    Claim,
    Correction,
    Evidence,
    Meeting,
    Participation,
    Party,
    Person,
    Role,
    Source,
    Topic,
)
from tracker.filters import (
    AgreementFilter,
    ClaimFilter,
    CorrectionFilter,
    PartyFilter,
    PersonFilter,
    SourceFilter,
    TopicFilter,
)
from tracker.parameters import filter_names

from . import hits, serializers
from .as_of import AsOfDetailMixin
from .errors import EmptyParameter, InvalidCursor, InvalidQuery
from .filtering import MeetingAPIFilter
from .pagination import CURSOR_PARAM, ORDERING_PARAM, PAGE_SIZE_PARAM

FORMAT_PARAM = api_settings.URL_FORMAT_OVERRIDE
SEARCH_PARAM = api_settings.SEARCH_PARAM

SLUG = r"[-a-zA-Z0-9_]+"


class APIMixin:
    """What every endpoint shares: clean query strings and JSON errors."""

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):
            return  # a method this endpoint does not take: a 405, whatever the parameters
        for name, values in request.query_params.lists():
            if any("\x00" in value for value in values) or "\x00" in name:
                error = InvalidCursor if name == CURSOR_PARAM else InvalidQuery
                raise error(f"The parameter {name!r} contains a NUL character.", fields={name: ["NUL character."]})
            # `?topic=` means nothing: a client that sends it has a bug (an unset
            # variable) that an answer without the filter would hide. Every parameter
            # is refused empty alike, `format` included (DRF would read it as absent).
            if "" in values:
                raise EmptyParameter(
                    f"The parameter {name[:40]!r} is empty: give it a value, or leave it out.",
                    fields={name: ["Empty: give a value, or leave the parameter out."]},
                )

    def finalize_response(self, request: Request, response, *args, **kwargs):
        # An error is JSON whatever format was asked for (a CSV error body helps nobody).
        if isinstance(response, Response) and response.status_code >= 400:
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        # Caches may keep a response but must revalidate it (cheap, with the ETag), so a
        # retracted record is never served from a cache (DESIGN.md, rule 1).
        patch_cache_control(response, no_cache=True)
        return super().finalize_response(request, response, *args, **kwargs)


class CachedAnswersMixin:
    """Answers kept in the shared cache under their address and format, with the keys
    of what they show (tracker/caching/), rendered: a hit is the kept bytes, with no
    serialising and no rendering. A change readers can see drops the answers that show
    what it touched, so the next request on any server builds them afresh.
    Authentication and rates still apply to every request. A plain GET hit is answered
    before DRF's dispatch, with the same checks (hits.py); every other request comes here."""

    @classmethod
    def as_view(cls, *args, **initkwargs):
        return hits.serving_hits(super().as_view(*args, **initkwargs), cls)

    def cached(self, build: Callable[[], Response]) -> HttpResponse:
        request = self.request
        if not getattr(request._request, hits.CHECKED_ATTRIBUTE, False):
            caching.check(versioning.current())
        key = hits.answer_key(request, request.accepted_renderer.format, request.accepted_media_type)
        entry = caching.lookup(key)
        if entry is not None:
            return caching.response_from(request, entry)
        # One request per address builds it (responses.single_flight); the lock is let go
        # once the answer is kept, in finalize_response.
        if not caching.claim_build(key):
            entry = caching.wait_for_build(key)
            if entry is not None:
                return caching.response_from(request, entry)
        try:
            stamp = freshness.log.stamp()  # before the answer's own queries
            with tags.collecting() as collector:
                self.declare_keys()
                response = build()  # serialised here: the records it loads are the answer's
        except BaseException:
            caching.release_build(key)
            raise
        response.keep_as = (key, collector.result(), stamp)  # kept once rendered, in finalize_response
        return response

    def declare_keys(self) -> None:
        """What the answer depends on besides the records it loads (tracker/caching/tags.py);
        nothing declared: any change readers can see."""

    def finalize_response(self, request: Request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        kept = getattr(response, "keep_as", None)
        if kept is not None:
            key, keys, stamp = kept
            try:
                if response.status_code == 200:
                    response.render()
                    response["ETag"] = caching.keep(
                        key, request._request, response, keys=keys, stamp=stamp, also=hits.DRF_HEADERS
                    )
            finally:
                caching.release_build(key)
        return response


# Query parameters under which any change of a record can move a list: what changed
# since a date, an order by that date, a search of the records' text.
_BY_CHANGE = ("updated_since", "search")


class PublishedViewSet(CachedAnswersMixin, APIMixin, viewsets.ReadOnlyModelViewSet):
    lookup_field = "slug"
    lookup_value_regex = SLUG

    @classmethod
    def query_parameters(cls) -> frozenset[str]:
        """What a list or detail reads of the query string; anything else is dropped
        before it runs and from its cache key (tracker/parameters.py)."""
        names = {FORMAT_PARAM, SEARCH_PARAM, ORDERING_PARAM, CURSOR_PARAM, PAGE_SIZE_PARAM, "as_of"}
        return frozenset(names | set(filter_names(cls.filterset_class)))

    def list(self, request: Request, *args, **kwargs) -> Response:
        return self.cached(lambda: super(PublishedViewSet, self).list(request, *args, **kwargs))

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        return self.cached(lambda: super(PublishedViewSet, self).retrieve(request, *args, **kwargs))

    def declare_keys(self) -> None:
        if self.action != "list":
            tags.depends_on()  # the record it loads, and those naming it (get_object)
            return
        model = self.get_queryset().model
        listed = tags.RECORD_TYPES[model][0] if model in tags.RECORD_TYPES else model._meta.model_name
        params = self.request.query_params
        by_change = any(name in params for name in _BY_CHANGE) or "updated_at" in params.get("ordering", "")
        tags.lists([listed], changes=by_change)

    def get_object(self):
        record = super().get_object()
        if type(record) in tags.RECORD_TYPES:
            tags.about(record)
        return record


CORRECTIONS = Prefetch("corrections", queryset=Correction.objects.order_by("created_at", "id"))
PARTY_REFS = Prefetch("parties", queryset=Party.objects.published())
TOPIC_REFS = Prefetch("topics", queryset=Topic.objects.published())


class ClaimViewSet(AsOfDetailMixin, PublishedViewSet):
    """Checked claims with their verdict, quoted evidence and corrections."""

    queryset = (
        Claim.objects.published()
        # Prefetched, not joined: with a search, PostgreSQL expects one matching claim
        # and joined every match to a scan of the people (0.5 s at 100,000 claims).
        .prefetch_related(
            Prefetch("source", queryset=Source.objects.defer("text")),
            "claimant_person",
            Prefetch(
                "evidence",
                queryset=Evidence.objects.published()
                .select_related("source")
                .defer("source__text")
                .order_by("start", "id"),
                to_attr="published_evidence",
            ),
            Prefetch("agreements", queryset=Agreement.objects.published()),
            Prefetch("meetings", queryset=Meeting.objects.published()),
            Prefetch("people", queryset=Person.objects.published()),
            PARTY_REFS,
            TOPIC_REFS,
            CORRECTIONS,
        )
    )
    serializer_class = serializers.ClaimSerializer
    detail_serializer_class = serializers.ClaimAsOfSerializer
    filterset_class = ClaimFilter
    ordering = "-verdict_published_at"
    ordering_fields = ["verdict_published_at", "updated_at", "claimed_on", "slug"]
    search_fields = ["statement", "claimant", "quote"]


class SourceViewSet(PublishedViewSet):
    """The archived documents the desk relies on, with their full text."""

    queryset = Source.objects.published()
    serializer_class = serializers.SourceSerializer
    filterset_class = SourceFilter
    ordering = "-published_on"
    ordering_fields = ["published_on", "updated_at", "title", "slug"]
    search_fields = ["title", "publisher"]


class AgreementViewSet(AsOfDetailMixin, PublishedViewSet):
    """Agreements with their dated status history."""

    queryset = Agreement.objects.published().prefetch_related(
        Prefetch(
            "status_history",
            queryset=AgreementStatusChange.objects.select_related("source")
            .defer("source__text")
            .order_by("date", "id"),
        ),
        PARTY_REFS,
        TOPIC_REFS,
        CORRECTIONS,
    )
    serializer_class = serializers.AgreementSerializer
    detail_serializer_class = serializers.AgreementAsOfSerializer
    filterset_class = AgreementFilter
    ordering = "title"
    ordering_fields = ["title", "status_since", "updated_at", "slug"]
    search_fields = ["title", "summary"]


class MeetingViewSet(PublishedViewSet):
    """Meetings with their participants in the roles they held that day."""

    queryset = (
        Meeting.objects.published()
        .select_related("host")
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=Participation.objects.filter(person__state=State.PUBLISHED)
                .select_related("person", "role", "role__party")
                .order_by("id"),
                to_attr="published_participants",
            ),
            Prefetch("counterparts", queryset=Party.objects.published()),
            Prefetch("outcome_agreements", queryset=Agreement.objects.published()),
            Prefetch("sources", queryset=Source.objects.published().defer("text")),
            TOPIC_REFS,
            CORRECTIONS,
        )
    )
    serializer_class = serializers.MeetingSerializer
    filterset_class = MeetingAPIFilter
    ordering = "-start_date"
    ordering_fields = ["start_date", "updated_at", "title", "slug"]
    search_fields = ["title", "place", "occasion"]


class PersonViewSet(PublishedViewSet):
    """People, with the roles they have held."""

    queryset = (
        Person.objects.published()
        .select_related("party")
        .prefetch_related(Prefetch("roles", queryset=Role.objects.select_related("party").order_by("start_date", "id")))
    )
    serializer_class = serializers.PersonSerializer
    filterset_class = PersonFilter
    ordering = "name"
    ordering_fields = ["name", "updated_at", "slug"]
    search_fields = ["name"]


class PartyViewSet(PublishedViewSet):
    """Countries (ISO 3166 codes) and organisations."""

    queryset = Party.objects.published()
    serializer_class = serializers.PartySerializer
    filterset_class = PartyFilter
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9]+"
    ordering = "code"
    ordering_fields = ["code", "name"]
    search_fields = ["name", "code"]


class TopicViewSet(PublishedViewSet):
    """What claims, agreements and meetings are about: defence, trade, energy..."""

    queryset = Topic.objects.published()
    serializer_class = serializers.TopicSerializer
    filterset_class = TopicFilter
    ordering = "name"
    ordering_fields = ["name", "slug"]
    search_fields = ["name"]


class CorrectionViewSet(PublishedViewSet):
    """Public notes on published records: what changed and why, retractions included."""

    queryset = Correction.objects.published().select_related("claim", "agreement", "meeting", "source")
    serializer_class = serializers.CorrectionSerializer
    filterset_class = CorrectionFilter
    lookup_field = "id"
    lookup_value_regex = r"[0-9]{1,18}"
    ordering = "-created_at"
    ordering_fields = ["created_at"]
    search_fields = ["note"]
