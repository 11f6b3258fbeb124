"""The shared response cache: what the public pages and the API keep, and how.

Pages may be stored by browsers and CDNs but must be revalidated on every use
(`no-cache`), so a record that is retracted or unpublished disappears on the very
next request, never after a max-age. Revalidation and repeat visits are cheap:

- Every change readers can see moves the public record version and names the keys it
  touched: the records it changed, those naming them, the lists it may have moved
  (tracker/desk/versioning.py, tracker/events/touched.py). A draft saved, a review,
  a comment, an assignment move nothing a reader sees, and no cached response.
  Reading the version is one primary-key query.
- Last-Modified is the public version's date (never earlier than the start of today:
  pages such as "upcoming meetings" change at midnight), so an unchanged page is
  answered 304 without rendering. HTTP dates count whole seconds, so it is only sent
  once the second of that change is over: a client can never hold a date that a later
  change in the same second would share.
- A rendered page is kept in the cache (Redis when CACHE_URL names one, so every app
  server shares it) under its address and the day (`page_key`), with the keys of what
  it showed (tags.py) and the public version it was built at. It is served while no
  later change touched any of its keys (freshness.py): a correction drops the pages
  showing that claim, the lists it moved, and nothing else; the next request on any
  server builds them afresh. The page is stored with its per-request CSP nonce
  replaced by a marker, and each request gets its own nonce put back in.
- The ETag is a hash of the page with the nonce left out (the nonce would otherwise
  make every ETag unique); ConditionalGetMiddleware compares it.
- In front of a shared cache, each app process also keeps the entries it has used in its
  own memory (a bounded LRU, RESPONSE_MEMORY_CACHE_MB), checked for freshness the
  same way: a hit costs no round trip.

The pages use it through `public_page` (tracker/public/caching.py), the API through
CachedAnswersMixin and its hit path (tracker/api/views.py, hits.py).
"""

import contextlib
import datetime as dt
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import quote_etag

from tracker.desk import versioning
from tracker.outage import CACHE_ERRORS

from . import edge, freshness

# How long an entry no request asks for again (a one-off query's) takes memory; a
# change readers can see makes the entries it touched stale at once, whatever this is.
PAGE_TIMEOUT = 600
# Single flight on a miss: how long others wait for the one request building a response,
# how often they look, and how long a builder's lock outlives a builder that died.
WAIT_SECONDS = 2.0
POLL_SECONDS = 0.01
LOCK_SECONDS = 10
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


def page_key(request: HttpRequest, prefix: str = "page", variant: str = "") -> str:
    """The cache key of this request's response: what the answer depends on and nothing
    else. Its address, whose query holds only the parameters the view reads, in one
    order (tracker/parameters.py drops the rest before the view runs); `variant`, the
    negotiated format with its parameters (the API's `application/json; indent=8` is not
    the plain JSON answer); and the day (pages such as "upcoming meetings" change at
    midnight). Every kept page and API answer is keyed here, so a change to what makes
    two requests the same answer is made once. Whether the kept answer is still fresh is
    its keys' business (freshness.py), not the key's."""
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    if variant:
        address += "\n" + "".join(variant.lower().split())
    digest = hashlib.md5(address.encode(), usedforsecurity=False).hexdigest()
    return f"{prefix}:{timezone.localdate()}:{digest}"


def check(version: versioning.Version) -> None:
    """Learn the public changes up to `version` (the one this request read), before
    looking anything up or building anything."""
    freshness.log.sync(version)


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
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= self.cost(key, old)
            self.entries[key] = entry
            self.size += cost
            while self.size > self.limit:
                self.size -= self.cost(*self.entries.popitem(last=False))

    def drop(self, key: str) -> None:
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= self.cost(key, old)

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
    """The kept response under this key if it is still fresh: this process's memory,
    then the shared cache. None when neither has a fresh one, or the shared cache is
    down (the caller builds it)."""
    entry = memory.get(key) if memory.limit else None
    if entry is not None:
        if freshness.log.fresh(entry[5], entry[4]):
            return entry
        memory.drop(key)
    try:
        entry = cache.get(key)
    except CACHE_ERRORS:
        return None
    if entry is None or not freshness.log.fresh(entry[5], entry[4]):
        return None
    if memory.limit:
        memory.put(key, entry)
    return entry


def keep(
    key: str,
    request: HttpRequest,
    response: HttpResponse,
    *,
    keys: frozenset[str],
    stamp: freshness.Stamp,
    also: tuple[str, ...] = (),
) -> str:
    """Keep a rendered response under this key in both tiers, with the keys of what it
    shows and the public version it was built at, the headers that belong to the page
    and those named in `also` (lower case); return its ETag."""
    content = response.content
    nonce = _nonce(request)
    if nonce:
        content = content.replace(nonce, NONCE_MARK)
    etag = _etag_without_nonce(content)
    headers = {name: value for name, value in response.items() if name.lower() in _KEPT_HEADERS or name.lower() in also}
    entry = (content, headers, bool(nonce), etag, keys, stamp)
    edge.note(request, keys)
    if memory.limit:
        memory.put(key, entry)
    with contextlib.suppress(*CACHE_ERRORS):  # the shared cache is down: served, not kept
        cache.set(key, entry, PAGE_TIMEOUT)
    return etag


@contextlib.contextmanager
def single_flight(key: str) -> Iterator[tuple | None]:
    """On a miss: let one request per address build the response, on every server.

    The first request takes the address's lock in the shared cache and builds (this
    yields None). A request that finds the lock taken waits up to WAIT_SECONDS for the
    response to be kept, and is served it (this yields the entry); past that, or if
    the builder gave up, it builds too. A waiter is only ever served a fresh entry
    (lookup), never an older one: a retraction or withdrawal shows on the next
    request, stampede or not."""
    if not claim_build(key):
        entry = wait_for_build(key)
        if entry is not None:
            yield entry
            return
    try:
        yield None
    finally:
        release_build(key)


def _lock(key: str) -> str:
    return f"{key}:building"


def claim_build(key: str) -> bool:
    """Take the address's build lock; False if another request holds it."""
    try:
        return bool(cache.add(_lock(key), 1, LOCK_SECONDS))
    except CACHE_ERRORS:  # no shared cache: nobody to wait for
        return True


def release_build(key: str) -> None:
    with contextlib.suppress(*CACHE_ERRORS):
        cache.delete(_lock(key))


def wait_for_build(key: str) -> tuple | None:
    """The entry another request is building, once kept (None: build it yourself)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        entry = lookup(key)
        if entry is not None:
            return entry
        try:
            if cache.get(_lock(key)) is None:  # the builder is done (or failed): one last look
                return lookup(key)
        except CACHE_ERRORS:
            return None
    return None


def response_from(request: HttpRequest, entry: tuple) -> HttpResponse:
    """A new response from a kept entry, with this request's nonce."""
    content, headers, uses_nonce, etag = entry[:4]
    edge.note(request, entry[4])
    if uses_nonce:
        content = content.replace(NONCE_MARK, str(request._csp_nonce).encode())
    response = HttpResponse(content)
    for name, value in headers.items():
        response[name] = value
    response["ETag"] = etag
    return response
