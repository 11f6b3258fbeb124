"""A cached answer is kept under what it depends on and nothing else: the negotiated
format with its parameters, and only the query parameters its view reads (in one
order). So no request can make the cache serve another request's answer, and junk
parameters make no new entries, on pages and in the API alike."""

import json

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tracker.desk.choices import State


def entries() -> int:
    return len(cache._cache)  # the local-memory cache the suite runs on


@pytest.fixture
def claims(make_claim):
    return [make_claim(state=State.PUBLISHED) for _ in range(3)]


def test_an_indented_json_answer_is_not_served_to_a_plain_request(db, claims):
    api = APIClient()
    indented = api.get("/api/v1/claims/", HTTP_ACCEPT="application/json; indent=8")
    plain = api.get("/api/v1/claims/", HTTP_ACCEPT="application/json")
    anything = api.get("/api/v1/claims/")

    assert b'\n        "' in indented.content  # indented by eight
    assert plain.content == anything.content
    assert b"\n" not in plain.content
    assert json.loads(plain.content) == json.loads(indented.content)


@pytest.mark.parametrize("path", ["/claims/", "/api/v1/claims/", "/sources/", "/api/v1/topics/"])
def test_parameters_the_view_does_not_read_make_no_new_entry(client, claims, path):
    client.get(path)
    kept = entries()
    for n in range(20):
        assert client.get(path, {"cb": n, "utm_source": f"newsletter-{n}"}).status_code == 200
    assert entries() == kept


def test_an_unknown_parameter_never_reaches_the_answer(client, make_claim):
    for _ in range(3):
        make_claim(state=State.PUBLISHED)
    page = client.get("/claims/", {"junk": "<b>hello</b>", "sort": "oldest"}).content.decode()
    api = client.get("/api/v1/claims/", {"junk": "x", "page_size": 1}).json()

    assert "junk" not in page and "hello" not in page
    assert "junk" not in api["next"] and "page_size=1" in api["next"]


def test_the_order_of_the_parameters_makes_no_new_entry(client, claims):
    client.get("/claims/", {"verdict": "accurate", "sort": "oldest"})
    kept = entries()
    client.get("/claims/?sort=oldest&verdict=accurate")
    client.get("/claims/?verdict=accurate&sort=oldest")
    assert entries() == kept


def test_parameters_the_view_reads_still_make_their_own_answers(client, claims):
    first = client.get("/api/v1/claims/", {"page_size": 1}).json()
    all_of_them = client.get("/api/v1/claims/").json()
    assert len(first["results"]) == 1 and len(all_of_them["results"]) == 3
    oldest = client.get("/claims/", {"sort": "oldest"}).content
    newest = client.get("/claims/", {"sort": "newest"}).content
    assert oldest != newest
