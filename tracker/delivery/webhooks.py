"""Signed webhooks, per the Standard Webhooks specification (standardwebhooks.com).

Each event an endpoint asked for becomes one Delivery with a fixed `webhook-id`; the
worker POSTs it, its body made at each attempt from the event as the public may see
it then, with `webhook-timestamp` and
`webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed
with the endpoint's secret (`whsec_` + base64), so a partner verifies it with the
`standardwebhooks` library. A failed attempt is retried after
WEBHOOK_RETRY_BASE_SECONDS * 2**(attempt - 1), up to WEBHOOK_MAX_ATTEMPTS; after
WEBHOOK_PAUSE_AFTER_FAILURES failed attempts in a row the endpoint is paused, its
deliveries held, and its owner mailed. Nothing here runs in a web request: the admin
only enqueues.

Against server-side request forgery an endpoint is https to a public address, the
request has a time limit, no proxy and no redirect is followed (a 3xx is a failure).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import socket
import time
import urllib.error
import urllib.request
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import events
from .models import Delivery, DeliveryAttempt, DeliveryStatus, Endpoint

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser as User

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
USER_AGENT = "PolicyDeskTracker-Webhooks/1.0"
# How long an attempt in progress keeps others off the delivery (longer than any request).
LEASE = dt.timedelta(minutes=5)
OPEN = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)


# --- Addresses -----------------------------------------------------------------------


def check_url(url: str) -> None:
    """Refuse an address the worker must not call (the admin form and every attempt
    call this). https only; plain http only to the loopback address while
    WEBHOOK_ALLOW_HTTP_LOOPBACK is on (development and tests)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host:
        raise ValidationError("Give a full address, such as https://partner.example/webhooks.")
    if parts.username or parts.password:
        raise ValidationError("Put no user name or password in the address; the signature authenticates us.")
    if parts.scheme == "http" and settings.WEBHOOK_ALLOW_HTTP_LOOPBACK and host in LOOPBACK_HOSTS:
        return
    if parts.scheme != "https":
        raise ValidationError("A webhook address must start with https://.")
    if host in LOOPBACK_HOSTS and settings.WEBHOOK_ALLOW_HTTP_LOOPBACK:
        return
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return  # a name: checked again where it resolves, at each attempt
    if not address.is_global:
        raise ValidationError("A webhook address must be public, not a private, loopback or link-local one.")


def check_resolves_public(url: str) -> None:
    """Every address the host name resolves to must be public (unless it is the
    loopback address allowed in development)."""
    host = urlsplit(url).hostname or ""
    if settings.WEBHOOK_ALLOW_HTTP_LOOPBACK and host.lower() in LOOPBACK_HOSTS:
        return
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise ValidationError(f"The host name does not resolve ({exc.strerror or exc}).") from exc
    for info in infos:
        if not ipaddress.ip_address(info[4][0].split("%")[0]).is_global:
            raise ValidationError(f"{host} resolves to a private or loopback address; refused.")


# --- Signing -------------------------------------------------------------------------


