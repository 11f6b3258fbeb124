"""A change drops exactly the kept responses that show what it touched (tracker/caching/).

Each test keeps a few pages and API answers, makes one change through the services, and
counts which addresses are built again (a kept answer costs one query: the version).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tracker.caching import responses
from tracker.desk import services
from tracker.desk.choices import State, Verdict

from ..cache_helpers import caught_up


@pytest.fixture(autouse=True)
def memory_tier(monkeypatch):
    # The process's own tier in front of the cache, as app servers have it.
    monkeypatch.setattr(responses, "memory", responses._Memory(8 * 1024 * 1024))


def rebuilt(client, urls: list[str]) -> set[str]:
    """The addresses answered by building them again (more than the version's one query)."""
    caught_up()
    built = set()
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        if len(queries) > 1:
            built.add(url)
    return built


@pytest.fixture
def two_claims(make_claim):
    first = make_claim(state=State.PUBLISHED, statement="Walruses signed the accord", verdict=Verdict.ACCURATE)
    second = make_claim(state=State.PUBLISHED, statement="Narwhals left the talks", verdict=Verdict.ACCURATE)
    return first, second


def addresses(first, second) -> list[str]:
    return [
        first.get_absolute_url(),
        second.get_absolute_url(),
        f"/api/v1/claims/{first.slug}/",
        f"/api/v1/claims/{second.slug}/",
        "/claims/",
        "/api/v1/claims/",
        "/corrections/",
        "/methodology/",
    ]


def test_a_draft_saved_rebuilds_nothing(client, two_claims, make_claim, staff):
    urls = addresses(*two_claims)
    rebuilt(client, urls)
    assert rebuilt(client, urls) == set()  # all kept

    draft = make_claim(statement="A draft nobody sees")
    services.claim_edit(claim=draft, by=staff.reporter, fields={"statement": "Still a draft nobody sees"})
    services.claim_submit(claim=draft, by=staff.reporter)

    assert rebuilt(client, urls) == set()


def test_a_correction_rebuilds_what_shows_that_claim_and_the_corrections(client, two_claims, correct):
    first, second = two_claims
    urls = addresses(first, second)
    rebuilt(client, urls)

    correct(first, note="We fixed the rationale.")

    assert rebuilt(client, urls) == {
        first.get_absolute_url(),
        f"/api/v1/claims/{first.slug}/",
        "/claims/",  # it lists the claim
        "/api/v1/claims/",
        "/corrections/",  # a public note
    }


def test_a_retraction_is_gone_on_the_next_request(client, two_claims, staff):
    first, second = two_claims
    rebuilt(client, addresses(first, second))

    services.claim_retract(claim=first, by=staff.editor, note="The report was fabricated.")

    assert client.get(first.get_absolute_url()).status_code == 410
    assert client.get(f"/api/v1/claims/{first.slug}/").status_code == 404
    assert "Walruses" not in client.get("/claims/").content.decode()
    assert client.get(second.get_absolute_url()).status_code == 200
