"""Keeping a partner's mirror exact: tombstones and the bulk export.

A mirror starts from the export (everything published, with the time to sync from),
then polls each list with `updated_since` for new and changed records, and the
tombstone feed for records that left the public record: retracted, or withdrawn
(sent back to review, for instance when a source edit broke one of its quotes).
A tombstone says only what was public already: the type and slug, the state, when,
and for a retraction its public correction note. Records that were never published
appear nowhere, not even here.
"""

import datetime as dt
import json
from collections.abc import Iterator

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, transaction
from django.db.models import OuterRef, Q, Subquery
from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from tracker.caching import tags
from tracker.desk.choices import CorrectionKind, State
from tracker.desk.models import Agreement, Claim, Correction, Meeting, Person, Source
from tracker.filters import parse_date_time

from . import views
from .errors import InvalidFilter
from .pagination import (
    CURSOR_DESCRIPTION,
    CURSOR_PARAM,
    CURSOR_SCHEMA,
    encode_cursor,
    is_text,
    page_size,
    read_cursor,
    unknown_cursor,
)
from .renderers import NDJSONRenderer
from .throttles import APIRateThrottle, ExportRateThrottle

# Sorted by type name: the feed's order is (at, type, slug).
TOMBSTONE_MODELS = {"agreement": Agreement, "claim": Claim, "meeting": Meeting, "person": Person, "source": Source}
# How long before the export's snapshot a partner should sync from, to cover saves
# that were in flight while the export ran. Records are keyed by slug, so the overlap
# only re-sends a few records.
SYNC_OVERLAP = dt.timedelta(minutes=5)


class TombstoneSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=list(TOMBSTONE_MODELS))
    slug = serializers.SlugField()
    state = serializers.ChoiceField(
        choices=["retracted", "withdrawn"],
        help_text="retracted: taken down for good, with a public note. withdrawn: back under review; "
        "it may be published again, and then reappears in its list with a new updated_at.",
    )
    at = serializers.DateTimeField(help_text="When the record last changed after leaving the public record.")
    note = serializers.CharField(allow_null=True, help_text="The public retraction note; null when withdrawn.")


class TombstonePageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    results = TombstoneSerializer(many=True)


class StrictDateTimeField(serializers.DateTimeField):
    """The lists' date-time filter (tracker.filters.parse_date_time) as a query parameter."""

    def to_internal_value(self, value) -> dt.datetime:
        try:
            return parse_date_time(str(value))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None


@extend_schema_field(CURSOR_SCHEMA)
class CursorField(serializers.CharField):
    pass


class TombstoneQuerySerializer(serializers.Serializer):
    updated_since = StrictDateTimeField(
        required=False, help_text="Only records that left the public record at or after this time (ISO 8601)."
    )
    # Checked by _decode_position alone, so that every malformed cursor is an invalid_cursor.
    cursor = CursorField(required=False, trim_whitespace=False, help_text=CURSOR_DESCRIPTION)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=200)


