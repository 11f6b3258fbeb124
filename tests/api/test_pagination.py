"""Cursor pagination: a stable order in which a partner walks every record exactly once."""

import base64
import json

import pytest
from django.utils import timezone

from tracker.api.pagination import CURSOR_SHAPE, MAX_CURSOR_LENGTH
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


def assert_refused_cursor(response, cursor: str) -> None:
    """Not in a cursor's shape (the schema's pattern and length): a 400. In that shape
    but naming no page of this list: a 404. Both say invalid_cursor."""
    shaped = len(cursor) <= MAX_CURSOR_LENGTH and CURSOR_SHAPE.fullmatch(cursor)
    assert response.status_code == (404 if shaped else 400), response.content
    assert response.json()["error"]["code"] == "invalid_cursor"


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
def test_a_malformed_or_foreign_cursor_is_refused(api, claims, cursor):
    assert_refused_cursor(api.get("/api/v1/claims/", {"cursor": cursor}), cursor)


@pytest.mark.parametrize("size", ["0", "201", "ten", "-1", "1.5", "²"])
def test_a_page_size_out_of_range_is_a_400(api, size):
    response = api.get("/api/v1/claims/", {"page_size": size})

    assert response.status_code == 400
    assert "page_size" in response.json()["error"]["fields"]


def raw_cursor(text: bytes) -> str:
    return base64.urlsafe_b64encode(text).decode().rstrip("=")


TAMPERED = [
    ("-verdict_published_at", [5, 1]),  # a number where a date-time is expected
    ("-verdict_published_at", [True, 1]),
    ("-verdict_published_at", [None, True]),  # bool is an int to Python
    ("-verdict_published_at", [None, 1.0]),
    ("-verdict_published_at", [None, 1e300]),
    ("-verdict_published_at", [["2025-10-29T10:00:00+00:00"], 1]),
    ("-verdict_published_at", [{"at": "2025-10-29T10:00:00+00:00"}, 1]),
    ("-verdict_published_at", ["0001-01-01T00:00:00+01:00", 1]),
    ("-verdict_published_at", ["9999-12-31T23:59:59-01:00", 1]),
    ("-verdict_published_at", ["2025-10-29", 1]),
    ("claimed_on", [20251029, 1]),
    ("claimed_on", ["2025-13-01", 1]),
    ("slug", [5, 1]),
    ("slug", ["claim-\ud800", 1]),  # a lone surrogate: not UTF-8, no database takes it
    ("slug", ["claim-\x00", 1]),
    ("slug", [None, 1]),  # slugs are never null
]


@pytest.mark.parametrize(("ordering", "values"), TAMPERED)
def test_a_tampered_claims_cursor_is_a_404_invalid_cursor(api, claims, ordering, values):
    cursor = forged({"o": ordering, "v": values})

    assert_refused_cursor(api.get("/api/v1/claims/", {"ordering": ordering, "cursor": cursor}), cursor)


@pytest.mark.parametrize(
    "cursor",
    [
        raw_cursor(b'{"o": "-published_on", "v": [NaN, 1]}'),
        raw_cursor(b'{"o": "-published_on", "v": [Infinity, 1]}'),
        raw_cursor(b'{"o": "-published_on", "v": [null, NaN]}'),
        raw_cursor(b"\xff\xfe not UTF-8"),
        raw_cursor(b"[" * 4_000 + b"]" * 4_000),  # deeper than the JSON parser goes, within the length bound
        forged({"o": ["-published_on"], "v": [None, 1]}),
        forged({"o": "-published_on", "v": {"0": None, "1": 1}}),
        forged({"o": "-published_on", "v": [True, 1]}),
        forged({"o": "-published_on", "v": [None, 10**400]}),
        forged("-published_on"),
        forged(None),
        "é" * 10,
    ],
)
def test_a_tampered_sources_cursor_is_refused(api, make_source, cursor):
    make_source()

    assert_refused_cursor(api.get("/api/v1/sources/", {"cursor": cursor}), cursor)


@pytest.mark.parametrize(
    "values",
    [
        [5, "claim", "a-slug"],
        ["2025-10-29T10:00:00+00:00", ["claim"], "a-slug"],
        ["2025-10-29T10:00:00+00:00", {"claim": 1}, "a-slug"],
        ["2025-10-29T10:00:00+00:00", "claim", ["a-slug"]],
        ["2025-10-29T10:00:00+00:00", "claim", "a-\ud800"],
        ["2025-10-29T10:00:00+00:00", "claim", 5],
        ["2025-10-29T10:00:00", "claim", "a-slug"],
        ["0001-01-01T00:00:00+01:00", "claim", "a-slug"],
        [True, "claim", "a-slug"],
        ["2025-10-29T10:00:00+00:00", "claim"],
        "abc",
    ],
)
def test_a_tampered_tombstones_cursor_is_a_404_invalid_cursor(api, values):
    cursor = forged({"o": "at", "v": values})

    assert_refused_cursor(api.get("/api/v1/tombstones/", {"cursor": cursor}), cursor)


def test_a_cursor_after_the_longest_title_still_works(api, make_source):
    # 500 characters outside the BMP: the longest cursor this API writes (about 8,000).
    titles = [letter * 500 for letter in ("𝔸", "𝔹", "ℂ")]
    for title in titles:
        make_source(title=title)

    walked = walk(api, "/api/v1/sources/?ordering=title&page_size=1")

    assert len(walked) == 3


@pytest.mark.parametrize("url", ["/api/v1/claims/", "/api/v1/tombstones/"])
@pytest.mark.parametrize("cursor", ["abc\x00", "\t", " ", "abc=", "a" * (MAX_CURSOR_LENGTH + 1)])
def test_a_value_not_in_a_cursors_shape_is_a_400_invalid_cursor(api, url, cursor):
    response = api.get(url, {"cursor": cursor})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_cursor"


@pytest.mark.parametrize("url", ["/api/v1/claims/", "/api/v1/tombstones/"])
def test_a_well_shaped_cursor_of_no_page_is_a_404_invalid_cursor(api, url):
    # The schema can declare a cursor's shape, not which cursors this API gave out:
    # schema-valid garbage names no page, as a page number past the end does.
    response = api.get(url, {"cursor": "Inf"})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "invalid_cursor"
