"""Email alerts for readers: follow a record or a saved search, no account needed.

Double opt-in: subscribing stores the address unconfirmed and mails a signed link;
only a confirmed subscription gets alerts, and an unconfirmed one is deleted after
ALERTS_CONFIRM_HOURS. Every alert carries a signed one-click unsubscribe link (and
the RFC 8058 List-Unsubscribe headers); unsubscribing deletes the row, so the
address is kept only as long as the subscription lives. Mail is sent by the worker,
never in a web request.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import hashlib
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Model, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tracker import filters
from tracker.desk.models import Agreement, Claim, Meeting, Party, Person, Source, Topic

from . import alerts_urls, events
from .models import Frequency, PendingAlert, Subscription

CONFIRM_SALT = "tracker.delivery.alerts.confirm"
UNSUBSCRIBE_SALT = "tracker.delivery.alerts.unsubscribe"


@dataclass(frozen=True)
class RecordKind:
    model: type[Model]
    key: str  # the field in its address


RECORDS = {
    "claim": RecordKind(Claim, "slug"),
    "agreement": RecordKind(Agreement, "slug"),
    "meeting": RecordKind(Meeting, "slug"),
    "person": RecordKind(Person, "slug"),
    "party": RecordKind(Party, "code"),
    "source": RecordKind(Source, "slug"),
    "topic": RecordKind(Topic, "slug"),
}

# Saved searches: a list page and its filters (the same FilterSets the pages use).
SEARCHES = {
    "/claims/": ("claim", filters.ClaimFilter, "Claims"),
    "/agreements/": ("agreement", filters.AgreementFilter, "Agreements"),
    "/meetings/": ("meeting", filters.MeetingFilter, "Meetings"),
    "/sources/": ("source", filters.SourceFilter, "Sources"),
}
NOT_FILTERS = {"sort", "page"}


class NotFollowable(ValueError):
    """Nothing published to follow at this address."""


@dataclass(frozen=True)
class Target:
    record_type: str = ""
    record_slug: str = ""
    search: str = ""
    label: str = ""

    @property
    def url(self) -> str:
        if self.search:
            return settings.SITE_URL + self.search
        return alerts_urls.record_url(self.record_type, self.record_slug) or settings.SITE_URL


def record_target(record_type: str, slug: str) -> Target:
    """A published record a reader may follow, or NotFollowable."""
    kind = RECORDS.get(record_type)
    # A slug's or a party code's shape, checked before any query (PostgreSQL refuses a NUL).
    if kind is None or not re.fullmatch(r"[A-Za-z0-9_-]{1,100}", slug):
        raise NotFollowable("There is no such record to follow.")
    record = kind.model.objects.published().filter(**{kind.key: slug}).first()
    if record is None:
        raise NotFollowable("There is no published record at this address to follow.")
    name = " ".join(str(record).split())
    name = name if len(name) <= 200 else name[:199] + "…"
    label = f"{kind.model._meta.verbose_name.capitalize()} “{name}”"
    return Target(record_type=record_type, record_slug=getattr(record, kind.key), label=label)


def search_target(address: str) -> Target:
    """A saved search: one of the list pages with valid filters, or NotFollowable."""
    parts = urlsplit(address)
    if parts.path not in SEARCHES or parts.scheme or parts.netloc or len(address) > 500:
        raise NotFollowable("Only the claims, agreements, meetings and sources lists can be followed as a search.")
    record_type, filterset_class, title = SEARCHES[parts.path]
    params = sorted((k, v) for k, v in parse_qsl(parts.query) if k not in NOT_FILTERS and v)
    filterset = filterset_class(_as_querydict(params), queryset=RECORDS[record_type].model.objects.none())
    if not filterset.is_valid():
        raise NotFollowable("This search has filters that are not valid.")
    query = urlencode(params)
    shown = ", ".join(f"{k} = {v}" for k, v in params) or "everything"
    return Target(search=parts.path + (f"?{query}" if query else ""), label=f"{title}: {shown}")


def _as_querydict(params):
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    for key, value in params:
        data.appendlist(key, value)
    return data


def target_of(subscription: Subscription) -> Target:
    return Target(subscription.record_type, subscription.record_slug, subscription.search, subscription.label)


# --- Signed links ----------------------------------------------------------------------


def _fingerprint(email: str) -> str:
    return hashlib.sha256(email.lower().encode()).hexdigest()[:16]


def token(subscription: Subscription, salt: str) -> str:
    return signing.dumps({"s": subscription.pk, "e": _fingerprint(subscription.email)}, salt=salt)


def from_token(value: str, salt: str, max_age: dt.timedelta | None = None) -> Subscription | None:
    """The subscription a signed link names, or None (forged, expired, or gone)."""
    try:
        data = signing.loads(value, salt=salt, max_age=max_age)
        subscription = Subscription.objects.filter(pk=int(data["s"])).first()
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if subscription is None or _fingerprint(subscription.email) != data.get("e"):
        return None
    return subscription


def confirm_url(subscription: Subscription) -> str:
    return settings.SITE_URL + reverse("delivery:confirm", args=[token(subscription, CONFIRM_SALT)])


def unsubscribe_url(subscription: Subscription) -> str:
    return settings.SITE_URL + reverse("delivery:unsubscribe", args=[token(subscription, UNSUBSCRIBE_SALT)])


# --- Subscribing -----------------------------------------------------------------------


def subscribe(*, email: str, target: Target, frequency: str, now: dt.datetime | None = None) -> None:
    """Ask for a subscription. The visitor is always told the same thing; the mail says
    what happened (a confirmation link, or that the address already follows this)."""
    from .tasks import send_confirmation

    now = now or timezone.now()
    email = email.strip()
    with transaction.atomic():
        subscription, created = Subscription.objects.select_for_update().get_or_create(
            email=email,
            record_type=target.record_type,
            record_slug=target.record_slug,
            search=target.search,
            defaults={"label": target.label, "frequency": frequency, "created_at": now},
        )
        if not created and subscription.confirmed_at is None:
            subscription.frequency = frequency
            subscription.created_at = now  # a new request restarts the expiry clock
            subscription.save(update_fields=["frequency", "created_at"])
        transaction.on_commit(lambda: send_confirmation.enqueue(subscription.pk))


def confirm(subscription: Subscription, now: dt.datetime | None = None) -> None:
    if subscription.confirmed_at is None:
        subscription.confirmed_at = now or timezone.now()
        subscription.save(update_fields=["confirmed_at"])


def unsubscribe(subscription: Subscription) -> None:
    subscription.delete()  # the address goes with it, and its pending alerts


def expire_unconfirmed(now: dt.datetime | None = None) -> int:
    cutoff = (now or timezone.now()) - dt.timedelta(hours=settings.ALERTS_CONFIRM_HOURS)
    deleted, _ = Subscription.objects.filter(confirmed_at__isnull=True, created_at__lt=cutoff).delete()
    return deleted


# --- Matching events -------------------------------------------------------------------


def matches(subscription: Subscription, event) -> bool:
    record_type, slug = events.record_of(event)
    if not subscription.search:
        return subscription.record_type == record_type and subscription.record_slug == slug
    path, _, query = subscription.search.partition("?")
    search_type, filterset_class, _ = SEARCHES[path]
    if search_type != record_type:
        return False
    model = RECORDS[record_type].model
    # Ever-published records: a retraction is news to someone following the search.
    candidates = model.objects.public_or_retracted().filter(slug=slug)
    filterset = filterset_class(_as_querydict(parse_qsl(query)), queryset=candidates)
    return filterset.is_valid() and filterset.qs.exists()


def _followed_as(event) -> list[tuple[str, str]]:
    """The records whose followers hear of this event: its own, and those it is about
    (a claim about an agreement reaches the agreement's followers)."""
    keys = [events.record_of(event)]
    by_type: dict[str, list[int]] = {}
    for record_type, record_id in events.subjects_of(event):
        by_type.setdefault(record_type, []).append(record_id)
    for record_type, ids in by_type.items():
        kind = RECORDS.get(record_type)
        if kind:
            keys += [
                (record_type, key) for key in kind.model.objects.filter(pk__in=ids).values_list(kind.key, flat=True)
            ]
    return keys


def queue_alerts(event) -> list[int]:
    """Note the event for every confirmed subscription it concerns; returns the ids of
    the subscriptions to mail at once."""
    # Only what happens after the reader confirmed (the dispatcher may run later).
    confirmed = Subscription.objects.confirmed().filter(confirmed_at__lte=events.occurred_at(event))
    followed = Q()
    for record_type, key in _followed_as(event):
        followed |= Q(record_type=record_type, record_slug=key)
    candidates = [*confirmed.filter(search="").filter(followed), *confirmed.exclude(search="")]
    immediate = []
    for subscription in candidates:
        if subscription.search and not matches(subscription, event):
            continue
        _, created = PendingAlert.objects.get_or_create(subscription=subscription, event_id=event.pk)
        if created and subscription.frequency == Frequency.IMMEDIATE:
            immediate.append(subscription.pk)
    return immediate


# --- Sending -------------------------------------------------------------------------


class AlertMessage(EmailMessage):
    """Headers may run to 998 characters (RFC 5322): a List-Unsubscribe address must stay
    one `<URL>`, which the default 78-character folding would turn into encoded words
    that mail programs do not read as an address."""

    def message(self, *, policy=email.policy.default):
        return super().message(policy=policy.clone(max_line_length=998))


def shown_target(subscription: Subscription) -> Target:
    """What the mail calls the followed record: its label while it is published; once it
    has left the public record, only its kind (DESIGN.md rule 1)."""
    target = target_of(subscription)
    if subscription.search:
        return target
    kind = RECORDS[subscription.record_type]
    if kind.model.objects.published().filter(**{kind.key: subscription.record_slug}).exists():
        return target
    name = kind.model._meta.verbose_name
    return Target(target.record_type, target.record_slug, "", f"a {name} you followed, no longer published")


def _send(subscription: Subscription, subject: str, template: str, extra: dict) -> None:
    unsubscribe = unsubscribe_url(subscription)
    context = {
        "subscription": subscription,
        "site_name": settings.SITE_NAME,
        "target": shown_target(subscription),
        "unsubscribe_url": unsubscribe,
        **extra,
    }
    message = AlertMessage(
        subject=f"[{settings.SITE_NAME}] {subject}",
        body=render_to_string(template, context),
        to=[subscription.email],
        headers={
            # RFC 8058: mail programs offer a one-click unsubscribe that POSTs here.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.send()


def send_confirmation(subscription_id: int) -> None:
    subscription = Subscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        return
    if subscription.confirmed_at:
        _send(subscription, "You already follow this", "delivery/mail/already_subscribed.txt", {})
        return
    _send(
        subscription,
        "Confirm your email alert",
        "delivery/mail/confirm.txt",
        {"confirm_url": confirm_url(subscription), "hours": settings.ALERTS_CONFIRM_HOURS},
    )


def send_pending(subscription_id: int, now: dt.datetime | None = None) -> int:
    """Mail the events waiting for a subscription in one message; returns how many."""
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().filter(pk=subscription_id).first()
        if subscription is None or subscription.confirmed_at is None:
            return 0
        pending = list(subscription.pending.all())
        if not pending:
            return 0
        found = events.events_by_id([alert.event_id for alert in pending])
        items = [events.describe(found[alert.event_id]) for alert in pending if alert.event_id in found]
        PendingAlert.objects.filter(pk__in=[alert.pk for alert in pending]).delete()
        subscription.last_sent_at = now or timezone.now()
        subscription.save(update_fields=["last_sent_at"])
        if not items:
            return 0
        digest = subscription.frequency == Frequency.DAILY
        changes = f"{len(items)} change{'s' if len(items) > 1 else ''}"
        subject = f"{'Daily digest: ' if digest else ''}{changes} to {shown_target(subscription).label}"
        # Sent inside the transaction: if the mail server refuses, the alerts stay queued.
        _send(subscription, subject[:200], "delivery/mail/alert.txt", {"items": items, "digest": digest})
    return len(items)


def send_daily_digests(now: dt.datetime | None = None) -> int:
    ids = (
        Subscription.objects.confirmed()
        .filter(frequency=Frequency.DAILY, pending__isnull=False)
        .values_list("pk", flat=True)
        .distinct()
    )
    return sum(1 for pk in list(ids) if send_pending(pk, now=now))
