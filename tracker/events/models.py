"""The public event log (DESIGN.md rule 1 and 9; issue 12).

An event is written only by `tracker.events.log.log_change`, called by the services
inside the transaction that makes the change. Everything in it was public when it was
written: the record was published after the change (or left the public record by it),
and old values are shown only where the record was public before too.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tracker.desk.choices import State


class RecordType(models.TextChoices):
    CLAIM = "claim", "Claim"
    SOURCE = "source", "Source"
    AGREEMENT = "agreement", "Agreement"
    MEETING = "meeting", "Meeting"
    PERSON = "person", "Person"
    PARTY = "party", "Party"
    TOPIC = "topic", "Topic"


class EventKind(models.TextChoices):
    PUBLISHED = "published", "Published"
    UPDATED = "updated", "Updated"
    CORRECTED = "corrected", "Corrected"
    VERDICT_CORRECTED = "verdict_corrected", "Verdict corrected"
    STATUS_CHANGED = "status_changed", "Status changed"
    ROLES_CHANGED = "roles_changed", "Roles corrected"
    WITHDRAWN = "withdrawn", "Withdrawn for review"
    REPUBLISHED = "republished", "Republished"
    RETRACTED = "retracted", "Retracted"
    REMOVED = "removed", "Removed"


class EventQuerySet(models.QuerySet):
    def concerning(self, record_type: str, record_id: int):
        """The events of one record and of the records that are about it (a claim about
        an agreement, a meeting a person took part in), for its page's feed."""
        return self.filter(
            Q(record_type=record_type, record_id=record_id)
            | Q(pk__in=EventSubject.objects.filter(record_type=record_type, record_id=record_id).values("event_id"))
        )


class Event(models.Model):
    """One public change. Ids increase in commit order (log.py takes a lock on
    PostgreSQL), so a partner resumes the change feed from the last id it saw."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    record_type = models.CharField(max_length=16, choices=RecordType.choices, db_index=True)
    record_id = models.PositiveBigIntegerField()
    # The record's public address (a party's code) and its title, as they were.
    record_slug = models.CharField(max_length=120)
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=24, choices=EventKind.choices, db_index=True)
    # [{"field": name, "old": value, "new": value}]; old/new only where public.
    changes = models.JSONField(default=list, blank=True)
    note = models.TextField(
        blank=True, help_text="The public note (correction, retraction, or why it was withdrawn for review), if any."
    )
    # What readers could see of the record after the event (for a withdrawal or a
    # retraction: what they saw last), so a republication says what changed since.
    snapshot = models.JSONField(null=True, blank=True)
    # What readers saw of a claim, agreement or source right after the event, as its
    # page renders it (state.py); null when the event took it off the public record.
    # `?as_of=` and the Memento versions read only this (tracker/public/versions.py).
    state = models.JSONField(null=True, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["record_type", "record_id", "id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.record_type} {self.record_slug}: {self.get_kind_display()}"

    @property
    def summary(self) -> str:
        fields = ", ".join(change["field"].replace("_", " ") for change in self.changes)
        return f"{self.get_kind_display()}" + (f" ({fields})" if fields else "")


class EventSubject(models.Model):
    """A public record an event is about besides its own (the agreements, people,
    parties and topics a claim or meeting concerns), so their feeds show it."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="subjects")
    record_type = models.CharField(max_length=16, choices=RecordType.choices)
    record_id = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "record_type", "record_id"],
                name="event_subject_once",
                violation_error_message="This event already names this record.",
            )
        ]
        indexes = [models.Index(fields=["record_type", "record_id"])]

    def __str__(self) -> str:
        return f"{self.record_type} {self.record_id}"


class RecheckQuerySet(models.QuerySet):
    def open(self):
        """Flags not yet marked re-checked, on claims that are still published."""
        return self.filter(rechecked_at=None, claim__state=State.PUBLISHED)


class RecheckFlag(models.Model):
    """A published claim to re-check because a record it cites changed publicly: an
    agreement's status, a person's roles. Written with the event that caused it
    (log.py); cleared by services.claim_mark_rechecked. Nothing is unpublished."""

    claim = models.ForeignKey("desk.Claim", on_delete=models.CASCADE, related_name="recheck_flags")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="recheck_flags")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    rechecked_at = models.DateTimeField(null=True, blank=True)
    rechecked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = RecheckQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "claim to re-check"
        verbose_name_plural = "claims to re-check"
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "event"],
                name="recheck_once_per_event",
                violation_error_message="This claim is already flagged for this change.",
            )
        ]

    def __str__(self) -> str:
        return f"Re-check “{self.claim}”: {self.event.summary} of {self.event.record_type} {self.event.record_slug}"

    @property
    def why(self) -> str:
        """The change that triggered it, in the desk's words."""
        return f"{self.event.get_record_type_display()} “{self.event.title}”: {self.event.summary.lower()}" + (
            f" ({self.event.note})" if self.event.note else ""
        )
