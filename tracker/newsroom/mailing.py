"""Staff notifications by mail, through the delivery outbox (tracker/delivery/mail.py):
one mail per notification for those who want them at once, one digest a day for the
others. Each is queued under a key, so a job run twice sends one mail."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tracker.delivery import mail
from tracker.delivery.models import MailKind

from .models import MailMode, MailPreference, Notification


def link(notification: Notification) -> str:
    kind = "claim" if notification.claim_id is not None else "source"
    pk = notification.claim_id or notification.source_id
    return settings.SITE_URL.rstrip("/") + reverse(f"admin:desk_{kind}_change", args=[pk])


def _footer() -> str:
    inbox = settings.SITE_URL.rstrip("/") + reverse("admin:newsroom_inbox")
    return f"\n\nYour inbox on the desk: {inbox}\n(Choose immediate mail or a daily digest there.)\n"


def mail_one(notification_id: int) -> bool:
    """Queue the mail of one notification, once. False when there is nothing to send."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id, mailed_at__isnull=True)
            .first()
        )
        if notification is None or not notification.recipient.email:
            return False
        mail.queue(
            key=f"staff-notice:{notification.pk}",
            kind=MailKind.NOTICE,
            recipients=[notification.recipient.email],
            subject=f"[Policy desk] {notification.get_kind_display()}",
            body=f"{notification.text}\n\n{link(notification)}{_footer()}",
        )
        notification.mailed_at = timezone.now()
        notification.save(update_fields=["mailed_at"])
    return True


def send_digests(now: dt.datetime | None = None) -> int:
    """One mail per person on the daily digest with notifications not yet mailed."""
    now = now or timezone.now()
    daily = MailPreference.objects.filter(mode=MailMode.DAILY).values("user")
    people = get_user_model().objects.filter(pk__in=daily, is_active=True).exclude(email="")
    sent = 0
    for person in people:
        with transaction.atomic():
            waiting = list(
                Notification.objects.select_for_update()
                .filter(recipient=person, mailed_at__isnull=True, created_at__lte=now)
                .order_by("created_at", "pk")[:200]
            )
            if not waiting:
                continue
            lines = [f"- {item.get_kind_display()}: {item.text}\n  {link(item)}" for item in waiting]
            mail.queue(
                key=f"staff-digest:{person.pk}:{waiting[-1].pk}",
                kind=MailKind.NOTICE,
                recipients=[person.email],
                subject=f"[Policy desk] {len(waiting)} notification{'s' if len(waiting) != 1 else ''} today",
                body="What happened on the desk for you since the last digest:\n\n" + "\n".join(lines) + _footer(),
            )
            Notification.objects.filter(pk__in=[item.pk for item in waiting]).update(mailed_at=now)
            sent += 1
    return sent
