"""Redis as docs/deploying.md configures it: the response cache in a Redis with a memory
limit that evicts (allkeys-lru), the rate counters in one that never evicts
(noeviction). Filling the cache past its limit costs pages nothing (an evicted entry is
a miss, which renders) and costs the counters nothing (a client's count stays)."""

import subprocess

import opslib
import pytest
import redis
from django.core.cache import caches
from django.test import Client

from tracker.settings import cache_from_url

CACHE_PORT, RATES_PORT = opslib.PORT_BASE + 16, opslib.PORT_BASE + 17


def redis_server(port: int, *config: str) -> subprocess.Popen:
    try:
        process = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", *config],
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
    except FileNotFoundError:
        pytest.skip("redis-server is not installed")
    opslib.wait_for(lambda: opslib.port_open(port), 10, f"redis-server on {port}")
    return process


@pytest.fixture
def two_redis(settings):
    # The documented configuration (docs/deploying.md, "Redis"), with a tiny limit.
    cache = redis_server(CACHE_PORT, "--maxmemory", "2mb", "--maxmemory-policy", "allkeys-lru")
    rates = redis_server(RATES_PORT, "--maxmemory", "64mb", "--maxmemory-policy", "noeviction")
    settings.CACHES = {
        "default": cache_from_url(f"redis://127.0.0.1:{CACHE_PORT}/0"),
        "rates": cache_from_url(f"redis://127.0.0.1:{RATES_PORT}/0", "RATES_CACHE_URL"),
    }
    settings.RESPONSE_MEMORY_CACHE_MB = 0
    try:
        yield redis.Redis(port=CACHE_PORT), redis.Redis(port=RATES_PORT)
    finally:
        for process in (cache, rates):
            opslib.stop_process(process)


def test_a_full_cache_evicts_pages_never_counts_and_every_page_still_renders(db, two_redis, settings):
    cache_redis, rates_redis = two_redis
    client = Client()
    assert client.get("/api/v1/topics/").status_code == 200  # one anonymous request counted
    counted = {key: rates_redis.get(key) for key in rates_redis.keys("*throttle*")}
    assert counted

    # Fill the cache far past its limit: every entry written, the oldest evicted.
    filler = "x" * 50_000
    for n in range(200):
        caches["default"].set(f"filler-{n}", filler, 600)
    assert cache_redis.info("stats")["evicted_keys"] > 0
    assert cache_redis.info("memory")["used_memory"] <= 2.5 * 1024 * 1024

    pages = [client.get(path).status_code for path in ("/claims/", "/sources/", "/", "/api/v1/topics/") * 3]
    assert set(pages) == {200}
    # The counts survived, and went on counting.
    assert all(int(rates_redis.get(key) or 0) >= int(value) for key, value in counted.items())