def _query(request: Request) -> dict:
    query = TombstoneQuerySerializer(data=request.query_params)
    if not query.is_valid():
        fields = {name: [str(m) for m in messages] for name, messages in query.errors.items()}
        raise InvalidFilter("Invalid filter: " + "; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items()), fields)
    return query.validated_data


def _decode_position(cursor: str) -> tuple[dt.datetime, str, str]:
    ordering, values = read_cursor(cursor)
    invalid = unknown_cursor()
    if ordering != "at" or len(values) != 3:
        raise invalid
    at, kind, slug = values
    if not (is_text(at) and is_text(slug) and isinstance(kind, str) and kind in TOMBSTONE_MODELS):
        raise invalid
    try:
        at = dt.datetime.fromisoformat(at)
        if timezone.is_naive(at):
            raise ValueError("naive")
        at = at.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        raise invalid from None
    return at, kind, slug


def tombstones(since: dt.datetime | None, after: tuple | None, limit: int) -> list[dict]:
    """Up to `limit` tombstones in (at, type, slug) order: one query per record type."""
    found = []
    for kind, model in TOMBSTONE_MODELS.items():
        rows = model.objects.exclude(first_published_at=None).exclude(state=State.PUBLISHED)
        if since is not None:
            rows = rows.filter(updated_at__gte=since)
        if after is not None:
            at, after_kind, slug = after
            if kind > after_kind:
                rows = rows.filter(updated_at__gte=at)
            elif kind == after_kind:
                rows = rows.filter(Q(updated_at__gt=at) | Q(updated_at=at, slug__gt=slug))
            else:
                rows = rows.filter(updated_at__gt=at)
        fields = ["slug", "state", "updated_at"]
        if kind != "person":  # people carry no corrections
            retraction = Correction.objects.filter(**{kind: OuterRef("pk")}, kind=CorrectionKind.RETRACTION)
            rows = rows.annotate(note=Subquery(retraction.order_by("-created_at").values("note")[:1]))
            fields.append("note")
        for row in rows.order_by("updated_at", "slug").values(*fields)[:limit]:
            retracted = row["state"] == State.RETRACTED
            found.append(
                {
                    "type": kind,
                    "slug": row["slug"],
                    "state": "retracted" if retracted else "withdrawn",
                    "at": row["updated_at"],
                    "note": row.get("note") if retracted else None,
                }
            )
    found.sort(key=lambda item: (item["at"], item["type"], item["slug"]))
    return found[:limit]


class TombstoneView(views.CachedAnswersMixin, views.APIMixin, generics.GenericAPIView):
    """Records that were published and no longer are, oldest first.

    Poll it with the same `updated_since` as the lists: delete each tombstone's
    record (by type and slug) from your mirror, and drop references to it.
    """

    serializer_class = TombstoneSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(parameters=[TombstoneQuerySerializer], responses=TombstonePageSerializer, operation_id="tombstones")
    def get(self, request: Request) -> Response:
        return self.cached(lambda: self.page(request))

    def declare_keys(self) -> None:
        tags.depends_on(tags.EVERYTHING, "tombstones")  # any public change, and edits of what left it

    def page(self, request: Request) -> Response:
        query = _query(request)
        limit = page_size(request)
        after = _decode_position(query["cursor"]) if query.get("cursor") else None
        rows = tombstones(query.get("updated_since"), after, limit + 1)
        next_url = None
        if len(rows) > limit:
            rows = rows[:limit]
            last = rows[-1]
            params = request.query_params.copy()
            params[CURSOR_PARAM] = encode_cursor("at", [last["at"], last["type"], last["slug"]])
            next_url = request.build_absolute_uri(request.path + "?" + params.urlencode())
        headers = {"Link": f'<{next_url}>; rel="next"'} if next_url else None
        data = {"next": next_url, "results": TombstoneSerializer(rows, many=True).data}
        return Response(data, headers=headers)


# The bulk export.

EXPORT_ORDER = [
    ("party", views.PartyViewSet),
    ("topic", views.TopicViewSet),
    ("person", views.PersonViewSet),
    ("source", views.SourceViewSet),
    ("agreement", views.AgreementViewSet),
    ("meeting", views.MeetingViewSet),
    ("claim", views.ClaimViewSet),
    ("correction", views.CorrectionViewSet),
]
EXPORT_CHUNK = 200


def _line(item: dict) -> bytes:
    return (json.dumps(item, ensure_ascii=False, separators=(",", ":"), default=str) + "\n").encode()


def export_lines(request: Request) -> Iterator[bytes]:
    """Every published record as JSON Lines, read in one transaction (one snapshot)."""
    snapshot_at = timezone.now()
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        # PostgreSQL: every query below sees the same snapshot. (SQLite's read
        # transaction already does.) Not possible inside an enclosing transaction.
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield _line(
            {
                "type": "snapshot",
                "snapshot_at": snapshot_at.isoformat(),
                "updated_since": (snapshot_at - SYNC_OVERLAP).isoformat(),
            }
        )
        count = 0
        for kind, viewset in EXPORT_ORDER:
            serializer = viewset.serializer_class(context={"request": request})
            for record in viewset.queryset.order_by("pk").iterator(chunk_size=EXPORT_CHUNK):
                count += 1
                yield _line({"type": kind, "record": serializer.to_representation(record)})
        yield _line({"type": "end", "records": count})


# JSON Lines has no schema of its own in OpenAPI 3.0 (3.2 adds itemSchema): a stream of
# bytes, its lines described in words. A generated client reads it as bytes once told
# to (README, "Reading the export as a stream").
EXPORT_BODY = {"type": "string", "format": "binary"}
EXPORT_DESCRIPTION = (
    "JSON Lines, streamed: read it a line at a time (the lines are described above). With "
    "openapi-python-client, read it as bytes: `content_type_overrides: {application/x-ndjson: "
    "application/octet-stream}` in its config."
)


class ExportView(views.APIMixin, generics.GenericAPIView):
    """The whole published record as JSON Lines (`application/x-ndjson`), streamed.

    The first line is `{"type": "snapshot", "snapshot_at": ..., "updated_since": ...}`;
    then one line per record, `{"type": "claim", "record": {...}}` (the record as its
    list endpoint shows it); the last line is `{"type": "end", "records": N}`: a file
    without it was cut short. Afterwards, sync with the lists and the tombstone feed
    using the snapshot line's `updated_since`.
    """

    renderer_classes = [NDJSONRenderer]
    throttle_classes = [APIRateThrottle, ExportRateThrottle]
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        operation_id="export",
        responses={(200, NDJSONRenderer.media_type): OpenApiResponse(EXPORT_BODY, description=EXPORT_DESCRIPTION)},
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        response = StreamingHttpResponse(export_lines(request), content_type="application/x-ndjson; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="policy-desk-export.jsonl"'
        return response
