"""Settings come from the environment, with safe defaults."""

import os
import subprocess
import sys

from django.conf import settings


def load_settings(**env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "CACHE_URL"}}
    environment.update(env)
    code = "import tracker.settings as s; print(s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND'])"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True
    )


def test_without_debug_a_missing_secret_key_stops_start_up_with_a_clear_error():
    result = load_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_the_defaults_are_sqlite_and_a_local_cache():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["tracker.db.sqlite3", "django.core.cache.backends.locmem.LocMemCache"]


def test_database_and_cache_urls_select_postgresql_and_redis():
    result = load_settings(
        DEBUG="false",
        SECRET_KEY="x" * 50,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/tracker",
        CACHE_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["tracker.db.postgresql", "django.core.cache.backends.redis.RedisCache"]


def test_a_misspelt_boolean_is_an_error_not_a_guess():
    result = load_settings(DEBUG="flase")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_healthz_reports_the_database_is_reachable(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    checks = {name: check["status"] for name, check in body["checks"].items()}
    assert checks["database"] == checks["cache"] == "ok"
    assert set(checks) == {"database", "cache", "worker"}  # the worker: tests/delivery/test_worker.py
