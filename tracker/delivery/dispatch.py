"""From the event log to deliveries and alerts: events -> dispatch -> channels.

The dispatcher reads the events after its cursor, in id order, and for each one makes
a delivery per endpoint that wants it (webhooks.py) and notes it for every subscription
it concerns (alerts.py), then composes the "at once" alerts into the outbox (mail.py)
and moves the cursor, all in one transaction: an event is handed on once, even with
several workers (the cursor row is locked) or after a crash (the work is redone). It
enqueues nothing: the worker's webhook and mail loops find what is due in their tables
(tasks.py starts the dispatcher as soon as a transaction that wrote events commits,
and every minute besides).
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import alerts, events, webhooks
from .models import Cursor

BATCH = 200
CURSOR = "dispatch"


def dispatch(now: dt.datetime | None = None) -> int:
    """Hand on every new event; returns how many."""
    now = now or timezone.now()
    total = 0
    while True:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    Cursor.objects.get_or_create(name=CURSOR)
            except IntegrityError:  # another worker made it at the same moment
                pass
            cursor = Cursor.objects.select_for_update().get(name=CURSOR)
            batch = events.new_events(cursor.position, BATCH)
            if not batch:
                break
            for event in batch:
                webhooks.deliveries_for(event, now)
                alerts.queue_alerts(event)
            alerts.compose_immediate(now)
            cursor.position = batch[-1].pk
            cursor.save(update_fields=["position"])
        total += len(batch)
    # Whatever waits for an "at once" mail from before (an upgrade, a crash mid-batch).
    alerts.compose_immediate(now)
    return total
