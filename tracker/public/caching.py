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
- In front of a shared cache, each app process also keeps the entries it has used in its
  own memory (a bounded LRU, RESPONSE_MEMORY_CACHE_MB): a key names one version of one
  page, so an entry never goes stale, and a hit costs no round trip. A change moves the
  version, the key with it, and every process misses both tiers on its next request.

The API keeps its rendered answers the same way (tracker/api/views.py).
"""

import contextlib
import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps

from django.conf import settings
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


def page_key(request: HttpRequest, version: versioning.Version, prefix: str = "page", variant: str = "") -> str:
    """The cache key of this request's response at this version of the record: what the
    answer depends on and nothing else. The address's query holds only the parameters
    the view reads, in one order (tracker/parameters.py drops the rest before the view
    runs); `variant` is the negotiated format with its parameters (the API's
    `application/json; indent=8` is not the plain JSON answer)."""
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    if variant:
        address += "\n" + "".join(variant.lower().split())
    digest = hashlib.md5(address.encode(), usedforsecurity=False).hexdigest()
    return f"{prefix}:{version.number}.{version.changed_at.timestamp()}:{timezone.localdate()}:{digest}"


def _nonce(request: HttpRequest) -> bytes | None:
    """This request's nonce if the page used it (reading it makes the CSP header carry it)."""
    nonce = getattr(request, "_csp_nonce", None)
    return str(nonce).encode() if nonce else None


class _Memory:
    """The entries this process has used lately, up to a number of bytes (an LRU).
    Safe across the threads of one worker."""

    def __init__(self, limit: int):
        self.limit, self.size = limit, 0
        self.entries: OrderedDict[str, tuple] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> tuple | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    @staticmethod
    def cost(key: str, entry: tuple) -> int:
        """Roughly the bytes an entry holds: its content, its key, the tuple around them."""
        return len(entry[0]) + len(key) + 200

    def put(self, key: str, entry: tuple) -> None:
        cost = self.cost(key, entry)
        if cost > self.limit:
            return
        with self.lock:
            if key in self.entries:
                return
            self.entries[key] = entry
            self.size += cost
            while self.size > self.limit:
                self.size -= self.cost(*self.entries.popitem(last=False))

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.size = 0


def _memory_limit() -> int:
    """RESPONSE_MEMORY_CACHE_MB, by default 32 in front of a shared (Redis) cache and 0,
    no second tier, in front of the process's own local-memory cache."""
    megabytes = getattr(settings, "RESPONSE_MEMORY_CACHE_MB", None)
    if megabytes is None:
        megabytes = 32 if "redis" in settings.CACHES["default"]["BACKEND"].lower() else 0
    return int(megabytes * 1024 * 1024)


memory = _Memory(_memory_limit())


def lookup(key: str) -> tuple | None:
    """The kept response under this key: this process's memory, then the shared cache.
    None when neither has it, or the shared cache is down (the caller renders)."""
    entry = memory.get(key) if memory.limit else None
    if entry is None:
        try:
            entry = cache.get(key)
        except CACHE_ERRORS:
            return None
        if entry is not None and memory.limit:
            memory.put(key, entry)
    return entry


def keep(key: str, request: HttpRequest, response: HttpResponse, also: tuple[str, ...] = ()) -> str:
    """Keep a rendered response under this key in both tiers, with the headers that
    belong to the page and those named in `also` (lower case); return its ETag."""
    content = response.content
    nonce = _nonce(request)
    if nonce:
        content = content.replace(nonce, NONCE_MARK)
    etag = _etag_without_nonce(content)
    headers = {name: value for name, value in response.items() if name.lower() in _KEPT_HEADERS or name.lower() in also}
    entry = (content, headers, bool(nonce), etag)
    if memory.limit:
        memory.put(key, entry)
    with contextlib.suppress(*CACHE_ERRORS):  # the shared cache is down: served, not kept
        cache.set(key, entry, PAGE_TIMEOUT)
    return etag


def response_from(request: HttpRequest, entry: tuple) -> HttpResponse:
    """A new response from a kept entry, with this request's nonce."""
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
        entry = lookup(key)
        if entry is not None:
            response = response_from(request, entry)
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
                response["ETag"] = keep(key, request, response)
        if response.status_code == 200 and int(timezone.now().timestamp()) > int(changed.timestamp()):
            response["Last-Modified"] = http_date(changed.timestamp())
        return set_public_cache_headers(response)

    return wrapper
