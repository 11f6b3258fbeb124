"""The newsroom's own records: who a claim or source is assigned to, the staff's
internal comments on it, their notifications and mail preference, and who has its
change page open.

None of these is editorial: no public page, API answer, feed, event or export reads
them (DESIGN.md rule 10), and changing them moves no record version. Each hangs on a
claim or on a source (`claim` or `source`, exactly one).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

ONE_RECORD = Q(claim__isnull=False, source__isnull=True) | Q(claim__isnull=True, source__isnull=False)


class OnRecord(models.Model):
    """A row about one claim or one source."""

    claim = models.ForeignKey("desk.Claim", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey("desk.Source", null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=ONE_RECORD,
                name="%(class)s_on_one_record",
                violation_error_message="A newsroom row is about one claim or one source.",
            )
        ]

    @property
    def record(self):
        return self.claim if self.claim_id is not None else self.source


class Assignment(OnRecord):
    """Who is to take a record forward now (one per record)."""

    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            *OnRecord.Meta.constraints,
            models.UniqueConstraint(
                fields=["claim"],
                condition=Q(claim__isnull=False),
                name="assignment_one_per_claim",
                violation_error_message="This claim already has an assignee.",
            ),
            models.UniqueConstraint(
                fields=["source"],
                condition=Q(source__isnull=False),
                name="assignment_one_per_source",
                violation_error_message="This source already has an assignee.",
            ),
        ]
        indexes = [models.Index(fields=["assignee", "-assigned_at"], name="assignment_by_assignee")]

    def __str__(self) -> str:
        return f"{self.record} → {self.assignee}"


class Comment(OnRecord):
    """An internal note in a record's thread, on the whole record, one of its fields or
    one of its evidence rows. Open until someone resolves it."""

    evidence = models.ForeignKey("desk.Evidence", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    field = models.CharField(max_length=40, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="desk_comments")
    body = models.TextField(max_length=4000)
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [*OnRecord.Meta.constraints]
        indexes = [
            models.Index(fields=["claim", "created_at"], name="comment_thread_claim"),
            models.Index(fields=["source", "created_at"], name="comment_thread_source"),
        ]

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:60]}"


class Kind(models.TextChoices):
    ASSIGNED = "assigned", "Assigned to you"
    MENTIONED = "mentioned", "Mentioned you"
    SENT_BACK = "sent_back", "Sent back to you"
    REVIEW = "review", "Waiting for your review"
    QUOTE_FLAGGED = "quote_flagged", "A quote of yours was flagged or orphaned"
    WITHDRAWN = "withdrawn", "A claim of yours was withdrawn by a source edit"


class Notification(OnRecord):
    """Something one person on the desk should know. Mailed at once or in the day's
    digest (MailPreference); read in the desk's inbox."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [*OnRecord.Meta.constraints]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["mailed_at", "created_at"], name="notification_to_mail"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.text}"


class MailMode(models.TextChoices):
    IMMEDIATE = "immediate", "Mail me each one at once"
    DAILY = "daily", "Mail me one digest a day"


class MailPreference(models.Model):
    """How a person wants their notifications mailed (immediately when no row)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_preference")
    mode = models.CharField(max_length=10, choices=MailMode.choices, default=MailMode.IMMEDIATE)

    def __str__(self) -> str:
        return f"{self.user}: {self.get_mode_display()}"


class Presence(OnRecord):
    """Someone has the record's change page open: since when, last seen when (a
    heartbeat written on opening and saving; stale after PRESENCE_MINUTES)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            *OnRecord.Meta.constraints,
            models.UniqueConstraint(
                fields=["user", "claim"],
                condition=Q(claim__isnull=False),
                name="presence_one_per_claim",
                violation_error_message="This person already has this claim open.",
            ),
            models.UniqueConstraint(
                fields=["user", "source"],
                condition=Q(source__isnull=False),
                name="presence_one_per_source",
                violation_error_message="This person already has this source open.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.record}"
