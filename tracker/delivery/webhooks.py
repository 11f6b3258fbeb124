"""Signed webhooks, per the Standard Webhooks specification (standardwebhooks.com).

Each event an endpoint asked for becomes one Delivery with a fixed `webhook-id`; the
worker's webhook loops (tracker/delivery/worker.py) POST it, its body made at each
attempt from the event as the public may see it then (tracker/events/payload.py),
with `webhook-timestamp` and `webhook-signature: v1,<base64 HMAC-SHA256 of
"{id}.{timestamp}.{body}">`, keyed with the endpoint's secret (`whsec_` + base64), so a
partner verifies it with the `standardwebhooks` library. Delivery is at least once: an
attempt whose answer never came (the receiver may have the message) is sent again
under the same webhook-id, which the receiver uses to deduplicate.

One partner's trouble is its own:

- Each attempt has one overall deadline (WEBHOOK_TIMEOUT_SECONDS) covering the name's
  resolution, the connection, TLS, sending and the answer's status and first bytes: a
  receiver that trickles its answer is cut off at the deadline, however often it sends
  a byte.
- At most WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT attempts to one endpoint run at once, so
  a slow endpoint holds that many of the worker's webhook loops and no more; the others
  (and the mail, on a loop of its own) go on.
- After a failed attempt an endpoint rests (no attempt on any of its deliveries) for
  as long as its next retry waits: a failing endpoint is tried less and less often.
  A failed delivery is retried after WEBHOOK_RETRY_BASE_SECONDS * 2**(attempt - 1), up
  to WEBHOOK_MAX_ATTEMPTS; after WEBHOOK_PAUSE_AFTER_FAILURES failed attempts in a row
  the endpoint is paused, its deliveries held, and its owner mailed.

Against server-side request forgery an endpoint is https to a public address: the
name is resolved once per attempt, every address it resolves to must be public (no
loopback, private, link-local, shared, NAT64, 6to4, Teredo, IPv4-compatible or
IPv4-mapped form), and the connection goes to the address that was checked, never to
a second resolution (no DNS rebinding). No proxy and no redirect is followed (a 3xx is
a failure). Nothing here runs in a web request: the admin only marks work to do.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from . import events, mail
from .models import Delivery, DeliveryAttempt, DeliveryStatus, Endpoint, MailKind
from .retrying import until_the_database_answers

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser as User

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
USER_AGENT = "PolicyDeskTracker-Webhooks/1.0"
# How long an attempt in progress keeps others off the delivery (longer than any attempt).
LEASE = dt.timedelta(minutes=2)
OPEN = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)
# Addresses that carry or reach an IPv4 address some networks route anywhere, whatever
# ipaddress's is_global says of them: NAT64 (RFC 6052, RFC 8215), IPv4-compatible (::/96,
# deprecated), IPv4-mapped and IPv4-translated (RFC 4291, RFC 2765), 6to4 and Teredo.
EMBEDDING_IPV4 = [
    ipaddress.ip_network(net)
    for net in ("64:ff9b::/96", "64:ff9b:1::/48", "::/96", "::ffff:0:0/96", "::ffff:0:0:0/96", "2002::/16", "2001::/32")
]


# --- Addresses -----------------------------------------------------------------------


def address_refused(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why the worker must not connect to this address, or None."""
    if address.version == 6 and any(address in net for net in EMBEDDING_IPV4):
        return "an IPv6 form of an IPv4 address (NAT64, mapped, compatible, 6to4 or Teredo)"
    if not address.is_global or address.is_multicast:
        return "a private, loopback, link-local or reserved address"
    return None


def _loopback_allowed(host: str) -> bool:
    return settings.WEBHOOK_ALLOW_HTTP_LOOPBACK and host.lower() in LOOPBACK_HOSTS


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
    if parts.scheme == "http" and _loopback_allowed(host):
        return
    if parts.scheme != "https":
        raise ValidationError("A webhook address must start with https://.")
    if _loopback_allowed(host):
        return
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return  # a name: checked where it resolves, at each attempt
    reason = address_refused(address)
    if reason:
        raise ValidationError(f"A webhook address must be public, not {reason}.")


_resolver = ThreadPoolExecutor(max_workers=4, thread_name_prefix="webhook-dns")


def resolve(host: str, port: int, timeout: float) -> str:
    """The address to connect to: the name resolved once, every answer checked (a name
    with one private answer among public ones is refused: the attacker picks which)."""
    host = host.strip("[]")
    if _loopback_allowed(host):
        return "127.0.0.1" if host.lower() == "localhost" else host
    try:
        infos = _resolver.submit(socket.getaddrinfo, host, port, 0, socket.SOCK_STREAM).result(timeout=timeout)
    except FutureTimeout as exc:
        raise ValidationError("The host name did not resolve in time.") from exc
    except OSError as exc:
        raise ValidationError(f"The host name does not resolve ({exc.strerror or exc}).") from exc
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses:
        raise ValidationError("The host name does not resolve.")
    for address in addresses:
        reason = address_refused(address)
        if reason:
            raise ValidationError(f"{host} resolves to {reason}; refused.")
    return str(addresses[0])


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
    """The Standard Webhooks payload: type, timestamp and data (events.webhook_message)."""
    return json.dumps(events.webhook_message(event), ensure_ascii=False, separators=(",", ":"))


