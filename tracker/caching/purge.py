"""Purging the edge cache after each change readers can see (edge.py says what is kept).

The PublicChange a change writes in its own transaction (tracker/desk/versioning.py) is
the purge's outbox: it commits with the change or not at all, and it names the keys.
The worker's edge loop (tracker/delivery/worker.py) takes the changes no edge has
acknowledged yet (`edge_purged_at` empty), oldest first, and sends every configured edge
one `PURGE` with their keys in `xkey-purge`. Once every edge answered 2xx, the changes are marked purged, in the
transaction that took them (so two workers do not send the same batch at once). An edge
that refuses, fails or does not answer in time: nothing is marked, and the whole batch
is sent again after a rest that doubles up to MAX_REST (a purge sent twice does no harm).

The process that made the change also purges at once, on commit, before it answers
(`purge_on_commit`): each edge gets the change's keys under a short timeout, and if all
of them acknowledged, the change is marked purged and the worker has nothing left to
do. So the staff member who retracted a claim, and every reader after them, finds it
gone from the edge; an edge that did not answer in time is left to the worker.

A change older than the longest an edge keeps a response (EDGE_MAX_AGE) needs no purge:
whatever the edge kept before it has expired. Such changes (a worker that was stopped, a
database from before the edge) are marked without being sent.
"""

from __future__ import annotations

import datetime as dt
import http.client
import logging
import threading
import time
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

from tracker.desk.models import PublicChange
from tracker.outage import DATABASE_ERRORS

logger = logging.getLogger("tracker.edge")

BATCH = 500  # changes per purge
HEADER_BYTES = 6000  # keys per request: under Varnish's 8k header line
FIRST_REST, MAX_REST = 0.2, 5.0  # seconds between tries while an edge fails
AT_ONCE_TIMEOUT = 0.5  # seconds an edge has to acknowledge the purge made at commit


class EdgeRefused(Exception):
    """An edge did not acknowledge a purge."""


def chunks(keys: Iterable[str], limit: int = HEADER_BYTES) -> list[str]:
    """The keys as space-separated header values of at most `limit` bytes each."""
    values, current = [], ""
    for key in sorted(set(keys)):
        if current and len(current) + 1 + len(key) > limit:
            values.append(current)
            current = ""
        current = f"{current} {key}" if current else key
    if current:
        values.append(current)
    return values


def send(url: str, keys: Iterable[str], timeout: float | None = None) -> None:
    """PURGE these keys at one edge; raises EdgeRefused unless it answers 2xx to each."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise EdgeRefused(f"{url!r} is not an http(s) address")
    timeout = settings.EDGE_PURGE_TIMEOUT_SECONDS if timeout is None else timeout
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(parts.hostname, parts.port, timeout=timeout)
    try:
        for value in chunks(keys):
            connection.request("PURGE", parts.path or "/", headers={"xkey-purge": value})
            response = connection.getresponse()
            response.read()
            if not 200 <= response.status < 300:
                raise EdgeRefused(f"{url} answered {response.status} {response.reason}")
    except (OSError, http.client.HTTPException) as exc:
        raise EdgeRefused(f"{url}: {type(exc).__name__}: {exc}") from exc
    finally:
        connection.close()


class Purger:
    """The worker's edge loop step (see the module's doc). Safe to call from one thread."""

    def __init__(self) -> None:
        self.rest = 0.0
        self.resting_until = 0.0
        self.logged_at = 0.0
        self.lock = threading.Lock()

    def step(self, now: dt.datetime | None = None) -> bool:
        """Purge the next batch; True when it did (or marked) something."""
        urls = settings.EDGE_PURGE_URLS
        if not urls or time.monotonic() < self.resting_until:
            return False
        with self.lock:
            try:
                done = self._batch(urls, now or timezone.now())
            except EdgeRefused as exc:
                self.rest = min(max(self.rest * 2, FIRST_REST), MAX_REST)
                self.resting_until = time.monotonic() + self.rest
                if time.monotonic() - self.logged_at > 10:
                    self.logged_at = time.monotonic()
                    logger.warning("edge purge not acknowledged (%s); trying again in %.1f s", exc, self.rest)
                return False
            self.rest = 0.0
            return done

    def _batch(self, urls: list[str], now: dt.datetime) -> bool:
        expired_before = now - dt.timedelta(seconds=settings.EDGE_MAX_AGE)
        with transaction.atomic():
            batch = list(
                PublicChange.objects.select_for_update(skip_locked=True)
                .filter(edge_purged_at__isnull=True)
                .order_by("number")
                .values_list("number", "at", "keys")[:BATCH]
            )
            if not batch:
                return False
            due = [(number, keys) for number, at, keys in batch if at >= expired_before]
            if due:
                keys = {key for _number, change_keys in due for key in change_keys}
                for url in urls:
                    send(url, keys)
            PublicChange.objects.filter(number__in=[number for number, _at, _keys in batch]).update(
                edge_purged_at=timezone.now()
            )
        return True


purger = Purger()


def purge_now(number: int, keys: list[str]) -> bool:
    """Purge one committed change from every edge now; mark it purged if all of them
    acknowledged. Never raises: what did not happen here, the worker does."""
    try:
        for url in settings.EDGE_PURGE_URLS:
            send(url, keys, timeout=AT_ONCE_TIMEOUT)
        PublicChange.objects.filter(number=number, edge_purged_at__isnull=True).update(edge_purged_at=timezone.now())
    except (EdgeRefused, *DATABASE_ERRORS) as exc:
        logger.info("edge purge of change %s left to the worker (%s)", number, exc)
        return False
    return True


def _purge_on_commit(sender, instance: PublicChange, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw and settings.EDGE_PURGE_URLS:
        number, keys = instance.number, list(instance.keys)
        transaction.on_commit(lambda: purge_now(number, keys), using=kwargs.get("using"))


def connect_signals() -> None:
    post_save.connect(_purge_on_commit, sender=PublicChange, dispatch_uid="edge-purge-on-commit")


def waiting() -> bool:
    """Whether a change waits to be purged from the edge (never without an edge)."""
    return bool(settings.EDGE_PURGE_URLS) and PublicChange.objects.filter(edge_purged_at__isnull=True).exists()
