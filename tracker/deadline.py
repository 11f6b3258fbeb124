"""Bounded waits: every request and every background job has a deadline.

A database that stops answering without closing its connections (a frozen process, a
network black hole, a fail-over that has not told the clients) leaves a query waiting
for an answer that never comes: the connect timeout covers only new connections,
TCP keepalives only idle ones, and PostgreSQL's statement_timeout only a server that
still runs. So each request (tracker/deadline.py's middleware) and each job of the
worker runs under a deadline, and one watchdog thread per process ends every wait
still going when its deadline passes: it shuts down the socket of that thread's
PostgreSQL connections (libpq and psycopg then fail the query at once with an
OperationalError, which tracker/outage.py answers with a 503 and Retry-After) and
interrupts its SQLite connections. The watchdog also tells the database backend that
the server did not answer (tracker/db/postgresql), so the following requests fail fast
instead of waiting in turn.

A deadline that passes with nothing waiting does nothing: it never interrupts Python
code, only database waits (a connection with a command in flight). A request that
returns a streaming response leaves its deadline when the response is returned (each
statement of the stream is still bounded by statement_timeout).
"""

from __future__ import annotations

import contextlib
import contextvars
import heapq
import itertools
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("tracker.deadline")
ACTIVE = 1  # libpq's PQTRANS_ACTIVE: a command sent, its answer not yet read


class Budget:
    """One deadline, and the database connections of the thread that runs under it."""

    __slots__ = ("at", "wrappers", "lock", "done", "expired", "what")

    def __init__(self, at: float, wrappers: list, what: str):
        self.at, self.wrappers, self.what = at, wrappers, what
        self.lock = threading.Lock()
        self.done = False
        self.expired = False

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def finish(self) -> None:
        with self.lock:  # never while the watchdog is shutting this thread's sockets
            self.done = True

    def expire(self) -> bool:
        """End this thread's database waits; whether there was one."""
        with self.lock:
            if self.done:
                return False
            self.expired = True
            return any([_interrupt(wrapper) for wrapper in self.wrappers])  # noqa: C419 - every one


def _interrupt(wrapper) -> bool:
    """End whatever the connection is waiting for, from another thread."""
    raw = getattr(wrapper, "connection", None)
    if raw is None:
        return False
    if wrapper.vendor == "postgresql":
        try:
            pgconn = raw.pgconn
            # Only a connection waiting for the server's answer (a command in flight):
            # a request slow in its own code keeps its idle connection.
            if pgconn.transaction_status != ACTIVE:
                return False
            fd = pgconn.socket
        except Exception:  # closed meanwhile: nothing waits on it
            return False
        with contextlib.suppress(OSError):
            dup = socket.socket(fileno=os.dup(fd))
            try:
                # Shutting down a duplicate shuts the connection itself: the blocked
                # read returns at once and libpq reports the connection lost.
                dup.shutdown(socket.SHUT_RDWR)
            finally:
                dup.close()
        unresponsive = getattr(wrapper, "server_unresponsive", None)
        if unresponsive is not None:
            unresponsive()
        return True
    if wrapper.vendor == "sqlite":
        with contextlib.suppress(Exception):
            raw.interrupt()  # ends a running statement; nothing when none runs
    return False


class _Watchdog:
    """A heap of deadlines and one thread that expires them (started on first use, and
    again in a forked child, where the parent's thread does not exist)."""

    def __init__(self):
        self.heap: list[tuple[float, int, Budget]] = []
        self.counter = itertools.count()
        self.wake = threading.Condition()
        self.pid: int | None = None

    def watch(self, budget: Budget) -> None:
        with self.wake:
            if self.pid != os.getpid():
                self.pid = os.getpid()
                self.heap = []
                threading.Thread(target=self._run, name="deadline-watchdog", daemon=True).start()
            first = not self.heap or budget.at < self.heap[0][0]
            heapq.heappush(self.heap, (budget.at, next(self.counter), budget))
            if first:
                self.wake.notify()

    def _run(self) -> None:
        while True:
            with self.wake:
                while self.heap and self.heap[0][2].done:
                    heapq.heappop(self.heap)  # finished in time: the common case
                if not self.heap:
                    self.wake.wait()
                    continue
                wait = self.heap[0][0] - time.monotonic()
                if wait > 0:
                    self.wake.wait(wait)
                    continue
                _, _, budget = heapq.heappop(self.heap)
            if not budget.done and budget.expire():
                logger.warning("deadline passed: %s; its wait for the database was ended", budget.what)


watchdog = _Watchdog()
_current: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("tracker_deadline", default=None)


def current() -> Budget | None:
    return _current.get()


def remaining() -> float | None:
    """Seconds left before this thread's deadline; None when it has none."""
    budget = _current.get()
    return None if budget is None else budget.remaining()


@contextlib.contextmanager
def deadline(seconds: float, what: str = "-", *, fresh: bool = False) -> Iterator[Budget]:
    """Run the block under a deadline `seconds` from now (none if 0 or less). A deadline
    inside another keeps the earlier of the two, unless it is `fresh` (a write that must
    be retried after its caller's own deadline passed)."""
    outer = None if fresh else _current.get()
    at = time.monotonic() + seconds if seconds and seconds > 0 else float("inf")
    if outer is not None and outer.at <= at:
        yield outer
        return
    if at == float("inf"):
        yield None
        return
    budget = Budget(at, [connections[alias] for alias in connections], what)
    token = _current.set(budget)
    watchdog.watch(budget)
    try:
        yield budget
    finally:
        budget.finish()
        _current.reset(token)


def for_request(request: HttpRequest) -> float:
    """The deadline of a request: the desk's pages get longer (a publish re-checks a
    whole claim), readers, partners and the health check less."""
    if request.path.startswith("/admin/"):
        return settings.ADMIN_REQUEST_DEADLINE_SECONDS
    return settings.REQUEST_DEADLINE_SECONDS


class DeadlineMiddleware:
    """Each request runs under its deadline (see the module's doc)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with deadline(for_request(request), f"{request.method} {request.path[:200]!r}"):
            return self.get_response(request)
