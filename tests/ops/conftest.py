"""Fixtures for the operational tests: the real Redis, when this machine runs one."""

import os

import pytest
import redis

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/3")


@pytest.fixture
def redis_url() -> str:
    """A Redis database these tests may flush (TEST_REDIS_URL)."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"No Redis at {REDIS_URL}")
    return REDIS_URL
