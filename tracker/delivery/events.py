"""What deliveries and alerts need from the event log (tracker.events), in one place.

Payloads are the event log's own (tracker/events/payload.py): a webhook's body and an
alert's items are what the change feed lists."""

from __future__ import annotations

import datetime as dt
from fnmatch import fnmatchcase

from tracker.events import payload
from tracker.events.models import Event, EventKind, RecordType
from tracker.events.reading import for_the_public

event_type = payload.event_type
webhook_message = payload.webhook_message
describe = payload.mail_item


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
