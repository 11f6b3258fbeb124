"""When the database (or the shared cache) is unreachable: a 503, not a 500.

A dependency that goes away is an outage, not a bug: readers get a short page and the
API a JSON error, both with `Retry-After`; pages that need no record keep working
(the conditional-GET wrapper in tracker/public/caching.py serves them undated); and
the log gets one line per failure kind per interval saying how many requests failed,
never a traceback per request (11 s of outage once wrote 25 MB of them).

Two places catch it: `OutageMiddleware.process_exception` for what a view (or its
template) raises, and the 500 handler (tracker/urls.py) for what a middleware raises
around the view (a session saved on the way out). `QuietOutageFilter` keeps Django's
own request logger from adding a traceback for the same failure.
"""

import logging
import re
import sys
import threading
import time

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

try:  # only installed with the Redis cache
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError
except ImportError:  # pragma: no cover
    RedisConnectionError = RedisTimeoutError = ()

logger = logging.getLogger("tracker.outage")

RETRY_AFTER = 30  # seconds: a restart or a fail-over, not a rebuild
LOG_INTERVAL = 10.0  # seconds between two log lines for the same kind of failure

DATABASE_ERRORS = (OperationalError, InterfaceError)
CACHE_ERRORS = tuple(error for error in (RedisConnectionError, RedisTimeoutError) if isinstance(error, type))

_PASSWORD = re.compile(r"(password\s*=\s*)\S+", re.IGNORECASE)


def dependency_of(exc: BaseException | None) -> str | None:
    """'database' or 'cache' when `exc` means that dependency is unreachable."""
    if isinstance(exc, DATABASE_ERRORS):
        return "database"
    if CACHE_ERRORS and isinstance(exc, CACHE_ERRORS):
        return "cache"
    return None


class _RateLimitedLog:
    """At most one line per dependency per LOG_INTERVAL, counting the failures between."""

    def __init__(self):
        self._lock = threading.Lock()
        self._last: dict[str, float] = {}
        self._suppressed: dict[str, int] = {}

    def failure(self, dependency: str, exc: BaseException, request: HttpRequest | None) -> None:
        now = time.monotonic()
        with self._lock:
            if now - self._last.get(dependency, -LOG_INTERVAL) < LOG_INTERVAL:
                self._suppressed[dependency] = self._suppressed.get(dependency, 0) + 1
                return
            self._last[dependency] = now
            suppressed = self._suppressed.pop(dependency, 0)
        # The driver's message names host and port, never a password; scrub one anyway.
        reason = _PASSWORD.sub(r"\1***", " ".join(str(exc).split()))[:300]
        where = f"{request.method} {request.path}" if request is not None else "-"
        logger.error(
            "%s unavailable: %s: %s (at %s; %d more failures in the last %ds not logged)",
            dependency,
            exc.__class__.__name__,
            reason,
            where,
            suppressed,
            LOG_INTERVAL,
        )


failures = _RateLimitedLog()


def outage_response(request: HttpRequest, dependency: str) -> HttpResponse:
    detail = "The service is briefly unavailable. Please try again in a moment."
    if request.path.startswith("/api/"):
        from tracker.api.errors import error_body

        response = JsonResponse(error_body(503, f"{dependency}_unavailable", detail), status=503)
    else:
        try:
            html = render_to_string("503.html", {"retry_after": RETRY_AFTER}, request=request)
        except Exception:  # the page itself needs nothing more; if even that fails, plain text
            html = f"<!doctype html><title>Unavailable</title><h1>Briefly unavailable</h1><p>{detail}</p>"
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


def handle(request: HttpRequest, exc: BaseException) -> HttpResponse | None:
    """The 503 for an unreachable dependency, logged once per interval; None otherwise."""
    dependency = dependency_of(exc)
    if dependency is None:
        return None
    failures.failure(dependency, exc, request)
    return outage_response(request, dependency)


def handle_current(request: HttpRequest) -> HttpResponse | None:
    """For the 500 handler: the exception being handled, if it is an outage."""
    return handle(request, sys.exc_info()[1])


class OutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return handle(request, exception)


class QuietOutageFilter(logging.Filter):
    """Drops Django's 'Internal Server Error' record (and its traceback) when the error
    is an outage: OutageMiddleware or the 500 handler logs it, once per interval."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and dependency_of(record.exc_info[1]))
