"""Memento (RFC 7089): a plain HTTP client travels through a corrected claim's versions
the way a Memento client does: the original's Link header names the TimeGate and
TimeMap, the TimeMap lists the mementos, the TimeGate negotiates on Accept-Datetime,
and each memento says when it was and links its neighbours."""

import datetime as dt

import pytest
import requests
from django.utils.http import http_date
from requests.utils import parse_header_links

from tracker.desk import clock, services
from tracker.desk.choices import State, Verdict
from tracker.desk.models import Claim

UTC = dt.UTC
PUBLISHED = dt.datetime(2025, 11, 12, 9, 0, tzinfo=UTC)
CORRECTED = dt.datetime(2025, 11, 22, 15, 30, tzinfo=UTC)
WITHDRAWN = dt.datetime(2025, 12, 1, 8, 0, tzinfo=UTC)
REPUBLISHED = dt.datetime(2025, 12, 3, 10, 0, tzinfo=UTC)


def links(response) -> dict[str, list[dict]]:
    """The response's Link header by relation (a link with "first memento" is under both)."""
    found: dict[str, list[dict]] = {}
    for link in parse_header_links(response.headers.get("Link", "")):
        for rel in link.get("rel", "").split():
            found.setdefault(rel, []).append(link)
    return found


def timemap(text: str) -> list[dict]:
    """application/link-format (RFC 6690): entries separated by commas between lines."""
    return parse_header_links(" ".join(text.split("\n")).strip().rstrip(","))


def when(moment: dt.datetime) -> str:
    return http_date(moment.timestamp())


@pytest.fixture
def corrected_claim(transactional_db, make_claim, staff):
    """Published accurate on 12 November 2025, corrected to misleading on 22 November,
    withdrawn to review on 1 December, republished unsupported on 3 December."""
    with clock.seeded_at(PUBLISHED):
        claim = make_claim(state=State.PUBLISHED, verdict=Verdict.ACCURATE, statement="The pact was signed.")
    with clock.seeded_at(CORRECTED):
        services.claim_correct(claim=Claim.objects.get(pk=claim.pk), by=staff.editor, note="It was announced only.",
                               verdict=Verdict.MISLEADING, rationale="Announced, not signed.")  # fmt: skip
    with clock.seeded_at(WITHDRAWN):
        claim = services.claim_withdraw(claim=Claim.objects.get(pk=claim.pk), by=staff.editor, reason="A new text.")
    with clock.seeded_at(REPUBLISHED):
        services.claim_publish(claim=Claim.objects.get(pk=claim.pk), by=staff.editor, verdict=Verdict.UNSUPPORTED,
                               rationale="Neither text settles it.", note="We now rate it unsupported.")  # fmt: skip
    return Claim.objects.get(pk=claim.pk)


