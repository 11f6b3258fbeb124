"""Cached pages and API answers follow every change the desk's services make.

Pages and API responses are kept in the shared cache under the record version
(tracker/desk/versioning.py), which every service moves in its own transaction. Each
test warms the cache, runs one service, and checks the very next request sees the
change. The cache is a real Redis (db 2, or TEST_REDIS_URL) when one answers, so
what two app servers share is what is tested; locmem otherwise.
"""

import ast
import os
from pathlib import Path

import pytest
import redis
from django.core.cache import cache
from django.utils import timezone

from tracker.caching import responses as caching
from tracker.desk import services, versioning
from tracker.desk.choices import Stance, State, Verdict
from tracker.desk.models import Meeting
from tracker.desk.roles import EDITOR

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/2")


def _redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.2).ping())
    except redis.RedisError:
        return False


def _empty(prefix: str) -> None:
    """Drop this run's keys only: other runs may share the Redis database."""
    if hasattr(cache._cache, "get_client"):
        client = cache._cache.get_client(None, write=True)
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def shared_cache(settings, monkeypatch):
    prefix = f"tests-{os.getpid()}"
    # The process's own tier in front of the shared cache, as app servers have it.
    monkeypatch.setattr(caching, "memory", caching._Memory(8 * 1024 * 1024))
    if _redis_answers():
        redis = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Apart from anything else on that Redis (another test run's rate counts).
            "KEY_PREFIX": prefix,
        }
        settings.CACHES = {"default": redis, "rates": {**redis, "KEY_PREFIX": f"{prefix}-rates"}}
    _empty(prefix)
    yield
    _empty(prefix)


def page(client, url: str) -> tuple[int, str]:
    response = client.get(url)
    return response.status_code, response.content.decode()


def warm(client, *urls: str) -> None:
    """Ask twice: the second answer comes from the cache."""
    for url in urls:
        client.get(url)
        client.get(url)


def moved(before: versioning.Version) -> bool:
    return versioning.current().number > before.number


def test_the_second_request_is_answered_from_the_cache(client, desk, django_assert_num_queries):
    url = desk["signed_claim"].get_absolute_url()
    client.get(url)
    with django_assert_num_queries(1):  # the record version, nothing else
        assert client.get(url).status_code == 200
    client.get("/api/v1/claims/")
    with django_assert_num_queries(1):
        assert client.get("/api/v1/claims/").status_code == 200


@pytest.mark.parametrize(
    "address",
    ["/api/v1/claims/{claim}/", "/api/v1/claims/{claim}/?as_of={today}", "/api/v1/agreements/{agreement}/",
     "/api/v1/agreements/{agreement}/?as_of=2025-12-01", "/api/v1/tombstones/", "/api/v1/meetings/?page_size=1"],
)  # fmt: skip
def test_every_api_answer_is_kept_rendered(client, desk, address, django_assert_num_queries):
    url = address.format(claim=desk["signed_claim"].slug, agreement=desk["gsoia"].slug, today=timezone.localdate())
    first = client.get(url)
    assert first.status_code == 200, first.content
    with django_assert_num_queries(1):  # the record version, nothing else
        again = client.get(url)
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again["ETag"] == first["ETag"] and again["Content-Type"] == first["Content-Type"]
    assert client.get(url, HTTP_IF_NONE_MATCH=again["ETag"]).status_code == 304


def test_a_published_claim_shows_at_once(client, make_claim, make_source, staff):
    other = make_source(title="Another report")
    quote = services.EvidenceAdd(source=other, quote="announced the new", stance=Stance.SUPPORTS)
    claim = make_claim(state=State.IN_REVIEW, statement="Walruses signed the accord", evidence=[quote])
    warm(client, "/claims/", "/", "/api/v1/claims/")
    before = versioning.current()
    services.claim_publish(claim=claim, by=staff.verifier, verdict=Verdict.ACCURATE, rationale="It says so.")
    assert moved(before)
    assert "Walruses signed the accord" in page(client, "/claims/")[1]
    assert "Walruses signed the accord" in page(client, "/")[1]
    assert "Walruses signed the accord" in page(client, "/api/v1/claims/")[1]


def test_a_retracted_claim_goes_at_once(client, desk, staff):
    claim = desk["signed_claim"]
    warm(client, claim.get_absolute_url(), "/claims/", f"/api/v1/claims/{claim.slug}/", "/feeds/verdicts/")
    services.claim_retract(claim=claim, by=staff.editor, note="The report was fabricated.")
    assert page(client, claim.get_absolute_url())[0] == 410
    assert claim.statement not in page(client, "/claims/")[1]
    assert client.get(f"/api/v1/claims/{claim.slug}/").status_code in (404, 410)
    assert claim.statement not in page(client, "/feeds/verdicts/")[1]


