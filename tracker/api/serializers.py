"""What partners see of each record: explicit fields, stable identifiers, links.

Every record carries its identifier (a slug; a code for parties), `url` (this API)
and, where the site has a page for it, `public_url`. Nested records come from the
querysets the viewsets prefetch, which hold only published rows: a serializer never
reaches for a relation on its own (that would be a query per row, and could leak).
"""

from functools import lru_cache
from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tracker.desk.choices import VERDICT_SCALE, AgreementStatus, State, Verdict
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

from .as_of import as_of_field


def absolute(request, path: str) -> str:
    if request is None:
        return path
    # A page of claims holds hundreds of links: work out the scheme and host once.
    prefix = getattr(request, "_absolute_prefix", None)
    if prefix is None:
        prefix = request._absolute_prefix = request.build_absolute_uri("/").removesuffix("/")
    return prefix + path if path.startswith("/") else request.build_absolute_uri(path)


# Digits, so it fits every identifier pattern (slugs, party codes, correction ids).
_PLACEHOLDER = "9876543210123"


@lru_cache(maxsize=64)
def _address_parts(view_name: str) -> tuple[str, str]:
    return tuple(reverse(view_name, args=[_PLACEHOLDER]).split(_PLACEHOLDER, 1))


def address(view_name: str, key: str) -> str:
    """reverse(view_name, args=[key]) for a slug or a code, without resolving the URL
    patterns again for every link (slugs and codes need no quoting)."""
    before, after = _address_parts(view_name)
    return f"{before}{key}{after}"


# The public page of each record, as its get_absolute_url() gives it.
PUBLIC_PAGES = {
    Party: ("public:party", "code"),
    Person: ("public:person", "slug"),
    Source: ("public:source", "slug"),
    Claim: ("public:claim", "slug"),
    Agreement: ("public:agreement", "slug"),
    Meeting: ("public:meeting", "slug"),
}


@extend_schema_field(OpenApiTypes.URI)
class PublicURLField(serializers.Field):
    """The absolute link to the record's public page."""

    def __init__(self, **kwargs):
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, obj) -> str:
        page = PUBLIC_PAGES.get(type(obj))
        path = address(page[0], getattr(obj, page[1])) if page else obj.get_absolute_url()
        return absolute(self.context.get("request"), path)


@extend_schema_field(OpenApiTypes.URI)
class APIURLField(serializers.Field):
    """The absolute link to the record in this API (without the request's ?format=)."""

    def __init__(self, view_name: str, lookup_field: str = "slug", **kwargs):
        self.view_name, self.lookup_field = f"api:{view_name}-detail", lookup_field
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, obj) -> str:
        return absolute(self.context.get("request"), address(self.view_name, getattr(obj, self.lookup_field)))


def api_url(view_name: str, lookup_field: str = "slug") -> APIURLField:
    return APIURLField(view_name, lookup_field)


# References: how one record points at another.


class PartyRefSerializer(serializers.ModelSerializer):
    url = api_url("party", "code")

    class Meta:
        model = Party
        fields = ["code", "name", "url"]


class TopicRefSerializer(serializers.ModelSerializer):
    url = api_url("topic")

    class Meta:
        model = Topic
        fields = ["slug", "name", "url"]


class PersonRefSerializer(serializers.ModelSerializer):
    url = api_url("person")

    class Meta:
        model = Person
        fields = ["slug", "name", "url"]


class SourceRefSerializer(serializers.ModelSerializer):
    url = api_url("source")
    public_url = PublicURLField()

    class Meta:
        model = Source
        fields = ["slug", "title", "url", "public_url"]


class AgreementRefSerializer(serializers.ModelSerializer):
    url = api_url("agreement")

    class Meta:
        model = Agreement
        fields = ["slug", "title", "url"]


class MeetingRefSerializer(serializers.ModelSerializer):
    url = api_url("meeting")

    class Meta:
        model = Meeting
        fields = ["slug", "title", "url"]


class PublishedOnlyMixin:
    """A to-one reference that reads null when its target is not (or no longer) published."""

    def to_representation(self, instance):
        if instance is None or instance.state != State.PUBLISHED:
            return None
        return super().to_representation(instance)


class PublishedSourceRefSerializer(PublishedOnlyMixin, SourceRefSerializer):
    pass


class PublishedPersonRefSerializer(PublishedOnlyMixin, PersonRefSerializer):
    pass


class CorrectionNoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Correction
        fields = ["id", "kind", "note", "created_at"]


# Reference data.


class PartySerializer(serializers.ModelSerializer):
    url = api_url("party", "code")
    public_url = PublicURLField()

    class Meta:
        model = Party
        fields = ["code", "name", "kind", "url", "public_url"]