def test_a_memento_client_travels_through_a_corrected_claims_versions(live_server, corrected_claim):
    http = requests.Session()
    original = f"{live_server.url}/claims/{corrected_claim.slug}/"
    page = http.get(original)
    assert page.status_code == 200 and "Earlier versions" in page.text
    gate, tmap = links(page)["timegate"][0]["url"], links(page)["timemap"][0]["url"]

    listed = http.get(tmap)
    assert listed.headers["Content-Type"].startswith("application/link-format")
    entries = timemap(listed.text)
    assert [e["url"] for e in entries if e["rel"] == "original"] == [original]
    mementos = [e for e in entries if "memento" in e["rel"].split()]
    # Three versions readers saw: published, corrected, republished (the withdrawal is none).
    assert [e["datetime"] for e in mementos] == [when(PUBLISHED), when(CORRECTED), when(REPUBLISHED)]
    assert mementos[0]["rel"] == "first memento" and mementos[-1]["rel"] == "last memento"

    expected = ["Accurate", "Misleading", "Unsupported"]
    for entry, verdict, moment in zip(mementos, expected, [PUBLISHED, CORRECTED, REPUBLISHED], strict=True):
        asked = moment + dt.timedelta(hours=1)
        hop = http.get(gate, headers={"Accept-Datetime": when(asked)}, allow_redirects=False)
        assert hop.status_code == 302 and hop.headers["Location"] == entry["url"]
        assert "accept-datetime" in hop.headers["Vary"].lower()
        assert links(hop)["original"][0]["url"] == original
        memento = http.get(hop.headers["Location"])
        assert memento.status_code == 200
        assert memento.headers["Memento-Datetime"] == when(moment)
        rels = links(memento)
        assert rels["original"][0]["url"] == original and rels["timegate"][0]["url"] == gate
        assert rels["timemap"][0]["url"] == tmap
        assert f"<strong>{verdict}</strong> means" in memento.text
        assert "As published on" in memento.text and '<meta name="robots" content="noindex">' in memento.text
        assert f'<link rel="canonical" href="{original}">' in memento.text

    # Withdrawn on 1 December: the TimeGate gives what readers last saw before it.
    during = http.get(gate, headers={"Accept-Datetime": when(WITHDRAWN)}, allow_redirects=False)
    assert during.headers["Location"] == mementos[1]["url"]
    # Before the first version: the first; no Accept-Datetime: the latest; a bad one: 400.
    early = http.get(gate, headers={"Accept-Datetime": when(PUBLISHED - dt.timedelta(days=30))}, allow_redirects=False)
    assert early.headers["Location"] == mementos[0]["url"]
    assert http.get(gate, allow_redirects=False).headers["Location"] == mementos[-1]["url"]
    assert http.get(gate, headers={"Accept-Datetime": "last week"}).status_code == 400

    # From the first memento to the last by its next links, and back by prev.
    visited, url = [], mementos[0]["url"]
    while url:
        visited.append(url)
        url = (links(http.get(url)).get("next") or [{}])[0].get("url")
    assert visited == [e["url"] for e in mementos]
    assert links(http.get(mementos[-1]["url"]))["prev"][0]["url"] == mementos[1]["url"]

    # The JSON TimeMap lists the same versions.
    body = http.get(f"{original}timemap/json/").json()
    assert [m["uri"] for m in body["mementos"]["list"]] == [e["url"] for e in mementos]
    assert body["original_uri"] == original and body["timegate_uri"] == gate


def test_no_cache_serves_a_memento_for_a_plain_request_or_the_reverse(live_server, corrected_claim):
    """The original never negotiates (the same page with or without Accept-Datetime, in
    either order through the response cache); the TimeGate's answer is never stored."""
    http = requests.Session()
    original = f"{live_server.url}/claims/{corrected_claim.slug}/"
    gate = f"{original}timegate/"
    old = {"Accept-Datetime": when(PUBLISHED + dt.timedelta(hours=1))}
    first = http.get(gate, headers=old, allow_redirects=False)
    second = http.get(gate, allow_redirects=False)
    third = http.get(gate, headers=old, allow_redirects=False)
    assert first.headers["Location"] == third.headers["Location"] != second.headers["Location"]
    assert first.headers["Cache-Control"] == "no-store"
    with_header = http.get(original, headers=old)
    plain = http.get(original)
    for response in (with_header, plain):
        assert "Memento-Datetime" not in response.headers
        assert "Unsupported</strong> means" in response.text
    old_copy = http.get(first.headers["Location"])
    assert "Accurate</strong> means" in old_copy.text and "Memento-Datetime" in old_copy.headers


def test_versions_page_lists_every_version_and_agreements_and_sources_have_them_too(
    client, corrected_claim, make_agreement, make_source
):
    page = client.get(f"/claims/{corrected_claim.slug}/versions/")
    assert page.status_code == 200
    body = page.content.decode()
    assert body.count("as published on") == 3 and "We now rate it unsupported." in body
    assert "Withdrawn for review" in body and "A new text." in body  # said why, with no version
    for record, kind in ((make_agreement(title="Pact"), "agreements"), (make_source(), "sources")):
        listed = client.get(f"/{kind}/{record.slug}/timemap/link/").content.decode()
        url = timemap(listed)[-1]["url"]
        memento = client.get(url)
        assert memento.status_code == 200 and "Memento-Datetime" in memento
        # Its one version is both the first and the last.
        assert f'<{url}>; rel="first last memento"' in memento["Link"]
        assert record.title in memento.content.decode() and "As published on" in memento.content.decode()
        assert "Earlier versions" in client.get(f"/{kind}/{record.slug}/").content.decode()


def test_a_draft_claim_has_no_versions_and_a_retracted_ones_are_gone(client, make_claim):
    draft = make_claim()
    for suffix in ("versions/", "timegate/", "timemap/link/", "timemap/json/"):
        assert client.get(f"/claims/{draft.slug}/{suffix}").status_code == 404
    retracted = make_claim(state=State.RETRACTED)
    for suffix in ("versions/", "timegate/", "timemap/link/"):
        assert client.get(f"/claims/{retracted.slug}/{suffix}").status_code == 410
