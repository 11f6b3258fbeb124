"""Cite this: APA, Chicago and BibTeX on claim and agreement pages with the permanent
link and the date; evidence links to the original document at the passage with a
Text Fragment (WICG), beside the archived copy."""

import pytest

from tracker.desk import services
from tracker.desk.choices import State
from tracker.public.citations import citations, text_fragment_url


@pytest.mark.parametrize(
    "passage, expected",
    [
        ("Security and Defence", "#:~:text=Security%20and%20Defence"),
        # `-`, `,` and `&` are the directive's syntax: always percent-encoded.
        ("Canada-Korea, trade & defence", "#:~:text=Canada%2DKorea%2C%20trade%20%26%20defence"),
        ("“Quoted” words — dashes", "#:~:text=%E2%80%9CQuoted%E2%80%9D%20words%20%E2%80%94%20dashes"),
        (
            "one two three four five six seven eight nine ten eleven twelve",
            "#:~:text=one%20two%20three%20four,nine%20ten%20eleven%20twelve",
        ),
        ("  spread\nover   lines ", "#:~:text=spread%20over%20lines"),
    ],
)
def test_text_fragments_are_percent_encoded_per_the_spec(passage, expected):
    assert text_fragment_url("https://example.org/a?b=1#old", passage) == "https://example.org/a?b=1" + expected


def test_bibtex_escapes_its_special_characters(make_claim):
    claim = make_claim(state=State.PUBLISHED, statement="Trade grew 10% & {more}_here")
    bibtex = citations(claim, "https://t.example/claims/x/")["BibTeX"]
    assert r"10\% \& \{more\}\_here" in bibtex
    assert bibtex.startswith(f"@misc{{claim-{claim.slug},")


def test_a_claim_page_offers_three_citations_with_its_permanent_link(client, make_claim):
    claim = make_claim(state=State.PUBLISHED, statement="Canada and Korea signed a pact")
    body = client.get(f"/claims/{claim.slug}/").content.decode()
    link = f"http://testserver/claims/{claim.slug}/"
    assert "Cite this" in body
    assert f"Policy Desk Tracker. ({claim.updated_at.year}, " in body
    assert "Canada and Korea signed a pact [Fact check: Accurate]. Retrieved" in body
    assert "Last modified" in body and "@misc{" in body
    assert body.count(link) >= 3


def test_an_as_of_page_cites_that_version(client, make_agreement, add_status):
    agreement = make_agreement(title="Pact")
    add_status(agreement)
    body = client.get(f"/agreements/{agreement.slug}/?as_of=2025-10-30").content.decode()
    assert f"http://testserver/agreements/{agreement.slug}/?as_of=2025-10-30" in body
    assert "(2025, October 30). Pact [Agreement record]" in body


def test_evidence_links_to_the_original_passage_only_where_the_source_has_a_url(client, make_claim, make_source, staff):
    online = make_source(url="https://www.pm.gc.ca/en/news/readout")
    offline = make_source()
    claim = make_claim(
        state=State.PUBLISHED,
        evidence=[
            services.EvidenceAdd(source=online, quote="Security and Defence", stance="supports"),
            services.EvidenceAdd(source=offline, quote="General Security", stance="context"),
        ],
    )
    body = client.get(f"/claims/{claim.slug}/").content.decode()
    assert 'href="https://www.pm.gc.ca/en/news/readout#:~:text=Security%20and%20Defence"' in body
    assert body.count("In the original") == 1
    assert body.count("Read it in context") == 2
