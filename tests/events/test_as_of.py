"""The record as of a date: `?as_of=YYYY-MM-DD` on claim and agreement pages and API
details, from the history; never an unpublished state."""

import datetime as dt

import pytest
from django.core.cache import caches
from django.db.models import F
from django.utils import timezone
from rest_framework.test import APIClient

from tracker.desk import services
from tracker.desk.choices import AgreementStatus, State, Verdict
from tracker.desk.models import Claim
from tracker.events.models import Event


def shift_into_the_past(claim: Claim, days: int) -> None:
    """Move everything that has happened to `claim` so far `days` back in time (its
    history rows, events and first publication), so a test can look at earlier days."""
    delta = dt.timedelta(days=days)
    Event.objects.filter(record_type="claim", record_id=claim.pk).update(at=F("at") - delta)
    for row in Claim.history.filter(id=claim.pk):
        Claim.history.filter(history_id=row.history_id).update(history_date=row.history_date - delta)
    first = Claim.objects.get(pk=claim.pk).first_published_at
    Claim.objects.filter(pk=claim.pk).update(first_published_at=first - delta)


@pytest.fixture
def api(db):
    caches["rates"].clear()  # the anonymous API rate lives in the rate counters
    return APIClient()


def ago(days: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=days)).isoformat()


@pytest.fixture
def corrected_claim(make_claim, staff):
    """Published as accurate 10 days ago, corrected to mostly accurate today."""
    claim = make_claim(state=State.PUBLISHED, verdict=Verdict.ACCURATE, statement="Then words")
    shift_into_the_past(claim, 10)
    claim = Claim.objects.get(pk=claim.pk)
    services.claim_correct(
        claim=claim, by=staff.editor, note="Nuance.", verdict=Verdict.MOSTLY_ACCURATE, rationale="Mostly."
    )
    return claim


def test_a_claim_page_shows_the_verdict_of_that_day_clearly_labelled(client, corrected_claim):
    then = client.get(f"/claims/{corrected_claim.slug}/?as_of={ago(5)}")
    assert then.status_code == 200
    body = then.content.decode()
    assert "As published on" in body and "Our verdict as of" in body
    assert "Accurate" in body and "Mostly accurate" not in body
    # The claim's own address is canonical, and the copy stays out of search engines.
    assert f'<link rel="canonical" href="http://testserver/claims/{corrected_claim.slug}/">' in body
    assert '<meta name="robots" content="noindex">' in body and then["X-Robots-Tag"] == "noindex"
    assert "Nuance." not in body  # the correction came later
    now = client.get(f"/claims/{corrected_claim.slug}/?as_of={ago(0)}").content.decode()
    assert "Mostly accurate" in now


def test_before_publication_is_a_404_that_says_so(client, corrected_claim):
    response = client.get(f"/claims/{corrected_claim.slug}/?as_of={ago(20)}")
    assert response.status_code == 404
    assert "not yet published" in response.content.decode()


def test_a_day_the_claim_was_back_in_review_shows_no_verdict(client, make_claim, staff):
    claim = make_claim(state=State.PUBLISHED, verdict=Verdict.ACCURATE)
    shift_into_the_past(claim, 10)
    claim = services.claim_withdraw(claim=Claim.objects.get(pk=claim.pk), by=staff.editor, reason="Check")
    shift_into_the_past(claim, 5)  # published 15 days ago, withdrawn 5 days ago
    services.claim_publish(claim=claim, by=staff.editor, verdict=Verdict.MISLEADING, rationale="Misleading now.",
                           note="We now rate it misleading.")  # fmt: skip
    assert "Accurate" in client.get(f"/claims/{claim.slug}/?as_of={ago(7)}").content.decode()
    under_review = client.get(f"/claims/{claim.slug}/?as_of={ago(3)}")
    assert under_review.status_code == 404
    assert "under review" in under_review.content.decode()
    assert "Misleading" not in under_review.content.decode()


def test_a_day_in_the_future_is_a_404_on_pages_and_in_the_api(client, api, corrected_claim):
    assert client.get(f"/claims/{corrected_claim.slug}/", {"as_of": "9999-12-31"}).status_code == 404
    assert api.get(f"/api/v1/claims/{corrected_claim.slug}/", {"as_of": "9999-12-31"}).status_code == 404


@pytest.mark.parametrize("bad", ["yesterday", "2025-13-01", "2025-1-1", "2025-02-30", ""])
def test_a_bad_date_is_a_400_on_pages_and_in_the_api(client, api, corrected_claim, bad):
    page = client.get(f"/claims/{corrected_claim.slug}/", {"as_of": bad})
    assert page.status_code == 400 and "as_of" in page.content.decode()
    response = api.get(f"/api/v1/claims/{corrected_claim.slug}/", {"as_of": bad})
    assert response.status_code == 400
    assert "as_of" in response.json()["error"]["fields"]


def test_the_api_detail_gives_the_claim_as_of_that_day(api, corrected_claim):
    body = api.get(f"/api/v1/claims/{corrected_claim.slug}/", {"as_of": ago(5)}).json()
    assert body["as_of"] == ago(5) and body["verdict"]["value"] == "accurate"
    assert api.get(f"/api/v1/claims/{corrected_claim.slug}/").json()["as_of"] is None
    assert api.get(f"/api/v1/claims/{corrected_claim.slug}/", {"as_of": ago(20)}).status_code == 404


def test_an_agreement_as_of_a_day_shows_its_status_then_and_the_timeline_links_each_step(
    client, api, make_agreement, add_status
):
    agreement = make_agreement(title="Pact")
    add_status(agreement, AgreementStatus.ANNOUNCED, dt.date(2025, 10, 29))
    add_status(agreement, AgreementStatus.SIGNED, dt.date(2025, 11, 3))
    page = client.get(f"/agreements/{agreement.slug}/").content.decode()
    assert 'href="?as_of=2025-10-29"' in page and 'href="?as_of=2025-11-03"' in page
    then = client.get(f"/agreements/{agreement.slug}/?as_of=2025-10-30").content.decode()
    assert "As of" in then and "Status on 30 October 2025" in then and "Announced" in then
    assert "(later)" in then
    before = client.get(f"/agreements/{agreement.slug}/?as_of=2025-10-01").content.decode()
    assert "No status step is recorded on or before 1 October 2025" in before
    body = api.get(f"/api/v1/agreements/{agreement.slug}/", {"as_of": "2025-10-30"}).json()
    assert (body["current_status"], body["status_since"], body["as_of"]) == ("announced", "2025-10-29", "2025-10-30")