class TopicSerializer(serializers.ModelSerializer):
    url = api_url("topic")

    class Meta:
        model = Topic
        fields = ["slug", "name", "url"]


# People.


class RoleSerializer(serializers.ModelSerializer):
    party = PartyRefSerializer(allow_null=True)

    class Meta:
        model = Role
        fields = ["title", "party", "start_date", "end_date"]


class PersonSerializer(serializers.ModelSerializer):
    url = api_url("person")
    public_url = PublicURLField()
    party = PartyRefSerializer(allow_null=True)
    roles = RoleSerializer(many=True)

    class Meta:
        model = Person
        fields = ["slug", "name", "url", "public_url", "party", "summary", "roles", "first_published_at", "updated_at"]


# Sources.


class SourceSerializer(serializers.ModelSerializer):
    url = api_url("source")
    public_url = PublicURLField()
    original_url = serializers.URLField(source="url", allow_null=True, help_text="Where the document was published.")

    class Meta:
        model = Source
        fields = [
            "slug",
            "title",
            "url",
            "public_url",
            "publisher",
            "kind",
            "reliability",
            "original_url",
            "published_on",
            "published_precision",
            "retrieved_on",
            "language",
            "text",
            "text_sha256",
            "first_published_at",
            "updated_at",
        ]


# Claims and their evidence.


class QuoteSerializer(serializers.Serializer):
    """Where a quoted passage sits in its source's archived text (W3C text quote + position)."""

    exact = serializers.CharField(source="quote")
    start = serializers.IntegerField(help_text="Offset of the first character in the source's `text`.")
    end = serializers.IntegerField(help_text="Offset just past the last character.")
    prefix = serializers.CharField(help_text="Text just before the quote.")
    suffix = serializers.CharField(help_text="Text just after the quote.")
    passage_url = serializers.SerializerMethodField(help_text="The passage on the source's public page.")

    def get_passage_url(self, obj) -> str:
        return absolute(self.context.get("request"), address("public:source", obj.source.slug) + obj.fragment)


class EvidenceSerializer(serializers.ModelSerializer):
    source = SourceRefSerializer()
    quote = QuoteSerializer(source="*")

    class Meta:
        model = Evidence
        fields = ["id", "stance", "source", "quote", "note"]


class VerdictSerializer(serializers.Serializer):
    value = serializers.ChoiceField(source="verdict", choices=Verdict.choices)
    label = serializers.CharField(source="get_verdict_display")
    rating = serializers.SerializerMethodField(
        help_text="ClaimReview rating, 1 (worst) to 5 (best), for the verdicts that say how true a claim is; "
        "null for unsupported and not rated (neither is a degree of truth)."
    )
    rationale = serializers.CharField()
    published_at = serializers.DateTimeField(source="verdict_published_at", allow_null=True)

    def get_rating(self, obj) -> int | None:
        return VERDICT_SCALE[obj.verdict]["rating"]


class ClaimQuoteSerializer(QuoteSerializer):
    """The claim's own quote: words of its source, so withheld (null) while that source
    is not published (DESIGN.md rule 1)."""

    def to_representation(self, instance):
        if instance.source.state != State.PUBLISHED:
            return None
        return super().to_representation(instance)


class ClaimSerializer(serializers.ModelSerializer):
    url = api_url("claim")
    public_url = PublicURLField()
    claimant_person = PublishedPersonRefSerializer(allow_null=True)
    source = PublishedSourceRefSerializer(allow_null=True, help_text="Where the claim appears; null if withdrawn.")
    quote = ClaimQuoteSerializer(
        source="*",
        allow_null=True,
        help_text="Where the claim appears in its source; null while that source is not published.",
    )
    verdict = VerdictSerializer(source="*")
    evidence = EvidenceSerializer(many=True, source="published_evidence")
    agreements = AgreementRefSerializer(many=True)
    meetings = MeetingRefSerializer(many=True)
    people = PersonRefSerializer(many=True)
    parties = PartyRefSerializer(many=True)
    topics = TopicRefSerializer(many=True)
    corrections = CorrectionNoteSerializer(many=True)

    class Meta:
        model = Claim
        fields = [
            "slug",
            "url",
            "public_url",
            "statement",
            "claimant",
            "claimant_person",
            "claimed_on",
            "source",
            "quote",
            "verdict",
            "evidence",
            "agreements",
            "meetings",
            "people",
            "parties",
            "topics",
            "corrections",
            "first_published_at",
            "updated_at",
        ]