def deliveries_for(event, now: dt.datetime) -> list[Delivery]:
    """One delivery per endpoint that wants the event (held if the endpoint is paused).
    The worker's webhook loops find the pending ones by their next_attempt_at."""
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
    return dt.timedelta(seconds=min(settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempt - 1), 24 * 3600))


# --- Claiming ------------------------------------------------------------------------


def _free(now: dt.datetime) -> Q:
    """Due, and no attempt in flight (or its lease has passed: its worker died)."""
    return Q(status__in=OPEN, next_attempt_at__lte=now) & (Q(leased_until__isnull=True) | Q(leased_until__lt=now))


def _in_flight(now: dt.datetime):
    return Delivery.objects.filter(leased_until__gt=now)


def _take(delivery: Delivery, now: dt.datetime) -> Delivery | None:
    """Inside the claiming transaction: take this delivery for one attempt if its
    endpoint takes events and has room for one more attempt in flight."""
    endpoint = Endpoint.objects.select_for_update().select_related("api_key").get(pk=delivery.endpoint_id)
    if not endpoint.receives_events:
        delivery.status = DeliveryStatus.HELD
        delivery.next_attempt_at = None
        delivery.save(update_fields=["status", "next_attempt_at"])
        return None
    if _in_flight(now).filter(endpoint=endpoint).count() >= settings.WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT:
        return None
    delivery.attempts += 1
    delivery.leased_until = now + LEASE
    delivery.save(update_fields=["attempts", "leased_until"])
    delivery.endpoint = endpoint
    return delivery