def test_a_withdrawn_claim_goes_at_once(client, desk, staff):
    claim = desk["signed_claim"]
    warm(client, claim.get_absolute_url(), "/api/v1/claims/")
    services.claim_withdraw(claim=claim, by=staff.editor, reason="A quote no longer matches.")
    # Its address says it is under review, why, and no longer shows its verdict.
    status, body = page(client, claim.get_absolute_url())
    assert status == 200 and "Under review" in body and "A quote no longer matches." in body
    assert claim.rationale not in body
    assert claim.slug not in page(client, "/api/v1/claims/")[1]


def test_a_corrected_verdict_shows_at_once(client, desk, make_staff):
    claim = desk["signed_claim"]
    warm(client, claim.get_absolute_url(), "/corrections/")
    services.claim_correct(
        claim=claim,
        by=make_staff(EDITOR),
        note="We misread the date.",
        verdict=claim.verdict,
        rationale="Rechecked rationale.",
    )
    assert "Rechecked rationale." in page(client, claim.get_absolute_url())[1]
    assert "We misread the date." in page(client, "/corrections/")[1]


def test_a_corrected_statement_shows_at_once(client, desk, staff):
    claim = desk["signed_claim"]
    warm(client, claim.get_absolute_url(), "/search/?q=walrus")
    services.claim_edit(
        claim=claim, by=staff.editor, fields={"statement": "A walrus statement"}, note="Reworded the statement."
    )
    assert "A walrus statement" in page(client, claim.get_absolute_url())[1]
    assert claim.get_absolute_url() in page(client, "/search/?q=walrus")[1]


def test_a_published_agreement_and_an_edited_one_show_at_once(client, desk, staff):
    agreement = desk["gsoia"]
    warm(client, "/agreements/", agreement.get_absolute_url(), "/api/v1/agreements/")
    services.record_edit(record=agreement, by=staff.editor, fields={"title": "The walrus agreement"})
    assert "The walrus agreement" in page(client, "/agreements/")[1]
    assert "The walrus agreement" in page(client, agreement.get_absolute_url())[1]
    assert "The walrus agreement" in page(client, "/api/v1/agreements/")[1]


def test_a_retracted_meeting_goes_at_once(client, desk, staff):
    meeting = Meeting.objects.published().first()
    warm(client, "/meetings/", meeting.get_absolute_url(), "/api/v1/meetings/")
    services.record_retract(record=meeting, by=staff.editor, note="It never took place.")
    assert page(client, meeting.get_absolute_url())[0] == 410
    assert meeting.get_absolute_url() not in page(client, "/meetings/")[1]
    assert meeting.slug not in page(client, "/api/v1/meetings/")[1]


def test_an_edited_source_shows_at_once_on_the_pages_that_cite_it(client, desk, staff):
    source, claim = desk["readout"], desk["signed_claim"]
    warm(client, source.get_absolute_url(), "/sources/", claim.get_absolute_url())
    services.source_edit(source=source, by=staff.editor, fields={"title": "A retitled readout"})
    assert "A retitled readout" in page(client, source.get_absolute_url())[1]
    assert "A retitled readout" in page(client, "/sources/")[1]


def test_a_refused_change_leaves_the_version_alone(desk, staff):
    before = versioning.current()
    with pytest.raises(services.WorkflowError):
        services.claim_retract(claim=desk["signed_claim"], by=staff.editor, note="")
    assert versioning.current() == before


def test_each_request_gets_its_own_nonce_from_a_cached_page(client, desk):
    url = desk["signed_claim"].get_absolute_url()
    first, second = client.get(url), client.get(url)
    nonces = [response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0] for response in (first, second)]
    assert nonces[0] != nonces[1]
    assert f'nonce="{nonces[1]}"' in second.content.decode()
    assert nonces[0] not in second.content.decode()
    assert first["ETag"] == second["ETag"]


def test_services_open_their_transactions_only_through_writing():
    """Every service's transaction moves the version because services never open
    one of their own: `@writes` / `writing()` (services/common.py) do it."""
    folder = Path(services.__file__).parent
    for path in folder.glob("*.py"):
        if path.name == "common.py":
            continue
        tree = ast.parse(path.read_text())
        atomics = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "atomic"]
        assert not atomics, f"{path.name} opens a transaction without moving the record version"


def test_the_process_tier_keeps_the_latest_used_entries_within_its_bytes():
    memory = caching._Memory(3 * 1300)
    for name in "abc":
        memory.put(name, (b"x" * 1000, {}, False, "etag"))
    memory.get("a")  # used lately: kept
    memory.put("d", (b"x" * 1000, {}, False, "etag"))
    assert [key for key in "abcd" if memory.get(key)] == ["a", "c", "d"]
    memory.put("huge", (b"x" * 10_000, {}, False, "etag"))
    assert memory.get("huge") is None and memory.size <= memory.limit
