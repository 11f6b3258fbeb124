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
import uuid
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from django import forms
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
from tracker.events.payload import record_url

from . import events, mail
from .models import Frequency, MailKind, OutgoingMail, PendingAlert, Subscription

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
        return record_url(self.record_type, self.record_slug) or settings.SITE_URL


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
    """A saved search: one of the list pages with valid filters, or NotFollowable.

    Both the search kept and its label are rebuilt from the filters' validated values
    (a record's slug and name, a verdict's value and label, a date), never from the text
    the visitor sent: the label goes into mails the site sends to whatever address is
    given, so it must hold nothing a visitor wrote (issue 29)."""
    parts = urlsplit(address)
    if parts.path not in SEARCHES or parts.scheme or parts.netloc or len(address) > 500:
        raise NotFollowable("Only the claims, agreements, meetings and sources lists can be followed as a search.")
    record_type, filterset_class, title = SEARCHES[parts.path]
    params = [(k, v) for k, v in parse_qsl(parts.query) if k not in NOT_FILTERS and v]
    filterset = filterset_class(_as_querydict(params), queryset=RECORDS[record_type].model.objects.none())
    if not filterset.is_valid():
        raise NotFollowable("This search has filters that are not valid.")
    kept, shown = [], []
    for name in filterset.filters:
        value = filterset.form.cleaned_data.get(name)
        if value in (None, "", [], ()):
            continue
        for key, label in _described(filterset, name, value):
            kept.append((name, key))
            shown.append(label)
    query = urlencode(kept)
    label = f"{title}: {'; '.join(shown) or 'everything'}"
    label = label if len(label) <= 290 else label[:289] + "…"
    return Target(search=parts.path + (f"?{query}" if query else ""), label=label)


# Free-text filters a saved search may use only with a value the desk itself wrote.
_TEXT_FILTERS = {
    ("source", "publisher"): lambda value: (
        Source.objects.published().filter(publisher__iexact=value).values_list("publisher", flat=True).first()
    ),
}


def _described(filterset, name: str, value) -> list[tuple[str, str]]:
    """(the value to keep in the search, its label) for one validated filter value."""
    shown_name = name.replace("_", " ")
    field = filterset.form.fields[name]
    if isinstance(value, Model):  # a published record chosen by its slug or code
        key = getattr(value, field.to_field_name or "pk")
        return [(str(key), f"{shown_name} {_name(value)}")]
    if isinstance(field, forms.ChoiceField):  # verdicts, kinds, statuses, yes or no
        labels = dict(field.choices)
        values = value if isinstance(value, list | tuple) else [value]
        return [(str(v), f"{shown_name} {labels[v]}") for v in values]
    if isinstance(value, dt.datetime | dt.date):
        return [(value.isoformat(), f"{shown_name} {value.isoformat()}")]
    model = filterset._meta.model
    record_type = next(kind for kind, spec in RECORDS.items() if spec.model is model)
    if record_type == "meeting" and name == "party":  # a party's code
        party = Party.objects.published().filter(code=str(value).upper()).first()
        if party is None:
            raise NotFollowable("There is no published party with this code.")
        return [(party.code, f"{shown_name} {_name(party)}")]
    find = _TEXT_FILTERS.get((record_type, name))
    found = find(value) if find else None
    if found is None:
        raise NotFollowable(f"A search can be followed by {shown_name} only for one on the list.")
    return [(found, f"{shown_name} {_name(found)}")]


def _name(record) -> str:
    name = " ".join(str(record).split())
    return f"“{name if len(name) <= 120 else name[:119] + '…'}”"


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
        # One mail per request (each is limited per mailbox before it gets here).
        mail.queue(
            key=f"confirm:{subscription.pk}:{uuid.uuid4().hex}",
            kind=MailKind.CONFIRMATION,
            subscription=subscription,
            now=now,
        )


def confirm(subscription: Subscription, now: dt.datetime | None = None) -> None:
    if subscription.confirmed_at is None:
        subscription.confirmed_at = now or timezone.now()
        subscription.save(update_fields=["confirmed_at"])


