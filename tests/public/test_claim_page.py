"""The claim page: statement, who and where, verdict with its definition, rationale,
evidence linking to the passage, corrections, and ClaimReview structured data."""

import json
import re

from tracker.desk import services
from tracker.desk.choices import VERDICT_SCALE, State, Verdict
from tracker.desk.models import Claim


def claim_review(content: str) -> dict:
    match = re.search(r'<script type="application/ld\+json" nonce="([^"]+)">(.*?)</script>', content, re.S)
    assert match, "no ClaimReview script"
    return json.loads(match.group(2))


def test_it_shows_the_statement_claimant_source_verdict_and_definition(client, desk):
    claim = desk["signed_claim"]
    content = client.get(claim.get_absolute_url()).content.decode()
    assert "Canada and South Korea signed a comprehensive defence agreement." in content
    assert "Unattributed web report" in content
    assert f'href="/sources/{claim.source.slug}/{claim.fragment}"' in content
    assert "Inaccurate" in content
    assert VERDICT_SCALE[Verdict.INACCURATE]["definition"] in content
    assert "Nothing was signed." in content
    assert content.count("<h1") == 1


def test_each_evidence_quote_shows_its_stance_and_links_to_its_passage(client, desk):
    claim = desk["signed_claim"]
    content = client.get(claim.get_absolute_url()).content.decode()
    for evidence in claim.evidence.all():
        assert f'href="/sources/{evidence.source.slug}/#passage-{evidence.start}-{evidence.end}"' in content
        assert evidence.quote in content
    assert ">Contradicts<" in content and ">Context<" in content


def test_it_shows_corrections_and_when_it_was_last_updated(client, desk):
    content = client.get(desk["signed_claim"].get_absolute_url()).content.decode()
    assert "the report says Tuesday. The verdict stands." in content
    assert "Last updated" in content


def test_the_claim_review_carries_the_rating_scale_and_the_claim(client, desk):
    claim = desk["signed_claim"]
    response = client.get(claim.get_absolute_url())
    data = claim_review(response.content.decode())
    assert data["@type"] == "ClaimReview"
    assert data["claimReviewed"] == claim.statement
    assert data["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 1,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "Inaccurate",
    }
    assert data["itemReviewed"]["author"]["name"] == "Unattributed web report"
    assert data["itemReviewed"]["appearance"]["headline"] == claim.source.title
    assert data["url"].endswith(claim.get_absolute_url())


def test_the_claim_review_script_carries_the_csp_nonce(client, desk):
    response = client.get(desk["signed_claim"].get_absolute_url())
    nonce = re.search(r'application/ld\+json" nonce="([^"]+)"', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]


def test_a_statement_cannot_break_out_of_the_structured_data(client, desk, staff):
    claim = services.claim_edit(
        claim=desk["signed_claim"],
        by=staff.editor,
        fields={"statement": 'Evil </script><script>alert("x")</script> & <!-- done'},
        note="We quoted the report's markup.",
    )
    content = client.get(claim.get_absolute_url()).content.decode()
    assert "<script>alert" not in content
    assert claim_review(content)["claimReviewed"] == claim.statement


def test_an_unrated_claim_has_no_claim_review(client, make_claim):
    claim = make_claim(state=State.PUBLISHED)
    # No service publishes a claim as "Not yet rated" (claim_publish refuses it), but a
    # page must never offer a rating for one that is (an older row, a hand-made fix):
    # a bulk update stands in for it.
    Claim.objects.filter(pk=claim.pk).update(verdict=Verdict.NOT_RATED, rationale="")
    content = client.get(claim.get_absolute_url()).content.decode()
    assert "application/ld+json" not in content
    assert "Not yet rated" in content


def test_it_has_open_graph_tags(client, desk):
    content = client.get(desk["signed_claim"].get_absolute_url()).content.decode()
    assert '<meta property="og:title" content="Inaccurate: Canada and South Korea signed' in content
    assert '<meta property="og:type" content="article">' in content
