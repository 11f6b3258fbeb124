"""What the background worker keeps: its heartbeat and schedule, partners' webhook
endpoints with every delivery and attempt, and readers' email subscriptions.

State changes live in webhooks.py and alerts.py; these models hold fields,
constraints and querysets.
"""

import secrets
import uuid
from base64 import b64encode

from django.conf import settings
from django.db import models
from django.db.models import Q
from rest_framework_api_key.models import APIKey


class WorkerHeartbeat(models.Model):
    """One row per running worker, touched every WORKER_HEARTBEAT_SECONDS."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True)
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} on {self.hostname} (pid {self.pid})"


class ScheduledJob(models.Model):
    """A recurring job: whichever worker first moves `next_run_at` on runs it."""

    name = models.CharField(max_length=64, primary_key=True)
    next_run_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class Cursor(models.Model):
    """How far a consumer of the event log has read (the id of the last event handled)."""

    name = models.CharField(max_length=64, primary_key=True)
    position = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} at {self.position}"


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + b64encode(secrets.token_bytes(32)).decode()


class Endpoint(models.Model):
    api_key = models.ForeignKey(
        APIKey,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name="partner API key",
        help_text="The partner this endpoint belongs to. Revoking the key stops its deliveries.",
    )
    url = models.URLField(
        "URL", max_length=500, help_text="Where events are POSTed. Must be https (redirects are not followed)."
    )
    description = models.CharField(max_length=200, blank=True)
    event_types = models.JSONField(
        default=list, blank=True, help_text="The event types sent to this endpoint; none chosen means all."
    )
    contact_email = models.EmailField(blank=True, help_text="Told when the endpoint is paused after failures.")
    secret = models.CharField(max_length=100, default=new_secret, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField("active", default=True, help_text="Untick to stop sending to this endpoint.")
    paused_at = models.DateTimeField(null=True, blank=True, editable=False)
    paused_reason = models.CharField(max_length=300, blank=True, editable=False)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    # After a failed attempt, none of its deliveries is tried before this (webhooks.py).
    resting_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["api_key__name", "url"]
        verbose_name = "webhook endpoint"

    def __str__(self) -> str:
        return self.url

    @property
    def receives_events(self) -> bool:
        return self.is_active and self.paused_at is None and not self.api_key.revoked


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "pending"
    RETRYING = "retrying", "failed, will retry"
    SUCCEEDED = "succeeded", "delivered"
    FAILED = "failed", "failed, gave up"
    HELD = "held", "held (endpoint paused)"


class Delivery(models.Model):
    """One event for one endpoint, under one webhook-id for every attempt and replay.
    `payload` is the body last sent (made at each attempt from the event as the public
    may see it then, so a record retracted meanwhile is not repeated)."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    event_type = models.CharField(max_length=64)
    message_id = models.CharField(max_length=64, unique=True, editable=False)
    payload = models.TextField(editable=False)
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveIntegerField("response code", null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # While an attempt is in flight: others keep off it until then (a worker that died
    # mid-attempt gives it back when this passes; it is then sent again, same webhook-id).
    leased_until = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-event_id", "-pk"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event"],
                name="one_delivery_per_event",
                violation_error_message="This endpoint already has a delivery of this event.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_type} #{self.event_id} to {self.endpoint}"

    def save(self, *args, **kwargs):
        if not self.message_id:
            self.message_id = f"msg_{uuid.uuid4().hex}"
        super().save(*args, **kwargs)


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    at = models.DateTimeField()
    status_code = models.PositiveIntegerField("response code", null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"attempt {self.number}"


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", "At once, one email per change"
    DAILY = "daily", "A daily digest"


class SubscriptionQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)


class Subscription(models.Model):
    """A reader's alert: a record (type and slug) or a saved search (a list page's
    path and query). The address lives only as long as the subscription: unsubscribing
    deletes the row, and an unconfirmed one is deleted after ALERTS_CONFIRM_HOURS."""

    email = models.EmailField(max_length=254)
    record_type = models.CharField(max_length=32, blank=True)
    record_slug = models.CharField(max_length=100, blank=True)
    search = models.CharField("saved search", max_length=500, blank=True)
    label = models.CharField(max_length=300, help_text="What the reader follows, as shown in mails.")
    frequency = models.CharField(max_length=16, choices=Frequency.choices, default=Frequency.IMMEDIATE)
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(search="") & ~Q(record_slug="")) | (~Q(search="") & Q(record_slug="")),
                name="subscription_has_one_target",
                violation_error_message="An alert follows either one record or one search, not both or neither.",
            ),
            models.UniqueConstraint(
                fields=["email", "record_type", "record_slug", "search"],
                name="one_subscription_per_target",
                violation_error_message="This address already follows this record or search.",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class PendingAlert(models.Model):
    """An event waiting to be mailed to a subscription (at once, or in the next digest)."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="pending")
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event"],
                name="one_alert_per_event",
                violation_error_message="This alert already went out for this event.",
            )
        ]

    def __str__(self) -> str:
        return f"event {self.event_id}"


class MailKind(models.TextChoices):
    CONFIRMATION = "confirmation", "confirmation of an alert"
    ALERT = "alert", "alert"
    DIGEST = "digest", "daily digest"
    NOTICE = "notice", "notice to staff or partners"


class MailStatus(models.TextChoices):
    PENDING = "pending", "waiting to be sent"
    SENT = "sent", "sent"
    FAILED = "failed", "failed, gave up"
    UNKNOWN = "unknown", "outcome unknown, not sent again"


class OutgoingMail(models.Model):
    """One mail to send, written in the transaction that decided it (the outbox), sent
    by the worker's mail loop (mail.py) exactly once: `key` says what it is for (an
    alert: the subscription and the events it carries), so deciding twice makes one
    row, and the row records that it was sent. Alerts and digests are written from the
    events at the moment of sending, as the public may see them then."""

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=16, choices=MailKind.choices)
    # Alerts, digests, confirmations: unsubscribing deletes what was not sent yet.
    subscription = models.ForeignKey(
        Subscription, null=True, blank=True, on_delete=models.CASCADE, related_name="outgoing"
    )
    events = models.JSONField(default=list, blank=True, help_text="The ids of the events an alert carries.")
    # Notices carry their own recipients and text.
    recipients = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=MailStatus.choices, default=MailStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["next_attempt_at", "pk"]
        verbose_name_plural = "outgoing mail"
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}"
