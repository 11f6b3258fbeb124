"""Every list costs the same few queries whatever its length and page size (no N+1),
and none of them counts the table."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tracker.desk import services
from tracker.desk.choices import AgreementStatus

from ..cache_helpers import caught_up

# The queries each list may run: 1 + for the record version its cached answer is keyed
# on, the rows, then one per prefetched relation.
PINNED = {
    # claims | source | claimant | evidence | agreements | meetings | people | parties | topics | corrections
    "claims": 1 + 10,
    "sources": 1 + 1,
    "agreements": 1 + 5,  # agreements | status history | parties | topics | corrections
    "meetings": 1 + 7,  # meetings (+host) | participants | counterparts | outcomes | sources | topics | corrections
    "people": 1 + 2,  # people | roles
    "parties": 1 + 1,
    "topics": 1 + 1,
    "corrections": 1 + 1,
    "tombstones": 1 + 5,  # one per record type
}


@pytest.fixture
def grow(
    published_claim, make_source, make_party, make_topic, make_agreement, add_status, make_meeting, make_person,
    correct, staff,
):  # fmt: skip
    """Add `n` of every kind of record, each with its nested lists filled."""
    counter = iter(range(1, 10_000))

    def add(n: int) -> None:
        for _ in range(n):
            i = next(counter)
            party = make_party(f"ORG{i}", name=f"Org {i}")
            topic = make_topic(f"topic-{i}", f"Topic {i}")
            person = make_person(party=party)
            agreement = make_agreement(parties=[party], topics=[topic])
            add_status(agreement)
            add_status(agreement, status=AgreementStatus.SIGNED)
            correct(agreement)
            meeting = make_meeting(
                participants=[person], host=party, counterparts=[party], outcome_agreements=[agreement],
                sources=[make_source()], topics=[topic],
            )  # fmt: skip
            correct(meeting)
            claim = published_claim(
                claimant_person=person, agreements=[agreement], meetings=[meeting], people=[person], parties=[party],
                topics=[topic],
            )  # fmt: skip
            correct(claim)
            services.claim_retract(claim=published_claim(), by=staff.editor, note="We took it back.")

    return add


def queries_for(api, url: str, *, catch_up: bool = True) -> list[str]:
    if catch_up:
        caught_up()
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url)
        assert response.status_code == 200, response.content
    return [query["sql"] for query in captured.captured_queries]


def test_every_list_runs_the_same_queries_for_three_rows_or_twenty(api, grow, django_assert_max_num_queries):
    grow(3)
    small = {endpoint: queries_for(api, f"/api/v1/{endpoint}/?page_size=2") for endpoint in PINNED}
    grow(17)
    large = {}
    for endpoint, pinned in PINNED.items():
        caught_up()
        with django_assert_max_num_queries(pinned):
            large[endpoint] = queries_for(api, f"/api/v1/{endpoint}/?page_size=200", catch_up=False)

    assert {e: len(q) for e, q in large.items()} == {e: len(q) for e, q in small.items()}
    assert not [sql for queries in large.values() for sql in queries if "COUNT(" in sql.upper()]
    for endpoint in PINNED:
        assert len(api.get(f"/api/v1/{endpoint}/?page_size=200").json()["results"]) >= 20, endpoint


def test_a_partner_key_adds_one_query_to_look_it_up(api, grow, partner_key, django_assert_max_num_queries):
    grow(3)
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {partner_key[1]}")
    caught_up()
    with django_assert_max_num_queries(PINNED["claims"] + 1):
        assert api.get("/api/v1/claims/").status_code == 200


def test_a_deep_page_costs_what_the_first_one_does(api, grow):
    grow(12)
    first = queries_for(api, "/api/v1/claims/?page_size=2&ordering=updated_at")
    url = "/api/v1/claims/?page_size=2&ordering=updated_at"
    for _ in range(4):
        url = api.get(url).json()["next"]
    deep = queries_for(api, url)

    assert len(deep) == len(first)
    assert not any("OFFSET" in sql.upper() for sql in deep)


def test_the_export_runs_the_same_queries_for_three_records_or_twenty(api, grow):
    def export_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            b"".join(api.get("/api/v1/export/").streaming_content)
        return len(captured.captured_queries)

    grow(3)
    small = export_queries()
    grow(17)

    assert export_queries() == small
