"""Per-record Atom feeds at `<page>feed/`: announced in the page head and linked on the
page; a record's own events and those of published records about it; gone like the page."""

import xml.etree.ElementTree as ET

import pytest

from tracker.desk import services
from tracker.desk.choices import State, Verdict

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(client, url: str) -> list[tuple[str, str]]:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    return [(e.findtext(f"{ATOM}title"), e.findtext(f"{ATOM}summary") or "") for e in feed.iter(f"{ATOM}entry")]


def test_a_claims_feed_lists_its_changes_newest_first_and_the_page_announces_it(client, make_claim, staff):
    claim = make_claim(state=State.PUBLISHED, statement="Seoul hosted the talks")
    services.claim_correct(
        claim=claim, by=staff.editor, note="The talks were in Gyeongju.", verdict=Verdict.MOSTLY_ACCURATE,
        rationale="Near Seoul.",
    )  # fmt: skip
    found = entries(client, f"/claims/{claim.slug}/feed/")
    assert [title for title, _ in found] == [
        "Verdict corrected: Seoul hosted the talks",
        "Published: Seoul hosted the talks",
    ]
    assert "The talks were in Gyeongju." in found[0][1]
    assert "verdict: accurate → mostly_accurate" in found[0][1]
    page = client.get(f"/claims/{claim.slug}/").content.decode()
    assert '<link rel="alternate" type="application/atom+xml" title="Changes to' in page
    assert f'href="/claims/{claim.slug}/feed/"' in page
    assert "Follow changes to this claim" in page


def test_an_agreements_feed_shows_its_status_steps_and_the_claims_about_it(
    client, make_agreement, add_status, make_claim
):
    agreement = make_agreement(title="Defence pact")
    add_status(agreement)
    make_claim(state=State.PUBLISHED, statement="The pact was signed", agreements=[agreement])
    make_claim(state=State.DRAFT, statement="A draft about the pact", agreements=[agreement])
    titles = [title for title, _ in entries(client, f"/agreements/{agreement.slug}/feed/")]
    assert titles == ["Claim published: The pact was signed", "Status changed: Defence pact", "Published: Defence pact"]


def test_people_parties_and_topics_have_feeds_of_what_concerns_them(
    client, make_person, make_party, make_topic, make_meeting
):
    party, topic = make_party("KR", name="Korea"), make_topic(slug="defence", name="Defence")
    person = make_person(name="Lee", party=party)
    make_meeting([person], title="Summit", counterparts=[party], topics=[topic])
    assert "Meeting published: Summit" in [t for t, _ in entries(client, f"/people/{person.slug}/feed/")]
    assert "Meeting published: Summit" in [t for t, _ in entries(client, "/parties/KR/feed/")]
    assert "Meeting published: Summit" in [t for t, _ in entries(client, "/topics/defence/feed/")]
    for url in (f"/people/{person.slug}/", "/parties/KR/", "/topics/defence/"):
        page = client.get(url).content.decode()
        assert f'href="{url}feed/"' in page, url


def test_a_retracted_records_feed_is_gone_and_a_drafts_is_not_found(client, make_claim, make_agreement, correct):
    claim = make_claim(state=State.PUBLISHED)
    correct(claim, note="Retracted: misread.", kind="retraction")
    assert client.get(f"/claims/{claim.slug}/feed/").status_code == 410
    draft = make_agreement(state=State.DRAFT)
    assert client.get(f"/agreements/{draft.slug}/feed/").status_code == 404
    assert client.get("/topics/no-such-topic/feed/").status_code == 404
    assert client.get("/parties/QQ/feed/").status_code == 404


def test_a_claim_that_left_the_record_is_named_by_its_kind_alone_in_other_feeds(
    client, make_agreement, make_claim, staff
):
    agreement = make_agreement()
    claim = make_claim(state=State.PUBLISHED, statement="Withdrawn words", agreements=[agreement])
    services.claim_withdraw(claim=claim, by=staff.editor, reason="Doubts")
    body = client.get(f"/agreements/{agreement.slug}/feed/").content.decode()
    assert "Withdrawn words" not in body
    assert "a claim no longer published" in body


@pytest.mark.parametrize("path", ["/claims/{slug}/feed/", "/claims/{slug}/"])
def test_feed_and_page_cost_a_fixed_number_of_queries(client, make_claim, path, django_assert_max_num_queries):
    claim = make_claim(state=State.PUBLISHED)
    with django_assert_max_num_queries(40):
        assert client.get(path.format(slug=claim.slug)).status_code == 200
