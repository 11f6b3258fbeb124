"""Per-record Atom feeds at `<record page>feed/`: the record's own events and those of
the published records about it (a claim about an agreement, a meeting a person took
part in), newest first. A retracted record's feed is gone (410) like its page; a
draft's or an unknown address's is a 404."""

from django.conf import settings
from django.db.models import Model
from django.http import Http404, HttpRequest
from django.urls import reverse

from tracker.caching import tags
from tracker.desk.models import Claim, Party, Topic
from tracker.events.models import Event, RecordType
from tracker.events.reading import MODELS, describe_changes, for_the_public

from .feeds import ITEMS, TAG, SiteFeed
from .records import published_or_gone, under_review

PAGES = {
    RecordType.CLAIM: "public:claim",
    RecordType.SOURCE: "public:source",
    RecordType.AGREEMENT: "public:agreement",
    RecordType.MEETING: "public:meeting",
    RecordType.PERSON: "public:person",
    RecordType.PARTY: "public:party",
    RecordType.TOPIC: "public:topic",
}


# Records whose pages keep their versions (memento.py), each event at #event-N there.
VERSIONED = {RecordType.CLAIM, RecordType.AGREEMENT, RecordType.SOURCE}


def record_type_of(record: Model) -> str:
    return {model: name for name, model in MODELS.items()}[type(record)]


def feed_link(record: Model) -> dict:
    """What a page needs to announce and link its feed."""
    kind = "organisation" if getattr(record, "kind", "") == "organisation" else record._meta.verbose_name
    if isinstance(record, Party) and kind != "organisation":
        kind = "country"
    key = record.code if isinstance(record, Party) else record.slug
    return {
        "url": f"{record.get_absolute_url()}feed/",
        "title": f"Changes to “{record}”",
        "kind": kind,
        # The same changes by email (tracker.delivery.alerts): "<record type>:<slug or code>".
        "alerts": f"{record_type_of(record)}:{key}",
    }


class RecordFeed(SiteFeed):
    def __init__(self, record_type: str):
        super().__init__()
        self.record_type = record_type

    def get_object(self, request: HttpRequest, slug: str = "", code: str = "") -> Model:
        model = MODELS[self.record_type]
        if self.record_type == RecordType.PARTY:
            party = Party.objects.filter(code=code.upper()).first()
            if party is None:
                raise Http404("There is no country or organisation with this code.")
            tags.about(party)
            return party
        if model is Topic:
            topic = Topic.objects.filter(slug=slug).first()
            if topic is None:
                raise Http404("There is no topic at this address.")
            tags.about(topic)
            return topic
        try:
            return published_or_gone(model.objects.all(), slug=slug)
        except Http404:
            notice = under_review(slug) if model is Claim else None
            if notice is None:
                raise
            # Withdrawn to review: followed under the title readers last saw, never its draft's.
            record = notice.record
            record.public_title = notice.title
            return record

    def title(self, record: Model) -> str:
        return f"{settings.SITE_NAME}: changes to “{getattr(record, 'public_title', record)}”"

    def subtitle(self, record: Model) -> str:
        return f"Every public change to this {record._meta.verbose_name} and to the published records about it."

    def link(self, record: Model) -> str:
        return record.get_absolute_url()

    def items(self, record: Model) -> list[Event]:
        owner = (record_type_of(record), record.pk, record.get_absolute_url())
        events = for_the_public(Event.objects.concerning(owner[0], record.pk).order_by("-id")[:ITEMS])
        for event in events:  # the feed object is shared between requests: keep state on the items
            event.owner = owner
        return events

    def item_title(self, event: Event) -> str:
        own = (event.record_type, event.record_id) == event.owner[:2]
        what = event.get_kind_display()
        if not own:
            what = f"{event.get_record_type_display()} {what.lower()}"
        if not event.is_public:
            return f"{what}: a {event.get_record_type_display().lower()} no longer published"
        return f"{what}: {event.title}"

    def item_description(self, event: Event) -> str:
        lines = [event.note] if event.note else []
        lines += describe_changes(event)
        return "\n".join(lines) or event.get_kind_display()

    def item_link(self, event: Event) -> str:
        """The event in its record's list of versions (`#event-N`), where the record
        has one; the record's page otherwise; the feed's own record's page when the
        record is no longer published."""
        if not event.is_public:
            return event.owner[2]
        if event.record_type in VERSIONED:
            return reverse(f"public:{event.record_type}-versions", args=[event.record_slug]) + f"#event-{event.pk}"
        return reverse(PAGES[event.record_type], args=[event.record_slug])

    def item_guid(self, event: Event) -> str:
        return f"{TAG}:event-{event.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, event: Event):
        return event.at

    def item_updateddate(self, event: Event):
        return event.at

    def item_categories(self, event: Event) -> list[str]:
        return [event.kind, event.record_type]
