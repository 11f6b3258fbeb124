"""The outbox: every mail the tracker sends, sent once.

A mail is decided in a transaction (a subscription asked for, alerts composed from the
events a dispatch handed on, an endpoint paused) by writing an `OutgoingMail` row under
a key that says what it is for: the same decision made twice (a job retried after the
database went away) finds the row and writes nothing more. The worker's mail loop
(`send_due`) then sends each row once:

1. it takes the row for one attempt (a lease, committed before anything is sent);
2. composes the message (alerts from the events as the public may see them now) and
   hands it to the mail server;
3. writes down that it was sent, trying again while the database is away
   (retrying.py), so a database restart between 2 and 3 sends nothing twice.

A mail server that refuses gets the mail again later (MAIL_RETRY_BASE_SECONDS, then
twice as long each time, MAIL_MAX_ATTEMPTS in all). Should the worker itself die
between 1 and 3 (killed mid-send), whether the mail left is unknown: the row is then
marked `unknown` and not sent again, so no reader ever gets the same alert twice.
Every message carries a Message-ID made from its key, so even a copy would be one
message to the reader's mail program.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tracker.outage import DATABASE_ERRORS

from .models import MailKind, MailStatus, OutgoingMail, Subscription
from .retrying import until_the_database_answers

logger = logging.getLogger("tracker.delivery")

# How long an attempt in progress keeps others off the mail: longer than any SMTP
# conversation (EMAIL_TIMEOUT per step) and any wait for the database to record it.
LEASE = dt.timedelta(minutes=15)

Composer = Callable[[OutgoingMail], EmailMessage | None]


def queue(
    *,
    key: str,
    kind: str,
    subscription: Subscription | None = None,
    events: list[int] | tuple[int, ...] = (),
    recipients: list[str] | tuple[str, ...] = (),
    subject: str = "",
    body: str = "",
    now: dt.datetime | None = None,
) -> OutgoingMail:
    """Add a mail to the outbox, once per key. Call it inside the transaction that
    decided it."""
    now = now or timezone.now()
    mail, _ = OutgoingMail.objects.get_or_create(
        key=key[:200],
        defaults={
            "kind": kind,
            "subscription": subscription,
            "events": list(events),
            "recipients": list(recipients),
            "subject": subject[:300],
            "body": body,
            "next_attempt_at": now,
            "created_at": now,
        },
    )
    return mail


def message_id(mail: OutgoingMail) -> str:
    """The same Message-ID for every attempt at the same mail."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<{hashlib.sha256(mail.key.encode()).hexdigest()[:32]}@{domain}>"


def backoff(attempt: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(settings.MAIL_RETRY_BASE_SECONDS * 2 ** (attempt - 1), 6 * 3600))


def notice(mail: OutgoingMail) -> EmailMessage:
    """A notice carries its own recipients and text."""
    return EmailMessage(subject=mail.subject, body=mail.body, to=list(mail.recipients))


def _claim(now: dt.datetime) -> OutgoingMail | None:
    """Take the next due mail for one attempt; a mail whose last attempt never finished
    is marked unknown instead (see the module's doc)."""
    with transaction.atomic():
        due = (
            OutgoingMail.objects.select_for_update(skip_locked=True)
            .filter(status=MailStatus.PENDING, next_attempt_at__lte=now)
            .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
            .order_by("next_attempt_at", "pk")
            .first()
        )
        if due is None:
            return None
        if due.leased_until is not None:
            due.status = MailStatus.UNKNOWN
            due.leased_until = None
            due.last_error = "The worker stopped while sending it: not sent again, so as never to send it twice."
            due.save(update_fields=["status", "leased_until", "last_error"])
            logger.warning("mail %s: the worker stopped while sending it; not sent again", due.pk)
            return due
        due.attempts += 1
        due.leased_until = now + LEASE
        due.save(update_fields=["attempts", "leased_until"])
    return due


def _finish(mail: OutgoingMail, **fields) -> None:
    fields["leased_until"] = None
    OutgoingMail.objects.filter(pk=mail.pk).update(**fields)


def _failed(mail: OutgoingMail, exc: BaseException, now: dt.datetime) -> None:
    error = f"{type(exc).__name__}: {exc}"[:300]
    if mail.attempts >= settings.MAIL_MAX_ATTEMPTS:
        fields = {"status": MailStatus.FAILED, "last_error": error}
    else:
        fields = {"next_attempt_at": now + backoff(mail.attempts), "last_error": error}
    until_the_database_answers(lambda: _finish(mail, **fields), what=f"mail {mail.pk} not sent")


def send_due(compose: Composer, now: dt.datetime | None = None) -> bool:
    """Send the next due mail, if any (True when there was one). `compose` makes the
    message of a subscription's mail (alerts.compose); notices compose themselves."""
    now = now or timezone.now()
    mail = _claim(now)
    if mail is None:
        return False
    if mail.status != MailStatus.PENDING:
        return True
    try:
        message = notice(mail) if mail.kind == MailKind.NOTICE else compose(mail)
    except DATABASE_ERRORS:
        # Nothing was sent: give the mail back as it was, for the next attempt.
        until_the_database_answers(lambda: _finish(mail, attempts=mail.attempts - 1), what=f"mail {mail.pk} given back")
        raise
    except Exception as exc:  # a bug in composing it: logged, tried again later like a refusal
        logger.exception("mail %s could not be composed", mail.pk)
        _failed(mail, exc, now)
        return True
    if message is None:  # nothing left to say (every event it carried has gone)
        until_the_database_answers(
            lambda: _finish(mail, status=MailStatus.SENT, last_error="nothing left to send"), what=f"mail {mail.pk}"
        )
        return True
    message.extra_headers["Message-ID"] = message_id(mail)
    try:
        message.send()
    except Exception as exc:  # the mail server refused or is away: later, or never
        _failed(mail, exc, now)
        return True
    until_the_database_answers(
        lambda: _finish(mail, status=MailStatus.SENT, sent_at=timezone.now(), last_error=""),
        what=f"mail {mail.pk} sent",
    )
    return True


def prune_sent(cutoff: dt.datetime) -> int:
    """Sent mail older than `cutoff` is deleted (its row held an address)."""
    deleted, _ = OutgoingMail.objects.filter(status=MailStatus.SENT, sent_at__lt=cutoff).delete()
    return deleted
