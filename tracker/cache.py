"""Redis that fails fast when it stops answering.

Every cache connection (the response cache, the rate counters) has short socket
timeouts (REDIS_SOCKET_TIMEOUT), and after Redis failed to answer, this process does
not try it again for RETRY_SECONDS: meanwhile every command fails at once with a
ConnectionError. The pages then render from the database without the shared cache
(tracker/public/caching.py treats a failing cache as a miss), and what cannot work
without it (the API's rate counts) answers 503 (tracker/outage.py), each in
milliseconds instead of a timeout per command. One command per process tries again
after RETRY_SECONDS; the first that gets an answer closes the breaker.

Used through the connection pool's `connection_class` (tracker/settings.py,
`cache_from_url`), so every command is covered, the throttles' Lua script included.
"""

import threading
import time

from redis.connection import Connection, SSLConnection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

RETRY_SECONDS = 1.0


class _Breaker:
    def __init__(self):
        self.lock = threading.Lock()
        self.failed_at: dict[tuple, float] = {}

    def check(self, server: tuple) -> None:
        with self.lock:
            failed_at = self.failed_at.get(server)
            if failed_at is None:
                return
            since = time.monotonic() - failed_at
            if since >= RETRY_SECONDS:
                self.failed_at[server] = time.monotonic()  # this caller probes
                return
        raise RedisConnectionError(f"Redis did not answer {since:.1f} s ago; not trying again yet")

    def failed(self, server: tuple) -> None:
        with self.lock:
            self.failed_at[server] = time.monotonic()

    def succeeded(self, server: tuple) -> None:
        if server in self.failed_at:
            with self.lock:
                self.failed_at.pop(server, None)


breaker = _Breaker()


class FailFastConnection(Connection):
    """A redis-py connection that consults the breaker before connecting and opens it
    when the server does not answer."""

    def _server(self) -> tuple:
        return (self.host, self.port)

    def connect(self):
        if self._sock is None:
            breaker.check(self._server())
        try:
            return super().connect()
        except (RedisConnectionError, RedisTimeoutError):
            breaker.failed(self._server())
            raise

    def read_response(self, *args, **kwargs):
        try:
            response = super().read_response(*args, **kwargs)
        except (RedisConnectionError, RedisTimeoutError):
            breaker.failed(self._server())
            raise
        breaker.succeeded(self._server())
        return response


class FailFastSSLConnection(FailFastConnection, SSLConnection):
    """The same over TLS (rediss://)."""
