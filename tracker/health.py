"""/healthz: one check per dependency, for the load balancer and for whoever is on call.

    {"status": "ok", "checks": {"database": {"status": "ok", "ms": 1.2}, "cache": {...}}}

Any failing check makes the answer a 503 with "status": "error" and the failing check's
error class (never its message: it can name hosts). Each check is a function that
returns nothing or raises.

Hook for a background worker: register its check only when a worker is configured,
from its app's `ready()`, for instance

    from tracker import health
    if settings.TASKS["default"]["BACKEND"] != "django.tasks.backends.immediate.ImmediateBackend":
        health.register("worker", check_worker_heartbeat)

so that /healthz lists "worker" exactly when there is one.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connections

CHECKS: dict[str, Callable[[], None]] = {}


def register(name: str, check: Callable[[], None]) -> None:
    CHECKS[name] = check


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
            healthy = False
            results[name] = {"status": "error", "error": exc.__class__.__name__}
        else:
            results[name] = {"status": "ok", "ms": round((time.perf_counter() - started) * 1000, 1)}
    return healthy, results
