"""The database goes away under a real app server (gunicorn): pages answer 503 with
Retry-After, the API a JSON 503, pages that need no record still serve, the log gets a
line per interval and no traceback, /healthz says which dependency failed, and it all
comes back by itself.

The outage is real. PostgreSQL: the server's connections go through a TCP proxy that
is cut, which is what a stopped server looks like to its clients (refused, dropped).
SQLite: the folder holding the database file disappears, as an unmounted volume does."""

import json
import os
import re
import signal
import time
from pathlib import Path

import opslib
import pytest
from django.db import connection
from django.test import Client

from tracker import backups

PROXY_PORT, APP_PORT = opslib.PORT_BASE + 10, opslib.PORT_BASE + 11


class PostgresOutage:
    def __init__(self, settings_dict: dict):
        db = settings_dict
        self.proxy = opslib.TcpProxy(PROXY_PORT, (db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))).start()
        self.url = f"postgres://{db['USER']}@127.0.0.1:{PROXY_PORT}/{db['NAME']}"
        self.cut, self.restore, self.close = self.proxy.cut, self.proxy.restore, self.proxy.stop


class SqliteOutage:
    def __init__(self, tmp_path: Path):
        self.folder, self.away = tmp_path / "data", tmp_path / "unmounted"
        self.url = f"sqlite:///{backups.backup(self.folder / 'db.sqlite3')}"  # the suite's migrated schema

    def cut(self):
        self.folder.rename(self.away)

    def restore(self):
        self.away.rename(self.folder)

    def close(self):
        pass


@pytest.fixture
def server(transactional_db, tmp_path):
    outage = PostgresOutage(connection.settings_dict) if connection.vendor == "postgresql" else SqliteOutage(tmp_path)
    env = opslib.server_env(DATABASE_URL=outage.url, CACHE_URL="locmem://", DATABASE_CONNECT_TIMEOUT=2)
    opslib.collectstatic(env)
    log = tmp_path / "server.log"
    process = opslib.start_gunicorn(APP_PORT, env, log, workers=1)
    try:
        yield outage, opslib.Http(f"http://127.0.0.1:{APP_PORT}"), log
    finally:
        opslib.stop_process(process)
        outage.close()


def test_a_database_outage_is_a_503_and_recovers_by_itself(server):
    outage, http, log = server
    assert http.get("/claims/")[0] == 200
    assert http.get("/api/v1/claims/")[0] == 200

    outage.cut()
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

    outage.restore()
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


def workers(master_pid: int) -> list[int]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return [int(pid) for pid in children]


def test_a_worker_started_while_the_database_is_away_warms_up_and_answers_503(server):
    outage, http, log = server
    master = server_master_pid(log)
    assert http.get("/claims/")[0] == 200  # the first worker is up
    outage.cut()
    (worker,) = workers(master)
    os.kill(worker, signal.SIGKILL)  # gunicorn starts another in its place
    deadline = time.monotonic() + 20
    while (workers(master) in ([], [worker])) and time.monotonic() < deadline:
        time.sleep(0.1)

    assert http.get("/claims/")[0] == 503
    assert log.read_text().count("Warmed up: ") == 2  # the first worker and its replacement
    outage.restore()


def server_master_pid(log: Path) -> int:
    match = re.search(r"Listening at: .*? \((\d+)\)", log.read_text())
    assert match, log.read_text()[-2000:]
    return int(match.group(1))


def test_an_unreachable_redis_is_a_503_for_the_api_and_reported_by_healthz(db, settings):
    # Nothing listens on this port: what a stopped Redis looks like to its clients.
    dead = f"redis://127.0.0.1:{opslib.PORT_BASE + 12}/0"
    redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": dead}
    settings.CACHES = {"default": redis, "rates": redis}
    client = Client(raise_request_exception=False)

    api = client.get("/api/v1/topics/")
    health = client.get("/healthz")

    assert api.status_code == 503 and api["Retry-After"] == "30"
    assert api.json()["error"]["code"] == "cache_unavailable"
    assert health.status_code == 503
    assert health.json()["checks"]["cache"] == {"status": "error", "error": "ConnectionError"}
    assert health.json()["checks"]["database"]["status"] == "ok"
    # Pages render without the shared cache (tracker/public/caching.py), just uncached.
    assert client.get("/methodology/").status_code == 200
    assert client.get("/claims/").status_code == 200
