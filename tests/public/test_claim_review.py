"""ClaimReview as fact-check aggregators read it, parsed from the claim page by extruct
(as aggregators' crawlers do) and checked against Google's fact-check documentation:
the review's required url, claimReviewed and reviewRating.alternateName; the Claim's
author, datePublished and appearance (the original address, the archived copy as
archivedAt); numbers only for verdicts that say how true a claim is."""

import datetime as dt

import extruct
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signals
from django.db import close_old_connections, transaction

from tracker.desk.choices import VERDICT_SCALE, DatePrecision, State, Verdict
from tracker.desk.models import Claim
from tracker.desk.seeds import load_seeds


def claim_review(client, claim: Claim) -> dict | None:
    response = client.get(claim.get_absolute_url())
    assert response.status_code == 200
    found = extruct.extract(response.content.decode(), base_url="http://testserver/", syntaxes=["json-ld"])
    reviews = [item for item in found["json-ld"] if item.get("@type") == "ClaimReview"]
    assert len(reviews) <= 1
    return reviews[0] if reviews else None


def test_the_claim_is_dated_by_its_source_and_appears_at_its_original_address(client, make_source, make_claim):
    source = make_source(
        url="https://pm.gc.ca/en/news/readouts/2025/10/30/korea",
        published_on=dt.date(2025, 10, 30),
        published_precision=DatePrecision.DAY,
    )
    claim = make_claim(source=source, state=State.PUBLISHED, verdict=Verdict.ACCURATE, claimed_on=None)

    item = claim_review(client, claim)["itemReviewed"]

    assert item["@type"] == "Claim"
    assert item["datePublished"] == "2025-10-30"  # no date of its own: its source's
    assert item["appearance"]["url"] == "https://pm.gc.ca/en/news/readouts/2025/10/30/korea"
    assert item["appearance"]["archivedAt"] == f"http://testserver/sources/{source.slug}/{claim.fragment}"
    assert item["appearance"]["datePublished"] == "2025-10-30"


def test_a_claim_of_its_own_date_is_dated_by_it(client, make_source, make_claim):
    source = make_source(published_on=dt.date(2025, 11, 1), published_precision=DatePrecision.MONTH)
    claim = make_claim(source=source, state=State.PUBLISHED, claimed_on=dt.date(2025, 10, 29))

    item = claim_review(client, claim)["itemReviewed"]

    assert item["datePublished"] == "2025-10-29"
    assert item["appearance"]["datePublished"] == "2025-11"  # only the month is known


def test_without_an_original_address_the_appearance_is_the_archived_copy(client, make_source, make_claim):
    source = make_source(url=None, published_on=dt.date(2025, 1, 1), published_precision=DatePrecision.YEAR)
    claim = make_claim(source=source, state=State.PUBLISHED)

    item = claim_review(client, claim)["itemReviewed"]

    assert "url" not in item["appearance"]
    assert item["appearance"]["archivedAt"].startswith(f"http://testserver/sources/{source.slug}/")
    # The desk gave the claim its source's date, 2025-01-01 for "2025": no more precise than known.
    assert claim.claimed_on == dt.date(2025, 1, 1)
    assert item["datePublished"] == "2025"


@pytest.mark.parametrize("verdict", [Verdict.ACCURATE, Verdict.MOSTLY_ACCURATE, Verdict.MISLEADING, Verdict.INACCURATE])
def test_a_verdict_of_degree_carries_its_number_and_its_words(client, make_claim, verdict):
    claim = make_claim(state=State.PUBLISHED, verdict=verdict)

    rating = claim_review(client, claim)["reviewRating"]

    assert rating == {
        "@type": "Rating",
        "alternateName": Verdict(verdict).label,
        "ratingValue": VERDICT_SCALE[verdict]["rating"],
        "bestRating": 5,
        "worstRating": 1,
    }
    assert rating["ratingValue"] != 3  # the midpoint reads as "half true"


def test_unsupported_carries_its_words_and_no_number(client, make_claim):
    # A 3 of 5 was read by aggregators as "half true"; it means "we cannot tell".
    claim = make_claim(state=State.PUBLISHED, verdict=Verdict.UNSUPPORTED)

    assert claim_review(client, claim)["reviewRating"] == {"@type": "Rating", "alternateName": "Unsupported"}
    assert VERDICT_SCALE[Verdict.UNSUPPORTED]["rating"] is None
    assert client.get("/api/v1/claims/" + claim.slug + "/").json()["verdict"]["rating"] is None


def test_the_claimant_is_named_without_the_desks_gloss(client, make_claim, make_person):
    sidhu = make_person(slug="maninder-sidhu", name="Maninder Sidhu")
    quoted = make_claim(
        state=State.PUBLISHED,
        claimant="Maninder Sidhu (as reported by an unattributed aggregator site)",
        claimant_person=sidhu,
    )
    readout = make_claim(state=State.PUBLISHED, claimant="Prime Minister of Canada (official readout)")

    assert claim_review(client, quoted)["itemReviewed"]["author"] == {"@type": "Person", "name": "Maninder Sidhu"}
    assert claim_review(client, readout)["itemReviewed"]["author"] == {
        "@type": "Organization",
        "name": "Prime Minister of Canada",
    }
    # The page itself still shows the desk's full attribution to readers.
    assert "as reported by an unattributed aggregator site" in client.get(quoted.get_absolute_url()).content.decode()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The seeded record, rolled back after the module (one load for every page)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    with django_db_blocker.unblock(), transaction.atomic():
        load_seeds(settings.BASE_DIR / "seeds")
        yield list(Claim.objects.published().select_related("source", "claimant_person").order_by("slug"))
        transaction.set_rollback(True)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_every_seeded_claim_page_has_the_properties_google_requires_and_recommends(client, seeded):
    assert seeded and get_user_model()  # the seeds published claims
    for claim in seeded:
        review = claim_review(client, claim)
        if claim.verdict == Verdict.NOT_RATED:
            assert review is None, claim.slug
            continue
        # Required: the review's own page, the claim in words, the verdict in words.
        assert review["url"] == f"http://testserver{claim.get_absolute_url()}", claim.slug
        assert review["claimReviewed"] == claim.statement
        assert review["reviewRating"]["alternateName"] == Verdict(claim.verdict).label
        # Recommended: who reviewed it and when; who made the claim, when and where.
        assert review["author"]["name"] and dt.date.fromisoformat(review["datePublished"])
        item = review["itemReviewed"]
        assert "(" not in item["author"]["name"], (claim.slug, item["author"]["name"])
        assert item["appearance"]["archivedAt"].startswith(f"http://testserver/sources/{claim.source.slug}/")
        if claim.source.url:
            assert item["appearance"]["url"] == claim.source.url
        if claim.claimed_on or claim.source.published_on:
            assert item["datePublished"], claim.slug
        number = review["reviewRating"].get("ratingValue")
        assert number == VERDICT_SCALE[claim.verdict]["rating"], claim.slug
