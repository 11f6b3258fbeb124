"""PostgreSQL that fails fast when the server stops answering.

Django's own backend, with two additions (the connection options themselves, the
keepalives and the statement timeout, are set in settings.py):

- A connection is not started when the request or job has too little of its deadline
  left to finish connecting (tracker/deadline.py): it would only make the caller wait
  past its deadline for an answer it could no longer use.
- After the server failed to answer (a connection attempt that timed out or was
  refused, or a query the deadline's watchdog had to end), this process does not try
  again for RETRY_SECONDS: meanwhile every request that needs the database fails at
  once with the same OperationalError, which tracker/outage.py answers with a 503,
  instead of each waiting out a connect timeout in turn. After that one request
  (one thread) tries again; the first connection that succeeds closes the breaker.
"""

import threading
import time

from django.db.backends.postgresql import base

from tracker import deadline

RETRY_SECONDS = 1.0
# Too little time to connect and still answer: fail now.
MIN_CONNECT_SECONDS = 0.5


class _Breaker:
    """Per process and server: when it last failed to answer, and who may try again."""

    def __init__(self):
        self.lock = threading.Lock()
        self.failed_at: float | None = None
        self.reason = ""

    def allow(self) -> str | None:
        """None when a connection may be tried now, else why not."""
        with self.lock:
            if self.failed_at is None:
                return None
            since = time.monotonic() - self.failed_at
            if since >= RETRY_SECONDS:
                self.failed_at = time.monotonic()  # this caller probes; the others keep failing fast
                return None
            return f"the database did not answer {since:.1f} s ago ({self.reason}); not trying again yet"

    def failed(self, reason: str) -> None:
        with self.lock:
            self.failed_at = time.monotonic()
            self.reason = reason[:120]

    def succeeded(self) -> None:
        with self.lock:
            self.failed_at = None


_breakers: dict[tuple, _Breaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(conn_params: dict) -> _Breaker:
    key = (conn_params.get("host"), conn_params.get("port"), conn_params.get("dbname"))
    with _breakers_lock:
        return _breakers.setdefault(key, _Breaker())


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        left = deadline.remaining()
        if left is not None:
            if left < MIN_CONNECT_SECONDS:
                raise self.Database.OperationalError(
                    f"not connecting: {max(left, 0):.1f} s left of this request's deadline"
                )
            # Wait no longer than the deadline allows (psycopg waits at least 2 s).
            configured = float(conn_params.get("connect_timeout") or 0) or float("inf")
            conn_params = {**conn_params, "connect_timeout": max(2, int(min(configured, left)))}
        breaker = self.breaker = breaker_for(conn_params)
        refused = breaker.allow()
        if refused:
            raise self.Database.OperationalError(refused)
        try:
            connection = super().get_new_connection(conn_params)
        except self.Database.OperationalError as exc:
            breaker.failed(type(exc).__name__)
            raise
        breaker.succeeded()
        return connection

    def server_unresponsive(self) -> None:
        """Called by the deadline's watchdog when it ended a wait on this connection."""
        breaker = getattr(self, "breaker", None)
        if breaker is not None:
            breaker.failed("a query got no answer before its deadline")