def _claim(delivery_id: int, now: dt.datetime) -> Delivery | None:
    """Take this delivery for one attempt, if it is due and free."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("event")
            .filter(_free(now), pk=delivery_id)
            .first()
        )
        return _take(delivery, now) if delivery else None


def claim_due(now: dt.datetime) -> Delivery | None:
    """Take the next due delivery of an endpoint that is neither resting nor at its
    limit of attempts in flight (so a slow endpoint's backlog never stands in front of
    the others'), for one attempt."""
    busy = (
        _in_flight(now)
        .values("endpoint")
        .annotate(n=Count("id"))
        .filter(n__gte=settings.WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT)
        .values("endpoint")
    )
    with transaction.atomic():
        candidates = (
            Delivery.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("event")
            .filter(_free(now))
            .exclude(endpoint__resting_until__gt=now)
            .exclude(endpoint__in=busy)
            .order_by("next_attempt_at", "pk")[:5]
        )
        for delivery in candidates:
            taken = _take(delivery, now)
            if taken is not None:
                return taken
    return None


# --- Posting -------------------------------------------------------------------------


@dataclass
class Outcome:
    status_code: int | None
    error: str = ""
    # The request went out whole but no answer came: the receiver may have it.
    unknown: bool = False

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _PinnedConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever the name resolves to now;
    TLS still verifies the certificate against the name."""

    def __init__(self, host: str, port: int, address: str, timeout: float, tls: bool):
        super().__init__(host, port, timeout=timeout)
        self.address, self.tls = address, tls

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.tls:
            self.sock = ssl.create_default_context().wrap_socket(self.sock, server_hostname=self.host)


def post(url: str, headers: dict[str, str], body: str, *, timeout: float | None = None) -> Outcome:
    """POST once, all of it within `timeout` seconds (WEBHOOK_TIMEOUT_SECONDS)."""
    timeout = timeout or settings.WEBHOOK_TIMEOUT_SECONDS
    deadline = time.monotonic() + timeout
    parts = urlsplit(url)
    try:
        check_url(url)
        address = resolve(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80), timeout)
    except ValidationError as exc:
        return Outcome(None, exc.messages[0])
    left = deadline - time.monotonic()
    if left <= 0:
        return Outcome(None, f"no answer within {timeout:g} s (resolving the name)")
    connection = _PinnedConnection(
        parts.hostname or "",
        parts.port or (443 if parts.scheme == "https" else 80),
        address,
        left,
        parts.scheme == "https",
    )
    # Each socket operation has the time left as its own timeout; the guard ends any
    # operation still going at the deadline (a trickle of bytes resets no timer here).
    guard = threading.Timer(left, _cut, args=(connection,))
    guard.daemon = True
    guard.start()
    sent = False
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("POST", path, body=body.encode(), headers=headers)
        sent = True
        response = connection.getresponse()
        response.read(1024)
        code = response.status
    except (OSError, http.client.HTTPException, ssl.SSLError, ValueError) as exc:
        late = time.monotonic() >= deadline - 0.01
        if late:
            return Outcome(None, f"no answer within {timeout:g} s", unknown=sent)
        return Outcome(None, f"{type(exc).__name__}: {exc}"[:300], unknown=sent and not _refused(exc))
    finally:
        guard.cancel()
        connection.close()
    if 300 <= code < 400:
        return Outcome(code, "redirects are not followed")
    if not 200 <= code < 300:
        return Outcome(code, f"HTTP {code}")
    return Outcome(code)


def _cut(connection: http.client.HTTPConnection) -> None:
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _refused(exc: BaseException) -> bool:
    return isinstance(exc, ConnectionRefusedError | ssl.SSLError)


# --- Attempting ----------------------------------------------------------------------


def attempt(delivery_id: int, now: dt.datetime | None = None) -> Delivery | None:
    """One attempt at this delivery, if it is due. Returns the delivery as it ends up,
    or None when there was nothing to do."""
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    return _attempt(delivery, now) if delivery else None


def attempt_due(now: dt.datetime | None = None) -> Delivery | None:
    """One attempt at the next due delivery (the worker's webhook loops), or None."""
    now = now or timezone.now()
    delivery = claim_due(now)
    return _attempt(delivery, now) if delivery else None


def _attempt(delivery: Delivery, now: dt.datetime) -> Delivery:
    endpoint = delivery.endpoint
    # The body as the event may be shown now: if the record left the public record since,
    # its title and values are gone from this attempt too.
    delivery.payload = body_for(events.as_shown_now([delivery.event])[0])
    started = time.monotonic()
    outcome = post(endpoint.url, signed_headers(endpoint, delivery, int(now.timestamp())), delivery.payload)
    took = int((time.monotonic() - started) * 1000)
    if outcome.unknown:
        outcome.error = f"{outcome.error} (it may have arrived: sent again under the same webhook-id)"[:300]
    until_the_database_answers(lambda: _record(delivery, outcome, now, took), what=f"webhook delivery {delivery.pk}")
    delivery.refresh_from_db()
    return delivery


def _record(delivery: Delivery, outcome: Outcome, now: dt.datetime, took: int) -> None:
    """Write down one attempt and decide what follows, in one transaction."""
    with transaction.atomic():
        endpoint = Endpoint.objects.select_for_update().select_related("api_key").get(pk=delivery.endpoint_id)
        current = Delivery.objects.select_for_update().get(pk=delivery.pk)
        DeliveryAttempt.objects.create(
            delivery=current,
            number=DeliveryAttempt.objects.filter(delivery=current).count() + 1,
            at=now,
            status_code=outcome.status_code,
            error=outcome.error[:300],
            duration_ms=took,
            succeeded=outcome.ok,
        )
        current.payload = delivery.payload
        current.last_status_code = outcome.status_code
        current.last_error = outcome.error[:300]
        current.leased_until = None
        if outcome.ok:
            current.status = DeliveryStatus.SUCCEEDED
            current.delivered_at = now
            current.next_attempt_at = None
            endpoint.consecutive_failures = 0
            endpoint.resting_until = None
        else:
            endpoint.consecutive_failures += 1
            endpoint.resting_until = now + backoff(endpoint.consecutive_failures)
            if current.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
                current.status = DeliveryStatus.FAILED
                current.next_attempt_at = None
            else:
                current.status = DeliveryStatus.RETRYING
                current.next_attempt_at = now + backoff(current.attempts)
        endpoint.save(update_fields=["consecutive_failures", "resting_until"])
        current.save(
            update_fields=[
                "status",
                "delivered_at",
                "next_attempt_at",
                "last_status_code",
                "last_error",
                "payload",
                "leased_until",
            ]
        )
        if not outcome.ok and endpoint.consecutive_failures >= settings.WEBHOOK_PAUSE_AFTER_FAILURES:
            reason = f"{endpoint.consecutive_failures} failed attempts in a row ({outcome.error[:120]})"
            pause(endpoint, now=now, reason=reason)


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
        subject = f"Webhook endpoint paused: {endpoint.url}"
        body = (
            f"The webhook endpoint {endpoint.url} (API key “{endpoint.api_key.name}”) was paused on "
            f"{now:%Y-%m-%d %H:%M} UTC after {reason}.\n\n"
            "Its deliveries are held, not lost. Once the receiver works again, an editor resumes "
            "the endpoint in the admin (Webhook endpoints → Resume) and the held deliveries are sent.\n"
        )
        mail.queue(
            key=f"endpoint-paused:{endpoint.pk}:{now.isoformat()}",
            kind=MailKind.NOTICE,
            recipients=recipients,
            subject=subject,
            body=body,
            now=now,
        )


def resume(endpoint: Endpoint, *, by: User | None, now: dt.datetime | None = None) -> int:
    """Unpause an endpoint and send what was held. Returns how many deliveries were queued."""
    now = now or timezone.now()
    with transaction.atomic():
        endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
        endpoint.paused_at = None
        endpoint.paused_reason = ""
        endpoint.consecutive_failures = 0
        endpoint.resting_until = None
        endpoint.save(update_fields=["paused_at", "paused_reason", "consecutive_failures", "resting_until"])
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