def unsubscribe(subscription: Subscription) -> None:
    subscription.delete()  # the address goes with it, and its pending alerts


def expire_unconfirmed(now: dt.datetime | None = None) -> int:
    cutoff = (now or timezone.now()) - dt.timedelta(hours=settings.ALERTS_CONFIRM_HOURS)
    _, deleted = Subscription.objects.filter(confirmed_at__isnull=True, created_at__lt=cutoff).delete()
    return deleted.get(Subscription._meta.label, 0)  # not counting the mail that went with them


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


def _message(subscription: Subscription, subject: str, template: str, extra: dict) -> EmailMessage:
    unsubscribe = unsubscribe_url(subscription)
    context = {
        "subscription": subscription,
        "site_name": settings.SITE_NAME,
        "target": shown_target(subscription),
        "unsubscribe_url": unsubscribe,
        **extra,
    }
    return AlertMessage(
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


def compose(outgoing: OutgoingMail) -> EmailMessage | None:
    """The message of a subscription's mail, made at the moment it is sent: the events
    as the public may see them now (tracker/events/payload.py, `mail_item`). None when
    there is nothing to send any more (the subscription or every event has gone)."""
    subscription = Subscription.objects.filter(pk=outgoing.subscription_id).first()
    if subscription is None:
        return None
    if outgoing.kind == MailKind.CONFIRMATION:
        if subscription.confirmed_at:
            return _message(subscription, "You already follow this", "delivery/mail/already_subscribed.txt", {})
        return _message(
            subscription,
            "Confirm your email alert",
            "delivery/mail/confirm.txt",
            {"confirm_url": confirm_url(subscription), "hours": settings.ALERTS_CONFIRM_HOURS},
        )
    found = events.events_by_id(list(outgoing.events))
    items = [events.describe(found[pk]) for pk in outgoing.events if pk in found]
    if not items:
        return None
    digest = outgoing.kind == MailKind.DIGEST
    changes = f"{len(items)} change{'s' if len(items) > 1 else ''}"
    subject = f"{'Daily digest: ' if digest else ''}{changes} to {shown_target(subscription).label}"
    return _message(subscription, subject[:200], "delivery/mail/alert.txt", {"items": items, "digest": digest})


def _compose_pending(subscription_ids, kind: str, now: dt.datetime) -> int:
    """Move each subscription's waiting events into one mail of the outbox, in one
    transaction: the mail and the events it carries are decided together, once."""
    made = 0
    for subscription_id in subscription_ids:
        with transaction.atomic():
            subscription = Subscription.objects.select_for_update().filter(pk=subscription_id).first()
            if subscription is None or subscription.confirmed_at is None:
                continue
            pending = list(subscription.pending.order_by("event_id"))
            if not pending:
                continue
            ids = [alert.event_id for alert in pending]
            digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:32]
            mail.queue(
                key=f"{kind}:{subscription.pk}:{digest}", kind=kind, subscription=subscription, events=ids, now=now
            )
            PendingAlert.objects.filter(pk__in=[alert.pk for alert in pending]).delete()
            subscription.last_sent_at = now
            subscription.save(update_fields=["last_sent_at"])
            made += 1
    return made


def compose_immediate(now: dt.datetime | None = None) -> int:
    """An alert mail for every confirmed "at once" subscription with events waiting."""
    ids = (
        Subscription.objects.confirmed()
        .filter(frequency=Frequency.IMMEDIATE, pending__isnull=False)
        .values_list("pk", flat=True)
        .distinct()
    )
    return _compose_pending(list(ids), MailKind.ALERT, now or timezone.now())


def compose_daily_digests(now: dt.datetime | None = None) -> int:
    ids = (
        Subscription.objects.confirmed()
        .filter(frequency=Frequency.DAILY, pending__isnull=False)
        .values_list("pk", flat=True)
        .distinct()
    )
    return _compose_pending(list(ids), MailKind.DIGEST, now or timezone.now())
