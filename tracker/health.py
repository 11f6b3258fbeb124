"""/healthz: one check per dependency, for the load balancer and for whoever is on call.

    {"status": "ok", "checks": {"database": {"status": "ok", "ms": 1.2}, "cache": {...}}}

Any failing check makes the answer a 503 with "status": "error" and the failing check's
error class (never its message: it can name hosts). Each check is a function that
returns nothing or raises.

The background worker (tracker.delivery) registers an advisory check when jobs go to a
persistent backend: /healthz lists "worker", and a dead worker shows as an error
there without taking the app server out of the load balancer.
"""

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.core.cache import caches
from django.db import connections

from tracker import deadline

CHECKS: dict[str, Callable[[], None]] = {}
# Checks reported but not counted against the app server: a stopped background worker
# delays webhooks and mail, yet the pages and the API still serve.
ADVISORY: set[str] = set()
# /healthz answers within this, whatever its dependencies do: a check still running
# then is reported as an error ("Timeout"), and keeps running on its own thread (up
# to CHECK_DEADLINE, when the deadline's watchdog ends its database wait).
ANSWER_WITHIN = 0.8
CHECK_DEADLINE = 10.0


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


def _check_cache(alias: str) -> Callable[[], None]:
    def check() -> None:
        store = caches[alias]
        key = "healthz:probe"
        store.set(key, "ok", 10)
        if store.get(key) != "ok":
            raise RuntimeError("the cache did not keep a value")

    return check


check_cache = _check_cache("default")

register("database", _check("default"))
if "replica" in settings.DATABASES:  # DATABASE_REPLICA_URL
    register("replica", _check("replica"))
register("cache", check_cache)
_rates, _default = settings.CACHES["rates"], settings.CACHES["default"]
if "redis" in _rates["BACKEND"].lower() and _rates["LOCATION"] != _default.get("LOCATION"):  # RATES_CACHE_URL
    register("rates", _check_cache("rates"))


class _Runner:
    """One thread per check, kept for the life of the process (with its own database
    connection), so a check that hangs holds only its own thread, and a second
    /healthz finds it still running instead of starting another."""

    def __init__(self, name: str):
        self.name = name
        self.lock = threading.Lock()
        self.pending: Future | None = None
        self.started = 0.0

    def submit(self, check: Callable[[], None]) -> tuple[Future, float]:
        with self.lock:
            if self.pending is None or self.pending.done():
                self.pending, self.started = Future(), time.perf_counter()
                threading.Thread(
                    target=self._run, args=(check, self.pending), name=f"healthz-{self.name}", daemon=True
                ).start()
            return self.pending, self.started

    @staticmethod
    def _run(check: Callable[[], None], future: Future) -> None:
        try:
            with deadline.deadline(CHECK_DEADLINE, "healthz check"):
                check()
        except BaseException as exc:  # noqa: BLE001 - reported, never raised
            future.set_exception(exc)
        else:
            future.set_result(None)
        finally:
            connections.close_all()  # this thread's own; the next check connects afresh


_runners: dict[str, _Runner] = {}


def run_checks() -> tuple[bool, dict[str, dict]]:
    results, healthy = {}, True
    submitted = {}
    for name, check in CHECKS.items():
        runner = _runners.setdefault(name, _Runner(name))
        submitted[name] = runner.submit(check)
    answer_by = time.monotonic() + ANSWER_WITHIN
    for name, (future, started) in submitted.items():
        try:
            future.result(timeout=max(0.0, answer_by - time.monotonic()))
        except FutureTimeout:
            healthy = healthy and name in ADVISORY
            results[name] = {"status": "error", "error": "Timeout"}
        except Exception as exc:  # any failure of a dependency is "not healthy"
            healthy = healthy and name in ADVISORY
            results[name] = {"status": "error", "error": exc.__class__.__name__}
        else:
            results[name] = {"status": "ok", "ms": round((time.perf_counter() - started) * 1000, 1)}
    return healthy, results
