"""What deliveries and alerts need from the event log (tracker.events), in one place."""

from __future__ import annotations

import datetime as dt
from fnmatch import fnmatchcase

from tracker.events.models import Event, EventKind, RecordType
from tracker.events.reading import for_the_public

from . import alerts_urls


def event_type(event: Event) -> str:
    """The webhook `type`: record type and kind, as in `claim.corrected`."""
    return f"{event.record_type}.{event.kind}"


# What an editor may choose for an endpoint: a whole record type or one kind of change.
TYPE_CHOICES = [(f"{value}.*", f"{label}: every change") for value, label in RecordType.choices] + [
    (f"*.{value}", f"Any record: {label.lower()}") for value, label in EventKind.choices
]


def wanted(patterns: list[str], kind: str) -> bool:
    return not patterns or any(fnmatchcase(kind, pattern) for pattern in patterns)


def occurred_at(event: Event) -> dt.datetime:
    return event.at


def record_of(event: Event) -> tuple[str, str]:
    return event.record_type, event.record_slug


def subjects_of(event: Event) -> list[tuple[str, int]]:
    return list(event.subjects.values_list("record_type", "record_id"))


def public_url(event: Event) -> str | None:
    return alerts_urls.record_url(event.record_type, event.record_slug)


def event_data(event: Event) -> dict:
    """The webhook's `data`: the event exactly as the change feed (/api/v1/events/)
    lists it, plus the record's public page."""
    from tracker.api.changes import EventSerializer

    return {**EventSerializer(event).data, "public_url": public_url(event)}


def new_events(after: int, limit: int) -> list[Event]:
    return list(Event.objects.filter(pk__gt=after).order_by("pk")[:limit])


def as_shown_now(events: list[Event]) -> list[Event]:
    """The events as the public may see them now: a record that has since left the
    public record (withdrawn, retracted) keeps its type, address, kind of change and
    notes, but no title or values (tracker.events.reading; DESIGN.md rule 1). Webhook
    bodies and mails are made from these, at the moment they are sent."""
    return for_the_public(events)


def events_by_id(ids: list[int]) -> dict[int, Event]:
    return {event.pk: event for event in as_shown_now(list(Event.objects.filter(pk__in=ids)))}


def describe(event: Event) -> dict:
    """An event as an alert mail lists it."""
    return {
        "title": event.title or f"A {event.get_record_type_display().lower()} no longer published",
        "what": event.summary,
        "note": event.note,
        "at": event.at,
        "url": public_url(event) if getattr(event, "is_public", True) else None,
        "record_type": event.get_record_type_display(),
        "retracted": event.kind in (EventKind.RETRACTED, EventKind.WITHDRAWN, EventKind.REMOVED),
    }