class ClaimAsOfSerializer(ClaimSerializer):
    # The claim's detail, now or (`as_of`) as readers saw it then: the links and
    # corrections are read from `shown` (tracker/api/as_of.py), so that an earlier
    # version lists those of its own time. (A comment: a docstring would be in the schema.)
    as_of = as_of_field()
    agreements = AgreementRefSerializer(many=True, source="shown.agreements")
    meetings = MeetingRefSerializer(many=True, source="shown.meetings")
    people = PersonRefSerializer(many=True, source="shown.people")
    parties = PartyRefSerializer(many=True, source="shown.parties")
    topics = TopicRefSerializer(many=True, source="shown.topics")
    corrections = CorrectionNoteSerializer(many=True, source="shown.corrections")

    class Meta(ClaimSerializer.Meta):
        fields = [*ClaimSerializer.Meta.fields, "as_of"]


# Agreements.


class StatusChangeSerializer(serializers.ModelSerializer):
    source = PublishedSourceRefSerializer(allow_null=True, help_text="The source that backs this step.")

    class Meta:
        model = AgreementStatusChange
        fields = ["status", "date", "date_precision", "source", "note"]


class CurrentStatusField(serializers.ChoiceField):
    """An agreement's latest status, or null while no step backed by a source is
    recorded (the record then gives no status; the database stores "")."""

    def to_representation(self, value):
        return value or None


class AgreementSerializer(serializers.ModelSerializer):
    url = api_url("agreement")
    public_url = PublicURLField()
    current_status = CurrentStatusField(
        choices=AgreementStatus.choices,
        allow_null=True,
        read_only=True,
        help_text="The status of the latest dated step; null while no step backed by a source is recorded.",
    )
    parties = PartyRefSerializer(many=True)
    topics = TopicRefSerializer(many=True)
    status_history = StatusChangeSerializer(many=True)
    corrections = CorrectionNoteSerializer(many=True)

    class Meta:
        model = Agreement
        fields = [
            "slug",
            "url",
            "public_url",
            "title",
            "kind",
            "binding",
            "summary",
            "current_status",
            "status_since",
            "status_history",
            "parties",
            "topics",
            "corrections",
            "first_published_at",
            "updated_at",
        ]


# Meetings.


class ParticipantSerializer(serializers.ModelSerializer):
    person = PersonRefSerializer()
    role = serializers.CharField(source="role.title", allow_null=True, default=None)
    role_party = PartyRefSerializer(source="role.party", allow_null=True, default=None)

    class Meta:
        model = Participation
        fields = ["person", "role", "role_party"]


class MeetingSerializer(serializers.ModelSerializer):
    url = api_url("meeting")
    public_url = PublicURLField()
    host = PartyRefSerializer(allow_null=True)
    counterparts = PartyRefSerializer(many=True)
    participants = ParticipantSerializer(many=True, source="published_participants")
    outcome_agreements = AgreementRefSerializer(many=True)
    topics = TopicRefSerializer(many=True)
    sources = SourceRefSerializer(many=True)
    corrections = CorrectionNoteSerializer(many=True)

    class Meta:
        model = Meeting
        fields = [
            "slug",
            "url",
            "public_url",
            "title",
            "start_date",
            "end_date",
            "place",
            "host",
            "occasion",
            "format",
            "counterparts",
            "participants",
            "outcome_agreements",
            "outcomes",
            "significance",
            "topics",
            "sources",
            "corrections",
            "first_published_at",
            "updated_at",
        ]


# Corrections.


class CorrectedRecordSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["claim", "agreement", "meeting", "source"])
    slug = serializers.SlugField()
    state = serializers.ChoiceField(
        choices=[State.PUBLISHED.value, State.RETRACTED.value], help_text="A retracted record has no page any more."
    )
    url = serializers.URLField(allow_null=True)
    public_url = serializers.URLField(allow_null=True)


class CorrectionSerializer(serializers.ModelSerializer):
    url = api_url("correction", "id")
    record = serializers.SerializerMethodField()

    class Meta:
        model = Correction
        fields = ["id", "url", "kind", "note", "created_at", "record"]

    @extend_schema_field(CorrectedRecordSerializer)
    def get_record(self, obj: Correction) -> dict[str, Any]:
        record = obj.record
        kind = type(record).__name__.lower()
        request = self.context.get("request")
        public = record.state == State.PUBLISHED
        return {
            "type": kind,
            "slug": record.slug,
            "state": record.state,
            "url": absolute(request, reverse(f"api:{kind}-detail", args=[record.slug])) if public else None,
            "public_url": absolute(request, record.get_absolute_url()) if public else None,
        }


class AgreementAsOfSerializer(AgreementSerializer):
    as_of = as_of_field()

    class Meta(AgreementSerializer.Meta):
        fields = [*AgreementSerializer.Meta.fields, "as_of"]
