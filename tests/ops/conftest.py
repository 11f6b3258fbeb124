"""Fixtures for the operational tests: the real Redis, when this machine runs one."""

import os
import sys
from pathlib import Path

import pytest
import redis

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/3")


@pytest.fixture
def redis_url() -> str:
    """A Redis database these tests may flush (TEST_REDIS_URL)."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        missing(f"No Redis at {REDIS_URL}")
    return REDIS_URL


def missing(reason: str) -> None:
    """Locally a missing service skips; in CI (REQUIRE_REDIS=1, .ci/run) it fails."""
    if os.environ.get("REQUIRE_REDIS") or os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))  # opslib: proxies, app servers, a PostgreSQL of our own
