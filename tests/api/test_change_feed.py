"""The change feed (/api/v1/events/): every public change in order, resumable from
the last id a partner saw, filterable by record type; drafts never appear."""

import pytest

from tracker.desk import services
from tracker.desk.choices import State, Verdict


def page(api, query: str = "") -> dict:
    response = api.get(f"/api/v1/events/{query}")
    assert response.status_code == 200, response.content
    return response.json()


def test_publish_correct_retract_appear_in_order_and_a_partner_resumes(api, published_claim, staff):
    claim = published_claim(slug="feed-claim")
    first = page(api, "?type=claim")
    assert [(e["slug"], e["kind"]) for e in first["results"]] == [("feed-claim", "published")]
    resume = first["last_id"]

    services.claim_correct(
        claim=claim, by=staff.editor, note="We misread the date.", verdict=Verdict.MOSTLY_ACCURATE, rationale="Mostly."
    )
    corrected = page(api, f"?type=claim&after={resume}")["results"][0]
    assert {"field": "verdict", "old": "accurate", "new": "mostly_accurate"} in corrected["changes"]
    assert corrected["type"] == "claim" and corrected["title"] == claim.statement
    services.claim_retract(claim=claim, by=staff.editor, note="The quote was invented.")

    later = page(api, f"?type=claim&after={resume}")
    assert [(e["kind"], e["note"]) for e in later["results"]] == [
        ("verdict_corrected", "We misread the date."),
        ("retracted", "The quote was invented."),
    ]
    # Once retracted, its events keep the kind, slug and notes, not its words.
    assert {e["title"] for e in later["results"]} == {None}
    assert {"field": "verdict"} in later["results"][0]["changes"]
    ids = [e["id"] for e in later["results"]]
    assert ids == sorted(ids) and ids[0] > resume
    # Nothing new: the same address to poll again.
    again = page(api, later["next"].split("/api/v1/events/")[1])
    assert again["results"] == [] and again["last_id"] == later["last_id"]
    assert again["next"] == later["next"]


def test_pages_follow_each_other_without_gaps(api, make_party):
    for code in ("AA", "BB", "CC", "DD", "EE"):
        make_party(code)
    seen, query = [], "?type=party&page_size=2"
    while True:
        body = page(api, query)
        if not body["results"]:
            break
        seen += [e["slug"] for e in body["results"]]
        query = "?" + body["next"].split("?", 1)[1]
    assert seen == ["AA", "BB", "CC", "DD", "EE"]


def test_a_drafts_changes_never_appear(api, make_claim, make_agreement, staff):
    draft = make_claim(statement="A secret draft")
    services.claim_edit(claim=draft, by=staff.reporter, fields={"statement": "A still secret draft"})
    make_agreement(state=State.DRAFT, title="A secret agreement")
    body = api.get("/api/v1/events/").content.decode()
    assert "secret" not in body


def test_the_type_filter_keeps_only_that_type(api, published_claim):
    published_claim()
    kinds = {e["type"] for e in page(api, "?type=source")["results"]}
    assert kinds == {"source"}


@pytest.mark.parametrize(
    "query, field",
    [
        ("?after=abc", "after"),
        ("?after=-1", "after"),
        ("?after=1.5", "after"),
        ("?after=99999999999999999999999", "after"),
        ("?type=widget", "type"),
        ("?page_size=0", "page_size"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(api, query, field):
    response = api.get(f"/api/v1/events/{query}")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]


def test_the_feed_costs_the_same_few_queries_whatever_its_length(api, make_party, django_assert_max_num_queries):
    for n in range(30):
        make_party(f"O{n}X")
    with django_assert_max_num_queries(4):  # the events, and which parties are public now
        assert len(page(api, "?page_size=200")["results"]) >= 30
