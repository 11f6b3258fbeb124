"""Nothing unpublished reaches a partner (DESIGN.md, rule 1): not in a list, a detail,
a nested reference, a CSV, the export or the tombstone feed.

Every unpublished record below carries the word "secret" in its slug and text; the
test walks every endpoint the way a partner's crawler would and looks for it.
"""

import json

import pytest

from tracker.desk import services
from tracker.desk.choices import CorrectionKind, Stance, State

LISTS = ["claims", "sources", "agreements", "meetings", "people", "parties", "topics", "corrections"]


@pytest.fixture
def world(
    make_source,
    make_claim,
    make_evidence,
    published_claim,
    make_agreement,
    add_status,
    make_meeting,
    make_person,
    correct,
    staff,
):
    public_source = make_source(slug="public-source")
    secret_source = make_source(
        slug="secret-source", title="Secret source", text="A secret passage nobody may read.", state=State.DRAFT
    )
    public_person = make_person(slug="public-person")
    secret_person = make_person(slug="secret-person", name="Secret Person", state=State.DRAFT)
    public_agreement = make_agreement(slug="public-agreement")
    add_status(public_agreement, source=secret_source)  # the step is public, its draft source is not
    secret_agreement = make_agreement(slug="secret-agreement", title="Secret agreement", state=State.DRAFT)

    meeting = make_meeting(
        slug="public-meeting", participants=[public_person, secret_person],
        sources=[public_source, secret_source], outcome_agreements=[public_agreement, secret_agreement],
    )  # fmt: skip
    secret_meeting = make_meeting(slug="secret-meeting", title="Secret meeting", state=State.DRAFT)
    claim = published_claim(
        slug="public-claim", source=public_source, claimant_person=secret_person,
        agreements=[public_agreement, secret_agreement], people=[public_person, secret_person],
        meetings=[meeting, secret_meeting],
    )  # fmt: skip
    # A published claim quotes only published sources; one it quoted may be retracted
    # later, and its quote must then leave the claim everywhere.
    withdrawn_source = make_source(
        slug="withdrawn-source", title="Withdrawn source", text="A secret passage nobody may read any more."
    )
    make_evidence(claim, source=withdrawn_source, quote="secret passage", stance=Stance.CONTEXT)
    services.record_retract(record=withdrawn_source, by=staff.editor, note="Its publisher withdrew it.")

    make_claim(slug="secret-draft-claim", statement="A secret draft statement", source=public_source)
    in_review = make_claim(slug="secret-review-claim", statement="Secret, in review", state=State.IN_REVIEW)
    make_evidence(in_review, source=public_source)
    # A correction of a claim that was later withdrawn to review is off the record with it.
    withdrawn = published_claim(slug="withdrawn-claim", statement="A secret statement under review again")
    correct(withdrawn, note="A secret note on a claim now back in review.")
    services.claim_withdraw(claim=withdrawn, by=staff.editor, reason="A secret reason for the reviewers.")

    retracted = published_claim(slug="retracted-claim", statement="A secret statement we took back")
    correct(retracted, note="Retracted: the quote was misattributed.", kind=CorrectionKind.RETRACTION)
    return {"claim": claim, "retracted": retracted}


def crawl(api) -> dict[str, str]:
    """Every list (JSON and CSV), every detail they link to, the export and the tombstones."""
    bodies = {}
    for name in LISTS:
        for fmt in ("json", "csv"):
            url = f"/api/v1/{name}/?page_size=200&format={fmt}"
            response = api.get(url)
            assert response.status_code == 200, url
            bodies[url] = response.content.decode()
        for record in api.get(f"/api/v1/{name}/?page_size=200").json()["results"]:
            if "url" in record:
                response = api.get(record["url"])
                assert response.status_code == 200, record["url"]
                bodies[record["url"]] = response.content.decode()
    bodies["tombstones"] = api.get("/api/v1/tombstones/").content.decode()
    bodies["export"] = b"".join(api.get("/api/v1/export/").streaming_content).decode()
    return bodies


def test_no_endpoint_export_or_feed_shows_an_unpublished_record(api, world):
    bodies = crawl(api)

    leaks = [url for url, body in bodies.items() if "secret" in body.lower()]
    assert leaks == []
    assert len(bodies) > 20  # the crawl really reached the details


def test_published_records_show_only_their_published_neighbours(api, world):
    claim = api.get("/api/v1/claims/public-claim/").json()

    assert [a["slug"] for a in claim["agreements"]] == ["public-agreement"]
    assert [m["slug"] for m in claim["meetings"]] == ["public-meeting"]
    assert [p["slug"] for p in claim["people"]] == ["public-person"]
    assert claim["claimant_person"] is None
    assert len(claim["evidence"]) == 1  # the quote from the draft source is left out
    meeting = api.get("/api/v1/meetings/public-meeting/").json()
    assert [p["person"]["slug"] for p in meeting["participants"]] == ["public-person"]
    assert [s["slug"] for s in meeting["sources"]] == ["public-source"]
    agreement = api.get("/api/v1/agreements/public-agreement/").json()
    assert agreement["status_history"][0]["source"] is None


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/claims/secret-draft-claim/",
        "/api/v1/claims/secret-review-claim/",
        "/api/v1/claims/retracted-claim/",
        "/api/v1/sources/secret-source/",
        "/api/v1/people/secret-person/",
        "/api/v1/agreements/secret-agreement/",
        "/api/v1/meetings/secret-meeting/",
    ],
)
def test_an_unpublished_record_is_a_json_404(api, world, url):
    response = api.get(url)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_filter_naming_an_unpublished_record_is_refused_not_answered(api, world):
    response = api.get("/api/v1/claims/?agreement=secret-agreement")
    nothing = api.get("/api/v1/claims/?agreement=no-such-agreement")

    # The same 404 as for a slug nobody ever used: nothing says the draft exists.
    assert response.status_code == nothing.status_code == 404
    said = response.json()["error"]["fields"]["agreement"][0]
    assert said == nothing.json()["error"]["fields"]["agreement"][0].replace("no-such-agreement", "secret-agreement")


def test_the_retraction_is_a_tombstone_with_its_public_note(api, world):
    tombstones = api.get("/api/v1/tombstones/").json()["results"]

    assert sorted((t["type"], t["slug"], t["state"], t["note"] or "") for t in tombstones) == [
        ("claim", "retracted-claim", "retracted", "Retracted: the quote was misattributed."),
        ("claim", "withdrawn-claim", "withdrawn", ""),
        ("source", "withdrawn-source", "retracted", "Its publisher withdrew it."),
    ]
    export = [json.loads(line) for line in b"".join(api.get("/api/v1/export/").streaming_content).splitlines()]
    assert "retracted-claim" not in {line["record"].get("slug") for line in export if "record" in line}
