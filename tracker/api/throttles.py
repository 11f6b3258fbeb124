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
"""

import math
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

# KEYS: this window's count, the previous one's. ARGV: the previous one's weight, the
# limit, the seconds a count is kept. Returns {allowed, this window's count, previous}.
_CHECK = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
if previous * tonumber(ARGV[1]) + current + 1 > tonumber(ARGV[2]) then
  return {0, current, previous}
end
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
return {1, current + 1, previous}
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


def _check_redis(backend: RedisCache, keys: list[str], weight: float, limit: int, keep: int) -> tuple[bool, int, int]:
    keys = [backend.make_and_validate_key(key) for key in keys]
    allowed, current, previous = _script(backend)(keys=keys, args=[repr(weight), limit, keep])
    return bool(allowed), int(current), int(previous)


def _check_local(backend, keys: list[str], weight: float, limit: int, keep: int) -> tuple[bool, int, int]:
    """The same check on a process's local-memory cache (development, the test suite)."""
    counts = backend.get_many(keys)
    current, previous = counts.get(keys[0], 0), counts.get(keys[1], 0)
    if previous * weight + current + 1 > limit:
        return False, current, previous
    backend.add(keys[0], 0, keep)
    return True, backend.incr(keys[0]), previous


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
        weight = 1 - elapsed / duration
        backend = caches["default"]
        if isinstance(backend, RedisCache):
            allowed, current, previous = _check_redis(backend, keys, weight, limit, 2 * duration)
        else:
            allowed, current, previous = _check_local(backend, keys, weight, limit, 2 * duration)
        if not allowed:
            self.wait_seconds = seconds_to_wait(current, previous, elapsed, limit, duration)
        return allowed

    def wait(self) -> int | None:
        return getattr(self, "wait_seconds", None)


class ExportRateThrottle(APIRateThrottle):
    """The bulk export is heavy: its own, lower rate, on top of the general one."""

    def scope_for(self, request: Request) -> str:
        return "export"
