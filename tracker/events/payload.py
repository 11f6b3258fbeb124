"""An event as partners and readers receive it: written once, here.

The change feed (`/api/v1/events/`, tracker/api/changes.py), each webhook's `data`
(tracker/delivery/webhooks.py) and each item of an alert mail (tracker/delivery/alerts.py)
are made by these functions from an event as `reading.for_the_public` leaves it (a
record that has since left the public record keeps its type, address, kind of change
and notes, but no title or values), so the three cannot tell different stories.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse

from .models import Event, EventKind

# The public page of each type of record (a party's address is its code).
PAGES = {
    "claim": "public:claim",
    "agreement": "public:agreement",
    "meeting": "public:meeting",
    "person": "public:person",
    "party": "public:party",
    "source": "public:source",
    "topic": "public:topic",
}
CHANGE_KEYS = ("field", "old", "new")
GONE = (EventKind.RETRACTED, EventKind.WITHDRAWN, EventKind.REMOVED)


def record_url(record_type: str, slug: str) -> str | None:
    """The absolute address of a record's public page."""
    if record_type in PAGES:
        return settings.SITE_URL + reverse(PAGES[record_type], args=[slug])
    return None


def timestamp(value: dt.datetime) -> str:
    """ISO 8601 in UTC with a Z, as the API writes every date-time."""
    text = value.astimezone(dt.UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def event_type(event: Event) -> str:
    """The webhook `type`: record type and kind, as in `claim.corrected`."""
    return f"{event.record_type}.{event.kind}"


def payload(event: Event) -> dict:
    """The event as the change feed lists it: id, at, type, slug, kind, title (null once
    the record left the public record), changes ([{field, old, new}], values only where
    public) and note (null when there is none)."""
    return {
        "id": event.pk,
        "at": timestamp(event.at),
        "type": event.record_type,
        "slug": event.record_slug,
        "kind": event.kind,
        "title": event.title or None,
        "changes": [{key: change[key] for key in CHANGE_KEYS if key in change} for change in event.changes],
        "note": event.note or None,
    }


def webhook_message(event: Event) -> dict:
    """A Standard Webhooks message: type, timestamp and, as `data`, the event as the
    change feed lists it plus the record's public page."""
    return {
        "type": event_type(event),
        "timestamp": timestamp(event.at),
        "data": {**payload(event), "public_url": record_url(event.record_type, event.record_slug)},
    }


def mail_item(event: Event) -> dict:
    """The event as an alert mail lists it."""
    public = getattr(event, "is_public", True)
    return {
        "title": event.title or f"A {event.get_record_type_display().lower()} no longer published",
        "what": event.summary,
        "note": event.note,
        "at": event.at,
        "url": record_url(event.record_type, event.record_slug) if public else None,
        "record_type": event.get_record_type_display(),
        "retracted": event.kind in GONE,
    }
