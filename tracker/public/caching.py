"""Cache headers, conditional GET and the shared response cache for the public pages.

Pages may be stored by browsers and CDNs but must be revalidated on every use
(`no-cache`), so a record that is retracted or unpublished disappears on the very
next request, never after a max-age. Revalidation and repeat visits are cheap:

- Every change of the desk's records moves the record version (one row, moved by the
  services in the change's own transaction: tracker/desk/versioning.py). Reading it is
  one primary-key query.
- Last-Modified is the version's date (never earlier than the start of today: pages
  such as "upcoming meetings" change at midnight), so an unchanged page is answered 304
  without rendering. HTTP dates count whole seconds, so it is only sent once the second
  of that change is over: a client can never hold a date that a later change in the
  same second would share.
- A rendered page is kept in the cache (Redis when CACHE_URL names one, so every app
  server shares it) under its address, the version and the day. A change moves the
  version, so the next request on any server renders afresh; old entries are never read
  again and expire. The page is stored with its per-request CSP nonce replaced by a
  marker, and each request gets its own nonce put back in.
- The ETag is a hash of the page with the nonce left out (the nonce would otherwise
  make every ETag unique); ConditionalGetMiddleware compares it.
"""

import contextlib
import datetime as dt
import hashlib
from collections.abc import Callable
from functools import wraps

from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.response import SimpleTemplateResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag

from tracker.desk import versioning
from tracker.outage import CACHE_ERRORS

from .records import RecordGone

# A page's cache entry outlives no version change; this only bounds how long an entry
# no request will ask for again (an old version's, a one-off query's) takes memory.
PAGE_TIMEOUT = 600
NONCE_MARK = b"\x00csp-nonce\x00"  # never in a page: HTML has no NUL characters
# Headers a view sets that belong to the page (the rest are set per request).
_KEPT_HEADERS = {"content-type", "content-language", "x-robots-tag", "link"}


def _start_of_today() -> dt.datetime:
    return timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)


def last_change(version: versioning.Version | None = None) -> dt.datetime:
    """The latest change to anything a public page can show, and never earlier than
    the start of today."""
    version = version or versioning.current()
    return max(version.changed_at, _start_of_today())


def _etag_without_nonce(content: bytes) -> str:
    return quote_etag(hashlib.md5(content, usedforsecurity=False).hexdigest())


def set_public_cache_headers(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, public=True, no_cache=True, max_age=0)
    return response


def page_key(request: HttpRequest, version: versioning.Version, prefix: str = "page") -> str:
    """The cache key of this request's response at this version of the record."""
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.md5(address.encode(), usedforsecurity=False).hexdigest()
    return f"{prefix}:{version.number}.{version.changed_at.timestamp()}:{timezone.localdate()}:{digest}"


def _nonce(request: HttpRequest) -> bytes | None:
    """This request's nonce if the page used it (reading it makes the CSP header carry it)."""
    nonce = getattr(request, "_csp_nonce", None)
    return str(nonce).encode() if nonce else None


def _store(key: str, request: HttpRequest, response: HttpResponse) -> str:
    """Keep the page; return its ETag."""
    content = response.content
    nonce = _nonce(request)
    if nonce:
        content = content.replace(nonce, NONCE_MARK)
    etag = _etag_without_nonce(content)
    headers = {name: value for name, value in response.items() if name.lower() in _KEPT_HEADERS}
    with contextlib.suppress(*CACHE_ERRORS):  # the shared cache is down: served, not kept
        cache.set(key, (content, headers, bool(nonce), etag), PAGE_TIMEOUT)
    return etag


def _from_cache(request: HttpRequest, entry) -> HttpResponse:
    content, headers, uses_nonce, etag = entry
    if uses_nonce:
        content = content.replace(NONCE_MARK, str(request._csp_nonce).encode())
    response = HttpResponse(content)
    for name, value in headers.items():
        response[name] = value
    response["ETag"] = etag
    return response


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Conditional GET, the shared response cache and revalidate-always cache headers
    around a public view."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            version = versioning.current()
        except (OperationalError, InterfaceError):
            # The database is down (tracker/outage.py): a page that needs no record is
            # still served, undated and uncached; one that needs a record raises again
            # in the view and answers 503.
            try:
                return set_public_cache_headers(view(request, *args, **kwargs))
            except RecordGone as gone:
                return set_public_cache_headers(render(request, "public/gone.html", {"gone": gone}, status=410))
        changed = last_change(version)
        not_modified = get_conditional_response(request, last_modified=int(changed.timestamp()))
        if not_modified is not None:
            return set_public_cache_headers(not_modified)
        key = page_key(request, version)
        try:
            entry = cache.get(key)
        except CACHE_ERRORS:  # the shared cache is down: render the page, as without one
            entry = None
        if entry is not None:
            response = _from_cache(request, entry)
        else:
            try:
                response = view(request, *args, **kwargs)
            except RecordGone as gone:
                response = render(request, "public/gone.html", {"gone": gone}, status=410)
            if response.status_code == 200 and not response.streaming:
                if isinstance(response, SimpleTemplateResponse):
                    response.render()
                # Feeds and the sitemap date themselves by their newest item, which does not
                # move when an item is retracted; ours covers every change.
                del response["Last-Modified"]
                response["ETag"] = _store(key, request, response)
        if response.status_code == 200 and int(timezone.now().timestamp()) > int(changed.timestamp()):
            response["Last-Modified"] = http_date(changed.timestamp())
        return set_public_cache_headers(response)

    return wrapper
