"""Cursor pagination: a stable order in which a partner walks every record exactly once."""

import base64
import json

import pytest
from django.utils import timezone

from tracker.desk.models import Claim


def walk(api, url: str) -> list[str]:
    slugs = []
    while url:
        response = api.get(url)
        assert response.status_code == 200, response.content
        page = response.json()
        slugs += [record["slug"] for record in page["results"]]
        url = page["next"]
    return slugs


@pytest.fixture
def claims(published_claim):
    """Seven claims: three share a verdict date, two have none (NULLs sort last)."""
    same_moment = timezone.now()
    made = [published_claim(slug=f"claim-{i}") for i in range(7)]
    # Ties in the verdict dates, which real time rarely makes, and rows without one, which
    # no service makes (claim_publish always dates the verdict) but the keyset must still
    # order: only timestamps are moved, never a state.
    Claim.objects.filter(slug__in=["claim-0", "claim-1", "claim-2"]).update(verdict_published_at=same_moment)
    Claim.objects.filter(slug__in=["claim-3", "claim-4"]).update(
        verdict_published_at=same_moment - timezone.timedelta(days=1)
    )
    Claim.objects.filter(slug__in=["claim-5", "claim-6"]).update(verdict_published_at=None)
    return made


@pytest.mark.parametrize(
    "ordering", ["-verdict_published_at", "verdict_published_at", "updated_at", "-slug", "claimed_on"]
)
def test_walking_the_pages_visits_every_record_once_in_order(api, claims, ordering):
    everything = [c["slug"] for c in api.get(f"/api/v1/claims/?ordering={ordering}&page_size=200").json()["results"]]

    walked = walk(api, f"/api/v1/claims/?ordering={ordering}&page_size=2")

    assert walked == everything
    assert sorted(walked) == [f"claim-{i}" for i in range(7)]


def test_records_without_a_verdict_date_come_last_either_way(api, claims):
    for ordering in ("verdict_published_at", "-verdict_published_at"):
        walked = walk(api, f"/api/v1/claims/?ordering={ordering}&page_size=3")
        assert set(walked[-2:]) == {"claim-5", "claim-6"}


def test_the_next_link_keeps_the_filters_and_is_also_a_link_header(api, claims):
    response = api.get("/api/v1/claims/?verdict=accurate&page_size=2")

    assert "verdict=accurate" in response.json()["next"]
    assert response["Link"] == f'<{response.json()["next"]}>; rel="next"'


def test_the_last_page_has_no_next(api, claims):
    assert api.get("/api/v1/claims/?page_size=200").json()["next"] is None


def forged(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "%%%",
        "bm90IGpzb24",  # "not json"
        forged([1, 2]),
        forged({"o": "-verdict_published_at", "v": ["yesterday", 1]}),
        forged({"o": "-verdict_published_at", "v": ["2025-10-29T10:00:00", 1]}),  # no time zone
        forged({"o": "-verdict_published_at", "v": [None, -5]}),
        forged({"o": "-verdict_published_at", "v": [None, 2**70]}),
        forged({"o": "-verdict_published_at", "v": [None]}),
        forged({"o": "slug", "v": ["claim-1", 1]}),  # made for another ordering
    ],
)
def test_a_malformed_or_foreign_cursor_is_a_400(api, claims, cursor):
    response = api.get("/api/v1/claims/", {"cursor": cursor})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_cursor"


@pytest.mark.parametrize("size", ["0", "201", "ten", "-1", "1.5", "²"])
def test_a_page_size_out_of_range_is_a_400(api, size):
    response = api.get("/api/v1/claims/", {"page_size": size})

    assert response.status_code == 400
    assert "page_size" in response.json()["error"]["fields"]
