"""Partners learn of records that leave the public record, and of nothing else."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tracker.desk import services
from tracker.desk.choices import State
from tracker.desk.models import Claim


def retract(record, by, note="Retracted: the document was a forgery."):
    """Retract a published record through the desk's services, as an editor does."""
    if isinstance(record, Claim):
        return services.claim_retract(claim=record, by=by, note=note)
    return services.record_retract(record=record, by=by, note=note)


def feed(api, query: str = "") -> list[tuple]:
    response = api.get(f"/api/v1/tombstones/{query}")
    assert response.status_code == 200, response.content
    return [(t["type"], t["slug"], t["state"], t["note"]) for t in response.json()["results"]]


def test_a_retracted_record_of_any_kind_is_a_tombstone_with_its_note(
    api, published_claim, make_source, make_agreement, make_meeting, staff
):
    retract(published_claim(slug="a-claim"), staff.editor)
    retract(make_source(slug="a-source"), staff.editor)
    retract(make_agreement(slug="an-agreement"), staff.editor)
    retract(make_meeting(slug="a-meeting"), staff.editor)

    assert sorted(feed(api)) == [
        ("agreement", "an-agreement", "retracted", "Retracted: the document was a forgery."),
        ("claim", "a-claim", "retracted", "Retracted: the document was a forgery."),
        ("meeting", "a-meeting", "retracted", "Retracted: the document was a forgery."),
        ("source", "a-source", "retracted", "Retracted: the document was a forgery."),
    ]


def test_a_claim_sent_back_to_review_by_a_broken_quote_is_withdrawn(api, make_source, published_claim, staff):
    source = make_source(text="The ministers signed the agreement on Tuesday.")
    published_claim(slug="signed-on-tuesday", source=source, quote="signed the agreement on Tuesday")

    services.source_edit(  # re-anchoring fails: back to review
        source=source, by=staff.editor, fields={"text": "The ministers discussed the agreement."},
        note="The ministry replaced the statement.",
    )  # fmt: skip

    assert feed(api) == [("claim", "signed-on-tuesday", "withdrawn", None)]
    assert api.get("/api/v1/claims/signed-on-tuesday/").status_code == 404


def test_a_record_that_was_never_published_never_appears(api, make_claim, make_source, staff):
    draft = make_claim(slug="only-a-draft")
    make_claim(slug="only-in-review", state=State.IN_REVIEW)
    make_source(slug="a-draft-source", state=State.DRAFT)
    with pytest.raises(services.WorkflowError):  # abandoned drafts are deleted, never retracted
        services.claim_retract(claim=draft, by=staff.editor, note="Abandoned.")
    assert feed(api) == []

    # Defence in depth, past the services: a draft marked retracted by hand in the
    # database was still never public, so partners never hear of it.
    Claim.objects.filter(pk=draft.pk).update(state=State.RETRACTED)
    assert feed(api) == []


def test_a_republished_record_leaves_the_feed_and_returns_to_its_list(api, published_claim, staff, make_staff):
    claim = published_claim(slug="back-again")
    claim = services.claim_withdraw(claim=claim, by=staff.editor, reason="The rationale needs a second look.")
    assert feed(api) == [("claim", "back-again", "withdrawn", None)]

    services.claim_publish(claim=claim, by=make_staff("Verifier"), verdict=claim.verdict, rationale=claim.rationale)

    assert feed(api) == []
    assert [c["slug"] for c in api.get("/api/v1/claims/").json()["results"]] == ["back-again"]


def test_updated_since_returns_only_later_tombstones(api, published_claim, staff):
    retract(published_claim(slug="old-news"), staff.editor)
    checkpoint = timezone.now()
    retract(published_claim(slug="new-news"), staff.editor)

    since = checkpoint.isoformat().replace("+00:00", "Z")
    assert [slug for _, slug, _, _ in feed(api, f"?updated_since={since}")] == ["new-news"]


def test_the_feed_pages_through_every_type_in_order_without_repeats(
    api, published_claim, make_source, make_meeting, staff
):
    # Every type a service retracts (people are published, never retracted).
    slugs = set()
    for i in range(3):
        retract(published_claim(slug=f"claim-{i}"), staff.editor)
        retract(make_source(slug=f"source-{i}"), staff.editor)
        retract(make_meeting(slug=f"meeting-{i}"), staff.editor)
        slugs |= {("claim", f"claim-{i}"), ("source", f"source-{i}"), ("meeting", f"meeting-{i}")}

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
        ("?cursor=not%20a%20cursor", "cursor"),
        ("?page_size=0", "page_size"),
    ],
)
def test_bad_feed_parameters_are_a_400_naming_the_parameter(api, query, field):
    response = api.get(f"/api/v1/tombstones/{query}")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_retractions_made_through_the_desk_workflow_reach_partners(api, published_claim, make_source):
    editor = get_user_model().objects.create(username="editor", is_staff=True, is_superuser=True)
    services.claim_retract(claim=published_claim(slug="misread"), by=editor, note="We misread the readout.")
    services.record_retract(record=make_source(slug="forged"), by=editor, note="The document was forged.")

    assert sorted(feed(api)) == [
        ("claim", "misread", "retracted", "We misread the readout."),
        ("source", "forged", "retracted", "The document was forged."),
    ]
    notes = [c["note"] for c in api.get("/api/v1/corrections/?kind=retraction").json()["results"]]
    assert sorted(notes) == ["The document was forged.", "We misread the readout."]
