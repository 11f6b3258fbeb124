"""The database goes away (a real PostgreSQL connection cut at a TCP proxy, as a stopped
server looks to the app) under a real app server: pages answer 503 with Retry-After,
the API a JSON 503, pages that need no record still serve, the log gets a line per
interval and no traceback, /healthz says which dependency failed, and it all comes
back by itself."""

import json
import time

import opslib
import pytest
from django.test import Client

PROXY_PORT, APP_PORT = opslib.PORT_BASE + 10, opslib.PORT_BASE + 11


@pytest.fixture
def server(postgres_test_database, tmp_path):
    db = postgres_test_database
    proxy = opslib.TcpProxy(PROXY_PORT, (db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))).start()
    env = opslib.server_env(
        DATABASE_URL=f"postgres://{db['USER']}@127.0.0.1:{PROXY_PORT}/{db['NAME']}",
        CACHE_URL="locmem://",
        DATABASE_CONNECT_TIMEOUT=2,
    )
    opslib.collectstatic(env)
    log = tmp_path / "server.log"
    process = opslib.start_gunicorn(APP_PORT, env, log, workers=1)
    try:
        yield proxy, opslib.Http(f"http://127.0.0.1:{APP_PORT}"), log
    finally:
        opslib.stop_process(process)
        proxy.stop()


def test_a_database_outage_is_a_503_and_recovers_by_itself(server):
    proxy, http, log = server
    assert http.get("/claims/")[0] == 200
    assert http.get("/api/v1/claims/")[0] == 200

    proxy.cut()
    page = http.get("/claims/")
    api = http.get("/api/v1/claims/")
    health = http.get("/healthz")
    needs_no_record = [http.get(path)[0] for path in ("/methodology/", "/robots.txt", "/static/css/site.css")]
    many = [http.get(path)[0] for path in ("/", "/claims/", "/api/v1/topics/", "/sources/") * 10]

    assert page[0] == 503
    assert page[1]["Retry-After"] == "30"
    assert page[1]["Content-Type"].startswith("text/html")
    assert b"briefly unavailable" in page[2]
    assert api[0] == 503 and api[1]["Retry-After"] == "30"
    assert json.loads(api[2])["error"]["code"] == "database_unavailable"
    assert health[0] == 503
    checks = json.loads(health[2])["checks"]
    assert checks["database"]["status"] == "error" and checks["cache"]["status"] == "ok"
    assert needs_no_record == [200, 200, 200]
    assert set(many) == {503}

    proxy.restore()
    deadline = time.monotonic() + 10
    while http.get("/claims/")[0] != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert http.get("/claims/")[0] == 200
    assert http.get("/healthz")[0] == 200

    output = log.read_text()
    outage_lines = [line for line in output.splitlines() if "database unavailable" in line]
    assert 1 <= len(outage_lines) <= 2, output[-3000:]  # 44 failures, one line per 10 s
    assert "Traceback" not in output
    assert " GET /claims/ 503 " in output  # and the request log has a line per request


def test_an_unreachable_redis_is_a_503_for_the_api_and_reported_by_healthz(db, settings):
    # Nothing listens on this port: what a stopped Redis looks like to its clients.
    dead = f"redis://127.0.0.1:{opslib.PORT_BASE + 12}/0"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": dead}}
    client = Client(raise_request_exception=False)

    api = client.get("/api/v1/topics/")
    health = client.get("/healthz")

    assert api.status_code == 503 and api["Retry-After"] == "30"
    assert api.json()["error"]["code"] == "cache_unavailable"
    assert health.status_code == 503
    assert health.json()["checks"]["cache"] == {"status": "error", "error": "ConnectionError"}
    assert health.json()["checks"]["database"]["status"] == "ok"
    assert client.get("/methodology/").status_code == 200  # pages do not need the cache
