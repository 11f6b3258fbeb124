"""The change feed: every public change, in the order it happened, resumable by id.

A partner keeps the id of the last event it handled and asks for `?after=<id>`; it
gets the events that followed, oldest first, and the `next` address to ask next (the
same one, polled later, when there was nothing new). Event ids increase in commit
order (tracker/events/log.py), so nothing committed later is ever skipped.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from tracker.events.models import Event, EventKind, RecordType
from tracker.events.payload import payload
from tracker.events.reading import for_the_public

from . import views
from .errors import InvalidFilter
from .pagination import MAX_ID, PAGE_SIZE_PARAM, page_size


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The field that changed, e.g. `verdict`, `statement`, `status`.")
    old = serializers.JSONField(
        required=False, help_text="Its public value before; absent for long fields (text, evidence, summary)."
    )
    new = serializers.JSONField(required=False, help_text="Its public value after; absent for long fields.")


class EventSerializer(serializers.ModelSerializer):
    type = serializers.ChoiceField(source="record_type", choices=RecordType.choices)
    slug = serializers.CharField(source="record_slug", help_text="The record's address (a party's code).")
    kind = serializers.ChoiceField(choices=EventKind.choices)
    title = serializers.CharField(
        allow_null=True,
        help_text="The record's title (a claim's statement) as it was then; null once the record has left the "
        "public record (withdrawn, retracted), whose events then keep no values either.",
    )
    changes = ChangeSerializer(many=True)
    note = serializers.CharField(
        allow_null=True, help_text="The public correction or retraction note; null when there is none."
    )

    class Meta:
        model = Event
        fields = ["id", "at", "type", "slug", "kind", "title", "changes", "note"]

    def to_representation(self, instance):
        # The fields above describe it for the schema; the event log writes it, the same
        # for this feed, webhooks and mail (tracker/events/payload.py).
        return payload(instance)


class EventPageSerializer(serializers.Serializer):
    next = serializers.URLField(
        help_text="Where to continue: the events after the last one on this page. When `results` is empty, "
        "poll this same address later."
    )
    last_id = serializers.IntegerField(help_text="The id to resume from (the `after` of `next`).")
    results = EventSerializer(many=True)


class EventQuerySerializer(serializers.Serializer):
    after = serializers.IntegerField(
        required=False, min_value=0, max_value=MAX_ID, help_text="Only events with a greater id (default 0: all)."
    )
    type = serializers.ChoiceField(
        required=False, choices=RecordType.choices, help_text="Only events of records of this type."
    )
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=200)


class EventFeedView(views.APIMixin, generics.GenericAPIView):
    """Every public change since the event id you last saw, oldest first.

    Kinds: `published` (also when a withdrawn record comes back), `updated`, `corrected`
    (with its public note), `verdict_corrected`, `status_changed` (an agreement's status
    step), `roles_changed` (a person's roles corrected), `withdrawn` (back under review:
    remove it until it is published again), `retracted` (with its note), `removed` (a
    party or topic deleted). Drafts never appear.
    """

    serializer_class = EventSerializer
    pagination_class = None
    filter_backends: list = []
    renderer_classes = [JSONRenderer]

    @extend_schema(parameters=[EventQuerySerializer], responses=EventPageSerializer, operation_id="events")
    def get(self, request: Request) -> Response:
        query = EventQuerySerializer(data=request.query_params)
        if not query.is_valid():
            fields = {name: [str(m) for m in messages] for name, messages in query.errors.items()}
            detail = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in fields.items())
            raise InvalidFilter(f"Invalid filter: {detail}", fields)
        after = query.validated_data.get("after", 0)
        limit = page_size(request)
        events = Event.objects.filter(id__gt=after).order_by("id")
        if "type" in query.validated_data:
            events = events.filter(record_type=query.validated_data["type"])
        rows = for_the_public(events[:limit])
        last_id = rows[-1].id if rows else after
        params = request.query_params.copy()
        params["after"] = str(last_id)
        if PAGE_SIZE_PARAM in params and not params[PAGE_SIZE_PARAM]:
            del params[PAGE_SIZE_PARAM]
        next_url = request.build_absolute_uri(request.path + "?" + params.urlencode())
        data = {"next": next_url, "last_id": last_id, "results": [payload(row) for row in rows]}
        headers = {"Link": f'<{next_url}>; rel="next"'} if len(rows) == limit else None
        return Response(data, headers=headers)
