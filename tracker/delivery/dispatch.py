"""From the event log to deliveries and alerts.

The dispatcher reads the events after its cursor, in id order, and for each one makes
a delivery per endpoint that wants it and notes it for every subscription it
concerns, then moves the cursor, all in one transaction: an event is handed on once,
even with several workers (the cursor row is locked) or after a crash (the work is
redone). It runs as soon as a transaction that wrote events commits, and every
minute besides.
"""

import datetime as dt

from django.db import IntegrityError, connection, transaction
from django.db.models.signals import post_save
from django.utils import timezone

from . import alerts, events, webhooks
from .models import Cursor, Delivery, Frequency, PendingAlert

BATCH = 200
CURSOR = "dispatch"


def dispatch(now: dt.datetime | None = None) -> int:
    """Hand on every new event; returns how many."""
    from .tasks import send_alerts

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
                return total
            for event in batch:
                for delivery in webhooks.deliveries_for(event, now):
                    webhooks.schedule(delivery)
                for subscription_id in alerts.queue_alerts(event):
                    transaction.on_commit(lambda pk=subscription_id: send_alerts.enqueue(pk))
            cursor.position = batch[-1].pk
            cursor.save(update_fields=["position"])
        total += len(batch)


def requeue_stalled(now: dt.datetime | None = None) -> int:
    """Work that should have happened minutes ago but did not (a worker died holding a
    delivery; the mail server refused an alert): queue it again. A second job for the
    same delivery or subscription does nothing."""
    from .tasks import send_alerts

    now = now or timezone.now()
    late = now - dt.timedelta(minutes=2)
    stalled = list(Delivery.objects.filter(status__in=webhooks.OPEN, next_attempt_at__lt=late))
    for delivery in stalled:
        webhooks.schedule(delivery)
    unsent = set(
        PendingAlert.objects.filter(
            subscription__frequency=Frequency.IMMEDIATE, subscription__confirmed_at__isnull=False, created_at__lt=late
        ).values_list("subscription_id", flat=True)
    )
    for subscription_id in unsent:
        transaction.on_commit(lambda pk=subscription_id: send_alerts.enqueue(pk))
    return len(stalled) + len(unsent)


def _enqueue_dispatch() -> None:
    from .tasks import dispatch_events

    dispatch_events.enqueue()


def _dispatch_after_commit(sender, instance, created, **kwargs) -> None:
    """Start the dispatcher once the transaction that wrote an event commits (once per
    transaction, however many events it wrote; a rollback drops it with the events)."""
    if created and not any(func is _enqueue_dispatch for _, func, _ in connection.run_on_commit):
        transaction.on_commit(_enqueue_dispatch)


def connect_signals() -> None:
    from tracker.events.models import Event

    post_save.connect(_dispatch_after_commit, sender=Event, dispatch_uid="delivery-dispatch-after-commit")
