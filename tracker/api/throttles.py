"""Request rates: anonymous clients by address, partners by key.

Rates are read from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] at request time (DRF's
own throttles read them once at import), so tests and deployments can change them.
An anonymous client is counted by `client_address()`: the address our trusted proxies
saw, never a forwarding header the client wrote itself.

Counting is a sliding window estimated from two fixed ones (as nginx and Cloudflare
do): a client's count is this window's requests plus the previous window's, weighted
by how much of it still lies within the last `duration`. The counts are two integers
in the default cache, so every worker and every server shares them (Redis when
CACHE_URL says so). On Redis a check is one round trip, a small script that reads both
counts and counts the request only if it is allowed; DRF's own throttle kept a list of
every request's time and read and rewrote it whole, a cost that grew with the rate.
A refused request is not counted, so Retry-After tells the truth. When Redis does not
answer, the rates cannot be kept: the API answers 503 (tracker/outage.py), as before.

A client with a high rate does not pay that round trip on every request: a process asks
for a lease of up to 1/LEASE_SHARE of the limit (at most LEASE_MAX requests) in one
check, and spends it locally until it runs out or the window ends. The lease is counted
in Redis when it is granted, and only as much of it as fits under the limit is granted,
so a client never gets more than its limit; what a process leaves unspent is counted
all the same, so a client can be refused up to (processes - 1) x (lease - 1) requests
early. At the default rates (60 and 1,200 a minute) a lease is 1 and 6 requests.
"""

import math
import threading
import time
import weakref

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.commands.core import Script
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle
from rest_framework_api_key.models import APIKey

from tracker.proxies import client_address

LEASE_SHARE = 200
LEASE_MAX = 500

# KEYS: this window's count, the previous one's. ARGV: the previous one's weight, the
# limit, the seconds a count is kept, the requests wanted. Grants as many of them as fit.
# Returns {granted, this window's count, previous}; granted 0 is a refusal.
_CHECK = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
local room = math.floor(tonumber(ARGV[2]) - previous * tonumber(ARGV[1]) - current)
local granted = math.min(tonumber(ARGV[4]), room)
if granted < 1 then
  return {0, current, previous}
end
redis.call('INCRBY', KEYS[1], granted)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
return {granted, current + granted, previous}
"""


def window_key(scope: str, ident: str, window: int) -> str:
    return f"throttle:{scope}:{ident}:{window}"


_scripts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _script(backend: RedisCache) -> Script:
    """The check, registered once per cache client: later calls send its hash (EVALSHA)."""
    script = _scripts.get(backend._cache)
    if script is None:
        script = _scripts[backend._cache] = backend._cache.get_client(write=True).register_script(_CHECK)
    return script


def _room(current: int, previous: int, weight: float, limit: int) -> int:
    """How many more requests fit under the sliding estimate (the script's own sum)."""
    return math.floor(limit - previous * weight - current)


def _check_redis(backend: RedisCache, keys: list[str], weight: float, limit: int, keep: int, want: int):
    keys = [backend.make_and_validate_key(key) for key in keys]
    granted, current, previous = _script(backend)(keys=keys, args=[repr(weight), limit, keep, want])
    return int(granted), int(current), int(previous)


def _check_local(backend, keys: list[str], weight: float, limit: int, keep: int, want: int):
    """The same check on a process's local-memory cache (development, the test suite)."""
    counts = backend.get_many(keys)
    current, previous = counts.get(keys[0], 0), counts.get(keys[1], 0)
    granted = min(want, _room(current, previous, weight, limit))
    if granted < 1:
        return 0, current, previous
    backend.add(keys[0], 0, keep)
    return granted, backend.incr(keys[0], granted), previous


def lease_size(limit: int) -> int:
    return max(1, min(LEASE_MAX, limit // LEASE_SHARE))


class _Leases:
    """The requests this process may still answer per client without asking the shared
    count, each until its window ends. Safe across the threads of one worker. Ended
    windows' leases are dropped once the earliest kept one has ended, not on every
    lease: a pass over many clients' leases once a window, not once a request."""

    def __init__(self):
        self.left: dict[str, list] = {}  # key: [requests left, the time its window ends]
        self.first_end = math.inf  # the earliest end among the kept leases
        self.lock = threading.Lock()

    def take(self, key: str, now: float) -> bool:
        with self.lock:
            lease = self.left.get(key)
            if lease is None or lease[0] < 1 or lease[1] <= now:
                return False
            lease[0] -= 1
            return True

    def keep(self, key: str, requests: int, until: float, now: float) -> None:
        with self.lock:
            if now >= self.first_end:
                self.left = {k: lease for k, lease in self.left.items() if lease[1] > now}
                self.first_end = min((lease[1] for lease in self.left.values()), default=math.inf)
            self.left[key] = [requests, until]
            self.first_end = min(self.first_end, until)

    def clear(self) -> None:
        with self.lock:
            self.left.clear()
            self.first_end = math.inf


leases = _Leases()


def seconds_to_wait(current: int, previous: int, elapsed: float, limit: int, duration: int) -> int:
    """Until one more request fits under the sliding estimate."""
    room = limit - 1 - current
    if room >= 0 and previous:  # within this window, once enough of the previous one has slid out
        wait = duration * (1 - room / previous) - elapsed
    else:  # in the next window, once enough of this one has slid out
        wait = duration - elapsed + duration * max(0.0, 1 - (limit - 1) / max(current, 1))
    return max(1, math.ceil(wait - 1e-9))  # 9.000000000000002 s is 9 s


class APIRateThrottle(BaseThrottle):
    """`anon` for requests without a key, `partner` for requests with a valid one."""

    parse_rate = SimpleRateThrottle.parse_rate

    def scope_for(self, request: Request) -> str:
        return "partner" if isinstance(request.auth, APIKey) else "anon"

    def ident_for(self, request: Request) -> str:
        return request.auth.prefix if isinstance(request.auth, APIKey) else client_address(request._request)

    def allow_request(self, request: Request, view) -> bool:
        scope = self.scope_for(request)
        limit, duration = self.parse_rate(api_settings.DEFAULT_THROTTLE_RATES[scope])
        if limit is None:
            return True
        now = time.time()
        window, elapsed = divmod(now, duration)
        ident = self.ident_for(request)
        keys = [window_key(scope, ident, int(window)), window_key(scope, ident, int(window) - 1)]
        lease_key = f"{keys[0]}:{limit}/{duration}"
        if leases.take(lease_key, now):
            return True
        weight = 1 - elapsed / duration
        backend = caches["rates"]
        check = _check_redis if isinstance(backend, RedisCache) else _check_local
        granted, current, previous = check(backend, keys, weight, limit, 2 * duration, lease_size(limit))
        if not granted:
            self.wait_seconds = seconds_to_wait(current, previous, elapsed, limit, duration)
        elif granted > 1:  # this request takes one; the rest are this process's to spend
            leases.keep(lease_key, granted - 1, until=(int(window) + 1) * duration, now=now)
        return bool(granted)

    def wait(self) -> int | None:
        return getattr(self, "wait_seconds", None)


class ExportRateThrottle(APIRateThrottle):
    """The bulk export is heavy: its own, lower rate, on top of the general one."""

    def scope_for(self, request: Request) -> str:
        return "export"
