"""Rate leases (tracker/api/throttles.py): a process spends a client's granted requests
locally instead of asking Redis on every request. Whatever the processes and however
their requests interleave, a client never gets more than its limit in a window, and is
refused early by at most what the other processes still hold unspent."""

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.test import RequestFactory
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from rest_framework.request import Request

from tests import effort
from tracker.api import throttles
from tracker.api.throttles import APIRateThrottle, lease_size, window_key

NOW = 1_800_000_030.0  # half a minute into a window


def redis_caches(url: str) -> dict:
    redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    return {"default": redis, "rates": redis}


@pytest.fixture(params=["local", "redis"])
def backend(request, settings):
    """The throttle on the process's local-memory cache and on Redis (the Lua script)."""
    if request.param == "redis":
        settings.CACHES = redis_caches(request.getfixturevalue("redis_url"))
    caches["rates"].clear()
    yield caches["rates"]
    caches["rates"].clear()


@pytest.fixture
def clock(monkeypatch):
    monkeypatch.setattr(throttles.time, "time", lambda: NOW)


def set_rate(settings, rate: str) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": rate, "partner": rate, "export": rate},
    }


def ask(process: throttles._Leases, monkeypatch, address: str = "192.0.2.7") -> bool:
    """One request, as answered by the process that holds these leases."""
    monkeypatch.setattr(throttles, "leases", process)
    request = Request(RequestFactory().get("/api/v1/topics/", REMOTE_ADDR=address), authenticators=())
    return APIRateThrottle().allow_request(request, view=None)


def this_window_count(backend) -> int:
    return backend.get(window_key("anon", "192.0.2.7", int(NOW // 60))) or 0


def test_a_lease_is_counted_when_granted_and_spent_without_asking_again(backend, settings, clock, monkeypatch):
    set_rate(settings, "1000/min")
    process = throttles._Leases()
    assert lease_size(1000) == 5

    assert ask(process, monkeypatch)
    assert this_window_count(backend) == 5  # the whole lease, at once
    assert all(ask(process, monkeypatch) for _ in range(4))
    assert this_window_count(backend) == 5  # spent locally
    assert ask(process, monkeypatch)
    assert this_window_count(backend) == 10


def test_at_the_default_anonymous_rate_every_request_is_counted(backend, settings, clock, monkeypatch):
    set_rate(settings, "60/min")
    process = throttles._Leases()

    assert [ask(process, monkeypatch) for _ in range(61)] == [True] * 60 + [False]
    assert this_window_count(backend) == 60
    assert process.left == {}


def test_a_lease_ends_with_its_window(backend, settings, monkeypatch):
    set_rate(settings, "1000/min")
    process = throttles._Leases()
    monkeypatch.setattr(throttles.time, "time", lambda: NOW)
    assert ask(process, monkeypatch)

    monkeypatch.setattr(throttles.time, "time", lambda: NOW + 60)  # the next window
    assert ask(process, monkeypatch)
    assert backend.get(window_key("anon", "192.0.2.7", int(NOW // 60) + 1)) == 5
    assert list(process.left) == [f"{window_key('anon', '192.0.2.7', int(NOW // 60) + 1)}:1000/60"]


def test_ended_windows_leases_are_dropped_once_the_earliest_has_ended():
    process = throttles._Leases()
    process.keep("a", 4, until=60, now=10)
    process.keep("b", 4, until=120, now=20)
    assert set(process.left) == {"a", "b"}

    process.keep("c", 4, until=120, now=70)  # "a" ended at 60

    assert set(process.left) == {"b", "c"}
    assert process.first_end == 120
    assert not process.take("a", now=70) and process.take("b", now=70)


def test_near_the_limit_only_what_fits_is_granted(backend, settings, clock, monkeypatch):
    set_rate(settings, "1000/min")
    backend.set(window_key("anon", "192.0.2.7", int(NOW // 60)), 997, 120)
    process = throttles._Leases()

    assert [ask(process, monkeypatch) for _ in range(4)] == [True, True, True, False]
    assert this_window_count(backend) == 1000


@hsettings(
    max_examples=effort.examples(15, 40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    limit=st.integers(200, 3000),
    previous=st.integers(0, 3000),
    order=st.lists(st.integers(0, 3), min_size=1, max_size=400),
)
def test_processes_together_never_exceed_the_limit(backend, settings, clock, monkeypatch, limit, previous, order):
    set_rate(settings, f"{limit}/min")
    backend.clear()
    backend.set(window_key("anon", "192.0.2.7", int(NOW // 60) - 1), previous, 120)
    room = throttles._room(0, previous, 0.5, limit)  # half the previous window still counts
    processes = [throttles._Leases() for _ in range(4)]

    # Requests from the order drawn, then every process asks until it is refused.
    answers = [ask(processes[p], monkeypatch) for p in order]
    for process in processes:
        while ask(process, monkeypatch):
            answers.append(True)

    granted = sum(answers)
    assert granted <= max(room, 0)  # never more than the limit
    # Early refusals: only the leases other processes hold unspent.
    assert granted >= room - (len(processes) - 1) * (lease_size(limit) - 1)
    assert this_window_count(backend) <= max(room, 0)


def test_redis_and_local_memory_grant_alike(settings, redis_url, clock, monkeypatch):
    """The Lua script and the local-memory check are one rule written twice."""
    results = {}
    for name in ("local", "redis"):
        if name == "redis":
            settings.CACHES = redis_caches(redis_url)
        backend = caches["rates"]
        backend.clear()
        keys = [window_key("anon", "x", 2), window_key("anon", "x", 1)]
        backend.set(keys[1], 7, 120)
        check = throttles._check_redis if isinstance(backend, RedisCache) else throttles._check_local
        results[name] = [check(backend, keys, 0.25, 20, 120, want) for want in (5, 5, 5, 5)]
        backend.clear()
    assert results["local"] == results["redis"] == [(5, 5, 7), (5, 10, 7), (5, 15, 7), (3, 18, 7)]
