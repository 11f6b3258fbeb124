"""Logs fit for operations: one line per request, and errors with their context.

    INFO tracker.requests [5f0c2a9e1d7b4c38] GET /claims/ 200 12.4ms 1832B client=203.0.113.7 user=-

The path is logged without its query string (search terms are the reader's business;
an API key never travels there, but a mistaken client might put one there anyway), the
client as `client_address()` sees it behind the trusted proxies, the user by id only.
Nothing from the headers (Authorization, Cookie) or the body (passwords) is logged.
Each request has an id, on every line logged while it runs and in its X-Request-ID
header; control characters in anything logged are escaped (tracker/logs.py).
"""

import logging
import re
import time
import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from tracker.logs import request_id
from tracker.proxies import client_address

# An id a trusted proxy passes on (nginx's $request_id), to find a request in both logs.
_GIVEN_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")

logger = logging.getLogger("tracker.requests")


def _user(request: HttpRequest) -> str:
    # Only if authentication already loaded the user: never a query just to log.
    user = getattr(request, "_cached_user", None)
    return str(user.pk) if user is not None and user.is_authenticated else "-"


def describe(request: HttpRequest) -> str:
    return f"{request.method} {request.path} client={client_address(request)} user={_user(request)}"


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        token = request_id.set(_id_for(request))
        try:
            response = self.get_response(request)
            self.log(request, response, started)
        finally:
            request_id.reset(token)
        return response

    def log(self, request: HttpRequest, response: HttpResponse, started: float) -> None:
        response["X-Request-ID"] = request_id.get()
        elapsed = (time.perf_counter() - started) * 1000
        size = "-" if response.streaming else f"{len(response.content)}B"
        logger.info(
            "%s %s %s %.1fms %s client=%s user=%s",
            request.method,
            request.path,
            response.status_code,
            elapsed,
            size,
            client_address(request),
            _user(request),
        )


def _id_for(request: HttpRequest) -> str:
    """The id of this request in the logs: the one our trusted proxy sent, or a new one
    (a client's own header counts only behind a proxy we trust to set it)."""
    if settings.TRUSTED_PROXY_HOPS > 0:
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        if _GIVEN_ID.fullmatch(given):
            return given
    return uuid.uuid4().hex[:16]


class RequestContextFilter(logging.Filter):
    """Adds who asked for what to Django's error records ('Internal Server Error: /x'),
    which otherwise carry the path alone; headers and body are never added."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if isinstance(request, HttpRequest) and not getattr(record, "_context_added", False):
            # A path may hold a literal %: keep the record's %-formatting intact.
            record.msg = f"{record.msg} [{describe(request).replace('%', '%%')}]"
            record._context_added = True
        return True
