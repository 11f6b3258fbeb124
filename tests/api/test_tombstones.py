"""Partners learn of records that leave the public record, and of nothing else."""

import datetime as dt

import pytest
from django.utils import timezone

from tracker.desk.choices import CorrectionKind, State


def retract(record, correct, note="Retracted: the document was a forgery."):
    record.state = State.RETRACTED
    record.save()
    correct(record, note=note, kind=CorrectionKind.RETRACTION)
    return record


def feed(api, query: str = "") -> list[tuple]:
    response = api.get(f"/api/v1/tombstones/{query}")
    assert response.status_code == 200, response.content
    return [(t["type"], t["slug"], t["state"], t["note"]) for t in response.json()["results"]]


def test_a_retracted_record_of_any_kind_is_a_tombstone_with_its_note(
    api, published_claim, make_source, make_agreement, make_meeting, correct
):
    retract(published_claim(slug="a-claim"), correct)
    retract(make_source(slug="a-source"), correct)
    retract(make_agreement(slug="an-agreement"), correct)
    retract(make_meeting(slug="a-meeting"), correct)

    assert sorted(feed(api)) == [
        ("agreement", "an-agreement", "retracted", "Retracted: the document was a forgery."),
        ("claim", "a-claim", "retracted", "Retracted: the document was a forgery."),
        ("meeting", "a-meeting", "retracted", "Retracted: the document was a forgery."),
        ("source", "a-source", "retracted", "Retracted: the document was a forgery."),
    ]


def test_a_claim_sent_back_to_review_by_a_broken_quote_is_withdrawn(api, make_source, published_claim):
    source = make_source(text="The ministers signed the agreement on Tuesday.")
    published_claim(slug="signed-on-tuesday", source=source, quote="signed the agreement on Tuesday")

    source.text = "The ministers discussed the agreement."  # re-anchoring fails: back to review
    source.save()

    assert feed(api) == [("claim", "signed-on-tuesday", "withdrawn", None)]
    assert api.get("/api/v1/claims/signed-on-tuesday/").status_code == 404


def test_a_record_that_was_never_published_never_appears(api, make_claim, correct):
    draft = make_claim(slug="only-a-draft")
    draft.state = State.RETRACTED  # abandoned before it was ever published
    draft.save()

    assert feed(api) == []


def test_a_republished_record_leaves_the_feed_and_returns_to_its_list(api, published_claim):
    claim = published_claim(slug="back-again")
    claim.state = State.IN_REVIEW
    claim.save()
    assert feed(api) == [("claim", "back-again", "withdrawn", None)]

    claim.state = State.PUBLISHED
    claim.save()

    assert feed(api) == []
    assert [c["slug"] for c in api.get("/api/v1/claims/").json()["results"]] == ["back-again"]


def test_updated_since_returns_only_later_tombstones(api, published_claim, correct):
    retract(published_claim(slug="old-news"), correct)
    checkpoint = timezone.now()
    retract(published_claim(slug="new-news"), correct)

    since = checkpoint.isoformat().replace("+00:00", "Z")
    assert [slug for _, slug, _, _ in feed(api, f"?updated_since={since}")] == ["new-news"]


def test_the_feed_pages_through_every_type_in_order_without_repeats(
    api, published_claim, make_source, make_person, correct
):
    slugs = set()
    for i in range(3):
        retract(published_claim(slug=f"claim-{i}"), correct)
        retract(make_source(slug=f"source-{i}"), correct)
        person = make_person(slug=f"person-{i}")
        person.state = State.RETRACTED
        person.save()
        slugs |= {("claim", f"claim-{i}"), ("source", f"source-{i}"), ("person", f"person-{i}")}

    seen, times, url = [], [], "/api/v1/tombstones/?page_size=2"
    while url:
        page = api.get(url).json()
        seen += [(t["type"], t["slug"]) for t in page["results"]]
        times += [dt.datetime.fromisoformat(t["at"]) for t in page["results"]]
        url = page["next"]

    assert len(seen) == len(set(seen)) == 9
    assert set(seen) == slugs
    assert times == sorted(times)


@pytest.mark.parametrize(
    "query, field",
    [
        ("?updated_since=yesterday", "updated_since"),
        ("?cursor=not-a-cursor", "cursor"),
        ("?page_size=0", "page_size"),
    ],
)
def test_bad_feed_parameters_are_a_400_naming_the_parameter(api, query, field):
    response = api.get(f"/api/v1/tombstones/{query}")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
