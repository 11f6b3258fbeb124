"""/healthz: one check per dependency, for the load balancer and for whoever is on call.

    {"status": "ok", "checks": {"database": {"status": "ok", "ms": 1.2}, "cache": {...}}}

Any failing check makes the answer a 503 with "status": "error" and the failing check's
error class (never its message: it can name hosts). Each check is a function that
returns nothing or raises.

The background worker (tracker.delivery) registers an advisory check when jobs go to a
persistent backend: /healthz lists "worker", and a dead worker shows as an error
there without taking the app server out of the load balancer.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connections

CHECKS: dict[str, Callable[[], None]] = {}
# Checks reported but not counted against the app server: a stopped background worker
# delays webhooks and mail, yet the pages and the API still serve.
ADVISORY: set[str] = set()


def register(name: str, check: Callable[[], None], *, advisory: bool = False) -> None:
    CHECKS[name] = check
    if advisory:
        ADVISORY.add(name)


def _check(alias: str) -> Callable[[], None]:
    def check() -> None:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    return check


def check_cache() -> None:
    key = "healthz:probe"
    cache.set(key, "ok", 10)
    if cache.get(key) != "ok":
        raise RuntimeError("the cache did not keep a value")


register("database", _check("default"))
if "replica" in settings.DATABASES:  # DATABASE_REPLICA_URL
    register("replica", _check("replica"))
register("cache", check_cache)


def run_checks() -> tuple[bool, dict[str, dict]]:
    results, healthy = {}, True
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
        except Exception as exc:  # any failure of a dependency is "not healthy"
            healthy = healthy and name in ADVISORY
            results[name] = {"status": "error", "error": exc.__class__.__name__}
        else:
            results[name] = {"status": "ok", "ms": round((time.perf_counter() - started) * 1000, 1)}
    return healthy, results