def signature(secret: str, message_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{message_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def signed_headers(endpoint: Endpoint, delivery: Delivery, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(endpoint.secret, delivery.message_id, timestamp, delivery.payload),
    }


# --- Making deliveries -----------------------------------------------------------------


def body_for(event) -> str:
    """The Standard Webhooks payload: type, timestamp and data."""
    return json.dumps(
        {
            "type": events.event_type(event),
            "timestamp": events.occurred_at(event).isoformat().replace("+00:00", "Z"),
            "data": events.event_data(event),
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def deliveries_for(event, now: dt.datetime) -> list[Delivery]:
    """One delivery per endpoint that wants the event (held if the endpoint is paused)."""
    kind = events.event_type(event)
    made = []
    for endpoint in Endpoint.objects.filter(is_active=True, api_key__revoked=False):
        if not events.wanted(endpoint.event_types, kind):
            continue
        delivery, created = Delivery.objects.get_or_create(
            endpoint=endpoint,
            event_id=event.pk,
            defaults={
                "event_type": kind,
                "payload": "",  # made at each attempt, as the event may be shown then
                "status": DeliveryStatus.HELD if endpoint.paused_at else DeliveryStatus.PENDING,
                "next_attempt_at": None if endpoint.paused_at else now,
            },
        )
        if created and delivery.status == DeliveryStatus.PENDING:
            made.append(delivery)
    return made


def backoff(attempt: int) -> dt.timedelta:
    """The wait after failed attempt number `attempt` (1, 2, ...): base, 2 base, 4 base..."""
    return dt.timedelta(seconds=settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempt - 1))


# --- Attempting ----------------------------------------------------------------------


def _claim(delivery_id: int, now: dt.datetime) -> Delivery | None:
    """Take the delivery for one attempt if it is due and its endpoint takes events."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",)).select_related("event").filter(pk=delivery_id).first()
        )
        if delivery is None or delivery.status not in OPEN:
            return None
        if delivery.next_attempt_at and delivery.next_attempt_at > now:
            return None  # not due, or another worker holds its lease
        endpoint = Endpoint.objects.select_related("api_key").get(pk=delivery.endpoint_id)
        if not endpoint.receives_events:
            delivery.status = DeliveryStatus.HELD
            delivery.next_attempt_at = None
            delivery.save(update_fields=["status", "next_attempt_at"])
            return None
        delivery.attempts += 1
        delivery.next_attempt_at = now + LEASE
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    delivery.endpoint = endpoint
    return delivery


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # urllib then raises HTTPError for the 3xx


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


def post(url: str, headers: dict[str, str], body: str) -> tuple[int | None, str]:
    """POST once: (status code or None, error text or "")."""
    try:
        check_url(url)
        check_resolves_public(url)
    except ValidationError as exc:
        return None, exc.messages[0]
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            response.read(1024)
            return response.status, ""
    except urllib.error.HTTPError as exc:
        reason = "redirects are not followed" if 300 <= exc.code < 400 else f"HTTP {exc.code}"
        return exc.code, reason
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, f"{type(exc).__name__}: {reason}"[:300]


def attempt(delivery_id: int, now: dt.datetime | None = None) -> Delivery | None:
    """One attempt at a delivery, if it is due. Returns the delivery as it ends up,
    or None when there was nothing to do."""
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return None
    endpoint = delivery.endpoint
    # The body as the event may be shown now: if the record left the public record since,
    # its title and values are gone from this attempt too.
    delivery.payload = body_for(events.as_shown_now([delivery.event])[0])
    started = time.monotonic()
    code, error = post(endpoint.url, signed_headers(endpoint, delivery, int(now.timestamp())), delivery.payload)
    took = int((time.monotonic() - started) * 1000)
    ok = code is not None and 200 <= code < 300
    with transaction.atomic():
        endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
        DeliveryAttempt.objects.create(
            delivery=delivery,
            number=DeliveryAttempt.objects.filter(delivery=delivery).count() + 1,
            at=now,
            status_code=code,
            error=error,
            duration_ms=took,
            succeeded=ok,
        )
        delivery.last_status_code = code
        delivery.last_error = error
        if ok:
            delivery.status = DeliveryStatus.SUCCEEDED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
            endpoint.consecutive_failures = 0
            endpoint.save(update_fields=["consecutive_failures"])
        else:
            endpoint.consecutive_failures += 1
            endpoint.save(update_fields=["consecutive_failures"])
            if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
                delivery.status = DeliveryStatus.FAILED
                delivery.next_attempt_at = None
            else:
                delivery.status = DeliveryStatus.RETRYING
                delivery.next_attempt_at = now + backoff(delivery.attempts)
        delivery.save(
            update_fields=["status", "delivered_at", "next_attempt_at", "last_status_code", "last_error", "payload"]
        )
        if delivery.status == DeliveryStatus.RETRYING:
            schedule(delivery)
        if not ok and endpoint.consecutive_failures >= settings.WEBHOOK_PAUSE_AFTER_FAILURES:
            pause(endpoint, now=now, reason=f"{endpoint.consecutive_failures} failed attempts in a row ({error})")
    delivery.refresh_from_db()
    return delivery


def schedule(delivery: Delivery) -> None:
    """Enqueue the delivery's next attempt for its next_attempt_at, once the
    transaction that decided it commits."""
    from .tasks import deliver

    run_after = delivery.next_attempt_at
    job = deliver.using(run_after=run_after) if run_after else deliver
    transaction.on_commit(lambda: job.enqueue(delivery.pk))


# --- Pausing, resuming, replaying ----------------------------------------------------


def pause(endpoint: Endpoint, *, now: dt.datetime, reason: str) -> None:
    """Stop sending to an endpoint that keeps failing; hold what was waiting; tell its owner."""
    if endpoint.paused_at:
        return
    endpoint.paused_at = now
    endpoint.paused_reason = reason[:300]
    endpoint.save(update_fields=["paused_at", "paused_reason"])
    Delivery.objects.filter(endpoint=endpoint, status__in=OPEN).update(status=DeliveryStatus.HELD, next_attempt_at=None)
    recipients = sorted(
        {address for address in (endpoint.contact_email, getattr(endpoint.created_by, "email", "")) if address}
    )
    if recipients:
        from .tasks import send_mail_job

        subject = f"Webhook endpoint paused: {endpoint.url}"
        body = (
            f"The webhook endpoint {endpoint.url} (API key “{endpoint.api_key.name}”) was paused on "
            f"{now:%Y-%m-%d %H:%M} UTC after {reason}.\n\n"
            "Its deliveries are held, not lost. Once the receiver works again, an editor resumes "
            "the endpoint in the admin (Webhook endpoints → Resume) and the held deliveries are sent.\n"
        )
        transaction.on_commit(lambda: send_mail_job.enqueue(subject, body, recipients))


def resume(endpoint: Endpoint, *, by: User | None, now: dt.datetime | None = None) -> int:
    """Unpause an endpoint and send what was held. Returns how many deliveries were queued."""
    now = now or timezone.now()
    with transaction.atomic():
        endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
        endpoint.paused_at = None
        endpoint.paused_reason = ""
        endpoint.consecutive_failures = 0
        endpoint.save(update_fields=["paused_at", "paused_reason", "consecutive_failures"])
        held = list(Delivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.HELD))
        for delivery in held:
            _requeue(delivery, now)
    return len(held)


def replay(delivery: Delivery, *, by: User | None, now: dt.datetime | None = None) -> None:
    """Send a delivery again (same body and webhook-id, so a receiver can spot the repeat),
    with a fresh allowance of attempts."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        _requeue(delivery, now)


def _requeue(delivery: Delivery, now: dt.datetime) -> None:
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = now
    delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    schedule(delivery)
