"""Every kept page and API answer is what a fresh render would answer, whatever the staff do.

The desk's state machine (test_desk_rules.DeskMachine) plays random staff actions; after
every step this one asks every address of the public record twice over, as readers
would, and once more with no cache at all:

- through this app server (its own memory in front of the shared cache),
- through another app server (an empty memory: only the shared cache),
- rendered afresh (no cache),

and the three must be the same, byte for byte (the CSP nonce aside). Asking warms the
caches for the next step, so every address is kept when the next action runs: a change
that left a stale answer anywhere fails here. The shared cache is a real Redis
(TEST_REDIS_URL) when one answers, as app servers share it; local memory otherwise.

Changes no reader can see must leave the kept answers kept: a draft saved, a review
sent back. That is measured by `make bench` (docs/benchmarks.md) and tested plainly in
tests/caching/test_precise_invalidation.py.
"""

import os
import re
from contextlib import ExitStack, contextmanager
from unittest import mock

import pytest
import redis
from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis.stateful import invariant, run_state_machine_as_test

from tracker.caching import responses
from tracker.desk.models import Claim, Source
from tracker.public import caching as public_caching

from .test_desk_rules import DeskMachine

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/2")
PREFIX = f"cache-property-{os.getpid()}"
FIXED = [
    "/",
    "/claims/",
    "/claims/?sort=claimed",
    "/claims/?verdict=inaccurate",
    "/sources/",
    "/corrections/",
    "/search/?q=pact",
    "/feeds/verdicts/",
    "/feeds/corrections/",
    "/sitemap-claims.xml",
    "/api/v1/claims/",
    "/api/v1/claims/?search=pact",
    "/api/v1/sources/",
    "/api/v1/corrections/",
    "/api/v1/tombstones/",
]
NONCE = re.compile(r"'nonce-([^']+)'")


@contextmanager
def no_cache():
    """Pages and API answers built afresh and kept nowhere (the cache itself still
    holds the API's rate counts)."""

    def keep(key, request, response, **kwargs):
        return responses._etag_without_nonce(response.content)

    with ExitStack() as stack:
        for module in (responses, public_caching):
            stack.enter_context(mock.patch.object(module, "lookup", lambda key: None))
            stack.enter_context(mock.patch.object(module, "keep", keep))
        yield


def _redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.2).ping())
    except redis.RedisError:
        return False


def _answer(client: Client, url: str) -> tuple[int, str, bytes]:
    response = client.get(url)
    content = response.content
    nonce = NONCE.search(response.get("Content-Security-Policy", ""))
    if nonce:
        content = content.replace(nonce.group(1).encode(), b"NONCE")
    return response.status_code, response.get("Content-Type", ""), content


class CacheMachine(DeskMachine):
    """DeskMachine's actions; after each, every kept answer is checked against a fresh one."""

    def __init__(self):
        super().__init__()
        self.reader = Client()
        self.memory = responses._Memory(8 * 1024 * 1024)
        responses.memory = self.memory

    def addresses(self) -> list[str]:
        urls = list(FIXED)
        for claim in Claim.objects.exclude(first_published_at=None):
            urls += [f"/claims/{claim.slug}/", f"/claims/{claim.slug}/feed/", f"/api/v1/claims/{claim.slug}/"]
        for source in Source.objects.exclude(first_published_at=None):
            urls += [f"/sources/{source.slug}/", f"/api/v1/sources/{source.slug}/"]
        return urls

    @invariant()
    def every_kept_answer_is_a_fresh_one(self):
        for url in self.addresses():
            here = _answer(self.reader, url)
            responses.memory = responses._Memory(8 * 1024 * 1024)  # another app server
            elsewhere = _answer(self.reader, url)
            with no_cache():
                fresh = _answer(self.reader, url)
            responses.memory = self.memory
            assert here == fresh, f"{url} was served stale by this app server"
            assert elsewhere == fresh, f"{url} was served stale from the shared cache"
            _answer(self.reader, url)  # kept again here, for the next step


@pytest.fixture
def shared_cache(settings, monkeypatch):
    monkeypatch.setattr(responses, "memory", responses.memory)  # put back afterwards
    if _redis_answers():
        settings.CACHES = {
            **settings.CACHES,
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": PREFIX,
            },
        }
    yield
    if hasattr(cache._cache, "get_client"):
        client = cache._cache.get_client(None, write=True)
        for key in client.scan_iter(match=f"{PREFIX}:*"):
            client.delete(key)


@pytest.mark.django_db
def test_every_kept_answer_is_what_a_fresh_render_answers(shared_cache):
    run_state_machine_as_test(
        CacheMachine,
        settings=settings(
            max_examples=int(os.environ.get("CACHE_PROPERTY_EXAMPLES", "4")),
            stateful_step_count=int(os.environ.get("CACHE_PROPERTY_STEPS", "15")),
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
