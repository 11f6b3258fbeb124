"""A database or a Redis that hangs (frozen, or behind a network black hole: connections
stay open, nothing answers) never hangs the site: pages and the API answer 503 with
Retry-After within 5 s, /healthz within a second, pages that need no record at once,
and it all comes back by itself.

The hang is real: the server's connections go through a TCP proxy that stops passing
bytes either way (opslib.TcpProxy.freeze), which is what SIGSTOP or a black hole looks
like to a client: connects complete, queries are sent, no answer ever comes."""

import json
import time

import opslib
import pytest
from django.db import connection
from django.test import Client

from tracker.settings import cache_from_url

from .conftest import REDIS_URL

PROXY_PORT, APP_PORT, REDIS_PROXY_PORT = opslib.PORT_BASE + 13, opslib.PORT_BASE + 14, opslib.PORT_BASE + 15


def timed(http, path: str):
    started = time.monotonic()
    status, headers, body = http.get(path)
    return status, headers, body, time.monotonic() - started


@pytest.fixture
def frozen_database_server(transactional_db, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("a database server that hangs: PostgreSQL (SQLite has no server to freeze)")
    db = connection.settings_dict
    proxy = opslib.TcpProxy(PROXY_PORT, (db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))).start()
    env = opslib.server_env(DATABASE_URL=f"postgres://{db['USER']}@127.0.0.1:{PROXY_PORT}/{db['NAME']}")
    env["CACHE_URL"] = "locmem://"
    opslib.collectstatic(env)
    log = tmp_path / "server.log"
    process = opslib.start_gunicorn(APP_PORT, env, log, workers=1)
    try:
        yield proxy, opslib.Http(f"http://127.0.0.1:{APP_PORT}"), log
    finally:
        proxy.thaw()
        opslib.stop_process(process)
        proxy.stop()


def test_a_hung_database_is_a_503_within_five_seconds_and_healthz_answers_within_one(frozen_database_server):
    proxy, http, log = frozen_database_server
    assert http.get("/claims/")[0] == 200  # a connection is open and kept
    assert http.get("/api/v1/claims/")[0] == 200

    proxy.freeze()
    page = timed(http, "/claims/")
    api = timed(http, "/api/v1/claims/")
    health = timed(http, "/healthz")
    needs_no_record = [timed(http, path) for path in ("/methodology/", "/robots.txt", "/static/css/site.css")]
    more = [timed(http, path) for path in ("/", "/sources/", "/api/v1/topics/", "/claims/") * 3]

    assert page[0] == 503 and page[1]["Retry-After"] == "30" and page[3] < 5, page[:2] + page[3:]
    assert api[0] == 503 and json.loads(api[2])["error"]["code"] == "database_unavailable" and api[3] < 5
    assert health[0] == 503 and health[3] < 1.5, health[3]
    assert json.loads(health[2])["checks"]["database"]["status"] == "error"
    assert [(status, seconds < 2) for status, _, _, seconds in needs_no_record] == [(200, True)] * 3
    assert {status for status, *_ in more} == {503}
    assert max(seconds for *_, seconds in more) < 5

    proxy.thaw()
    deadline = time.monotonic() + 15
    while http.get("/claims/")[0] != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert http.get("/claims/")[0] == 200
    assert http.get("/healthz")[0] == 200
    assert "Traceback" not in log.read_text()


@pytest.fixture
def frozen_redis(redis_url, settings):
    host, port = "127.0.0.1", 6379
    proxy = opslib.TcpProxy(REDIS_PROXY_PORT, (host, port)).start()
    database = REDIS_URL.rsplit("/", 1)[-1]
    # As settings.py configures a Redis cache (short timeouts, failing fast), through the proxy.
    redis = cache_from_url(f"redis://127.0.0.1:{REDIS_PROXY_PORT}/{database}")
    settings.CACHES = {"default": redis, "rates": redis}
    yield proxy
    proxy.thaw()
    proxy.stop()


def test_a_hung_redis_costs_pages_nothing_and_the_api_a_quick_503(db, frozen_redis):
    client = Client(raise_request_exception=False)
    assert client.get("/claims/").status_code == 200
    assert client.get("/api/v1/topics/").status_code == 200

    frozen_redis.freeze()
    started = time.monotonic()
    pages = [client.get(path).status_code for path in ("/claims/", "/", "/sources/", "/claims/") * 3]
    pages_took = time.monotonic() - started
    started = time.monotonic()
    api = client.get("/api/v1/topics/")
    api_took = time.monotonic() - started
    started = time.monotonic()
    health = client.get("/healthz")
    health_took = time.monotonic() - started

    # From the database, uncached; the first request pays one socket timeout, then the
    # process stops asking the hung Redis (tracker/cache.py).
    assert set(pages) == {200}
    assert pages_took < 3, pages_took
    assert api.status_code == 503 and api["Retry-After"] == "30" and api_took < 1.5
    assert health.status_code == 503 and health_took < 1.5
    assert health.json()["checks"]["cache"]["status"] == "error"

    frozen_redis.thaw()
    deadline = time.monotonic() + 10
    while client.get("/api/v1/topics/").status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert client.get("/api/v1/topics/").status_code == 200
