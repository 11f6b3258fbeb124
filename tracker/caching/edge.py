"""The edge cache in front of the app servers (Varnish with xkey: deploy/varnish/tracker.vcl).

With an edge configured (EDGE_PURGE_URLS), a public page or API answer is kept there
for up to EDGE_MAX_AGE seconds and dropped the moment a change touches what it shows:

- The response says what it shows: `xkey`, the keys the response cache keeps it under
  (tags.py; tracker/events/touched.py names the same keys when a change touches them).
  `Cache-Control: public, max-age=0, s-maxage=N` lets the edge keep it; the VCL strips
  the keys and gives readers `no-cache` back, so browsers and caches that are not ours
  still revalidate on every use.
- When a change readers can see commits, the process that made it sends every edge its
  keys (purge.py, `PURGE` with `xkey-purge`); the worker sends what that did not get
  acknowledged, again and again until every edge did.
  The edge also notes when it was last purged: a response it had asked for before
  then (perhaps rendered before the change committed) is served but not kept, so a
  purge is never undone by a slow render.
- Only what any reader would be served is kept: a GET or HEAD answered 200, with no
  cookie set, to a request with no session, CSRF or staff cookie and no Authorization
  header (the VCL passes those straight to the app servers as well).

Without EDGE_PURGE_URLS nothing here runs and responses keep the revalidate-always
headers responses.py sets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .tags import EVERYTHING

KEYS_HEADER = "xkey"
# Cookies that make a request someone's own: the session, the CSRF token, the staff marker.
PRIVATE_COOKIES = ("sessionid", "csrftoken", "desk_staff")
_NOTE = "_edge_note"


def enabled() -> bool:
    return bool(settings.EDGE_PURGE_URLS)


def note(request: HttpRequest, keys: Iterable[str]) -> None:
    """The response to this request shows what these keys name."""
    setattr(getattr(request, "_request", request), _NOTE, frozenset(keys))  # DRF's Request: the HttpRequest


def keys_header(keys: Iterable[str]) -> str:
    """The keys, space separated; past EDGE_KEYS_MAX_BYTES just `public`, which every
    change readers can see purges (a header the edge would refuse must not be sent)."""
    value = " ".join(sorted(keys))
    if not value or len(value) > settings.EDGE_KEYS_MAX_BYTES:
        return EVERYTHING
    return value


def max_age(now: dt.datetime | None = None) -> int:
    """EDGE_MAX_AGE, and never past the local midnight: pages such as "upcoming
    meetings" change then without a change to purge them."""
    now = timezone.localtime(now)
    midnight = (now + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(0, min(settings.EDGE_MAX_AGE, int((midnight - now).total_seconds())))


def _anonymous(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or "HTTP_AUTHORIZATION" in request.META:
        return False
    return not any(name in request.COOKIES for name in PRIVATE_COOKIES)


def _shared(response: HttpResponse) -> bool:
    vary = {part.strip().lower() for part in response.get("Vary", "").split(",")}
    return response.status_code == 200 and not response.cookies and "cookie" not in vary


class EdgeHeadersMiddleware:
    """Marks a response the edge may keep (see the module's doc). Not used at all
    without EDGE_PURGE_URLS."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        if not enabled():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        keys = getattr(request, _NOTE, None)
        if keys is None or not _anonymous(request) or not _shared(response):
            return response
        seconds = max_age()
        if not seconds:
            return response
        response[KEYS_HEADER] = keys_header(keys)
        response["Cache-Control"] = f"public, max-age=0, s-maxage={seconds}"
        return response
