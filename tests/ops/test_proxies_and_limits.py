"""Address-keyed limits count the address our own proxies saw, never a forwarding header
the client wrote: a client that rotates X-Forwarded-For is still one client."""

import itertools
import time

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.test import Client, RequestFactory
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from tracker.api.throttles import window_key
from tracker.proxies import client_address

spoofs = (f"198.51.100.{n % 250}, 192.0.2.{n % 200}" for n in itertools.count(1))


@pytest.fixture(autouse=True)
def fresh_counts():
    caches["rates"].clear()
    yield
    caches["rates"].clear()


@pytest.fixture
def rates(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "5/min", "partner": "50/min", "export": "2/hour"},
    }


def request_from(remote: str, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_HOPS = 0
    assert client_address(request_from("203.0.113.9", "1.2.3.4")) == "203.0.113.9"


@pytest.mark.parametrize(
    "hops, forwarded, expected",
    [
        (1, "203.0.113.7", "203.0.113.7"),  # nginx appended the client
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the client's own entry is ignored
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.2", "203.0.113.7"),  # CDN then nginx
        (2, "203.0.113.7", "203.0.113.7"),  # fewer entries than hops: the furthest seen
        (1, "not-an-address", "10.0.0.1"),  # garbage falls back to the peer
        (1, "[2001:db8::5]:443", "2001:db8::5"),
        (1, "203.0.113.7:5123", "203.0.113.7"),
        (1, "", "10.0.0.1"),
    ],
)
def test_with_n_trusted_hops_the_nth_entry_from_the_right_is_the_client(settings, hops, forwarded, expected):
    settings.TRUSTED_PROXY_HOPS = hops
    assert client_address(request_from("10.0.0.1", forwarded)) == expected


def test_the_header_is_configurable(settings):
    settings.TRUSTED_PROXY_HOPS = 1
    settings.TRUSTED_PROXY_HEADER = "X-Real-IP"
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="203.0.113.8", HTTP_X_FORWARDED_FOR="1.1.1.1"
    )
    assert client_address(request) == "203.0.113.8"


@hsettings(max_examples=40, deadline=None)
@given(spoofed=st.lists(st.ip_addresses().map(str), max_size=4), client=st.ip_addresses(v=4).map(str))
def test_whatever_the_client_prepends_one_trusted_hop_finds_it(spoofed, client):
    from django.conf import settings

    hops = settings.TRUSTED_PROXY_HOPS
    settings.TRUSTED_PROXY_HOPS = 1
    try:
        header = ", ".join([*spoofed, client])
        assert client_address(request_from("10.0.0.1", header)) == client
    finally:
        settings.TRUSTED_PROXY_HOPS = hops


@pytest.mark.parametrize("hops", [0, 1, 2])
def test_the_anonymous_limit_holds_under_a_rotating_forwarded_for(db, rates, settings, hops):
    settings.TRUSTED_PROXY_HOPS = hops
    api = APIClient()
    edges = (f"10.0.0.{n % 200}" for n in itertools.count(1))

    def forwarded():
        # The client writes whatever it likes; then each trusted proxy appends its peer:
        # the CDN the real client (203.0.113.50), nginx one of the CDN's edges.
        entries = [next(spoofs), "203.0.113.50", next(edges)]
        return ", ".join(entries[: 1 + hops])

    statuses = [api.get("/api/v1/topics/", HTTP_X_FORWARDED_FOR=forwarded()).status_code for _ in range(20)]

    assert statuses == [200] * 5 + [429] * 15


def test_the_export_limit_holds_under_a_rotating_forwarded_for(db, rates, settings):
    settings.TRUSTED_PROXY_HOPS = 1
    api = APIClient()
    statuses = [
        api.get("/api/v1/export/", HTTP_X_FORWARDED_FOR=f"{next(spoofs)}, 203.0.113.60").status_code for _ in range(8)
    ]
    assert statuses == [200, 200] + [429] * 6


def test_behind_one_proxy_two_real_clients_have_their_own_counts(db, rates, settings):
    settings.TRUSTED_PROXY_HOPS = 1
    api = APIClient()
    for _ in range(5):
        api.get("/api/v1/topics/", HTTP_X_FORWARDED_FOR="203.0.113.1", REMOTE_ADDR="127.0.0.1")
    assert api.get("/api/v1/topics/", HTTP_X_FORWARDED_FOR="203.0.113.1").status_code == 429
    # Everyone arrives from nginx's address; only the trusted entry tells them apart.
    assert api.get("/api/v1/topics/", HTTP_X_FORWARDED_FOR="203.0.113.2").status_code == 200


def test_the_sign_in_lock_out_holds_under_a_rotating_forwarded_for(make_staff, settings):
    settings.TRUSTED_PROXY_HOPS = 1
    make_staff("Reporter", username="rita")
    client = Client()

    def attempt(password):
        return client.post(
            "/admin/login/?next=/admin/",
            {"username": "rita", "password": password},
            HTTP_X_FORWARDED_FOR=f"{next(spoofs)}, 203.0.113.70",
        )

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt("wrong").status_code == 200
    assert attempt("wrong").status_code == 429
    assert attempt("pw-for-tests-only").status_code == 429


def test_with_redis_every_worker_and_server_shares_one_count(db, rates, settings, redis_url):
    redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    settings.CACHES = {"default": redis, "rates": redis}
    caches["rates"].clear()
    api = APIClient()
    if time.time() % 60 > 55:  # the counts below must fall in one minute's window
        time.sleep(60 - time.time() % 60)
    assert [api.get("/api/v1/topics/").status_code for _ in range(3)] == [200] * 3

    # Another worker (another process, another server) opens its own connection to Redis.
    other_worker = RedisCache(redis_url, {})
    key = window_key("anon", "127.0.0.1", int(time.time() // 60))
    assert other_worker.get(key) == 3
    other_worker.incr(key, 2)  # it served two more

    assert api.get("/api/v1/topics/").status_code == 429
