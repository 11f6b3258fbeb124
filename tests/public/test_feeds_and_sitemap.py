"""Atom feeds, sitemap.xml and robots.txt."""

import json
import re
import xml.etree.ElementTree as ET

import pytest

from tracker.desk.models import Agreement, AgreementStatusChange, Claim, Correction

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content).findall(f"{ATOM}entry")


def test_the_verdicts_feed_lists_rated_claims_with_their_verdict(client, desk):
    titles = [entry.find(f"{ATOM}title").text for entry in entries(client, "/feeds/verdicts/")]
    assert "Inaccurate: Canada and South Korea signed a comprehensive defence agreement." in titles
    assert len(titles) == 4


def test_the_corrections_feed_links_each_correction_at_its_own_page(client, desk):
    (entry,) = entries(client, "/feeds/corrections/")
    link = entry.find(f"{ATOM}link").get("href")
    assert re.fullmatch(r"http://testserver/corrections/\d+/", link)
    assert "The verdict stands." in entry.find(f"{ATOM}summary").text
    assert entry.find(f"{ATOM}updated").text and entry.find(f"{ATOM}id").text.startswith("tag:")
    page = client.get(link)
    assert page.status_code == 200 and "The verdict stands." in page.content.decode()


def test_the_agreements_feed_lists_each_status_step(client, desk):
    titles = [entry.find(f"{ATOM}title").text for entry in entries(client, "/feeds/agreements/")]
    assert "General Security of Information Agreement (Canada–Korea): negotiations concluded" in titles
    assert len(titles) == 3


SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def xml(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/xml"
    return ET.fromstring(response.content)


def sitemap_files(client) -> list[str]:
    """The addresses the index at /sitemap.xml names, as paths."""
    index = xml(client, "/sitemap.xml")
    assert index.tag == f"{SITEMAP}sitemapindex"
    return [loc.text.removeprefix("http://testserver") for loc in index.iter(f"{SITEMAP}loc")]


def test_the_sitemap_index_names_one_file_per_kind_of_record(client, desk):
    files = sitemap_files(client)

    kinds = ["pages", "claims", "sources", "agreements", "meetings", "people", "parties", "topics"]
    assert files == [f"/sitemap-{kind}.xml" for kind in kinds]


def test_the_sitemap_files_list_published_records_and_fixed_pages(client, desk):
    urls = [loc.text for path in sitemap_files(client) for loc in xml(client, path).iter(f"{SITEMAP}loc")]

    for url in ["/claims/canada-korea-signed-defence-agreement/", "/sources/pm-readout-indo-pacific-2025/",
                "/agreements/canada-korea-gsoia/", "/meetings/carney-lee-gyeongju-2025/", "/people/mark-carney/",
                "/parties/KR/", "/topics/defence/", "/methodology/"]:  # fmt: skip
        assert f"http://testserver{url}" in urls
    assert len(urls) == len(set(urls))


def test_the_index_dates_each_record_file_by_its_newest_published_change(client, desk):
    index = xml(client, "/sitemap.xml")
    dated = {
        entry.find(f"{SITEMAP}loc").text: entry.find(f"{SITEMAP}lastmod") for entry in index.iter(f"{SITEMAP}sitemap")
    }

    newest = max(claim.updated_at for claim in Claim.objects.published())
    assert dated["http://testserver/sitemap-claims.xml"].text == newest.isoformat()
    assert dated["http://testserver/sitemap-parties.xml"] is None  # reference data carries no date


def test_a_kind_with_more_records_than_a_file_holds_is_split_into_numbered_files(client, desk, monkeypatch):
    from tracker.public.sitemaps import PublishedSitemap

    monkeypatch.setattr(PublishedSitemap, "limit", 1)
    published = Claim.objects.published().count()

    files = [path for path in sitemap_files(client) if path.startswith("/sitemap-claims.xml")]

    assert files == ["/sitemap-claims.xml"] + [f"/sitemap-claims.xml?p={n}" for n in range(2, published + 1)]
    assert len(list(xml(client, files[-1]).iter(f"{SITEMAP}url"))) == 1
    assert client.get(f"/sitemap-claims.xml?p={published + 1}").status_code == 404


@pytest.mark.parametrize("path", ["/sitemap-drafts.xml", "/sitemap-claims.xml?p=0", "/sitemap-claims.xml?p=x"])
def test_an_unknown_sitemap_file_or_page_is_a_404(client, desk, path):
    assert client.get(path).status_code == 404


def test_robots_points_at_the_sitemap_and_keeps_out_of_admin(client):
    content = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in content
    assert "Sitemap: http://testserver/sitemap.xml" in content


def test_pages_advertise_their_feeds(client, desk):
    content = client.get("/").content.decode()
    assert 'type="application/atom+xml" title="Verdicts" href="/feeds/verdicts/"' in content


@pytest.fixture
def pasted_from_a_pdf(desk):
    """Records saved with control characters in their text, as pasted from a PDF."""
    claim = desk["signed_claim"]
    Claim.objects.filter(pk=claim.pk).update(
        statement="Canada and South Korea\x0b signed a defence agreement.",
        rationale="Nothing was signed.\x0cPage 2\x1b[0m of the readout\r\nsays so\x85.",
        claimant="Unattributed\x01 web report",
    )
    Correction.objects.filter(claim=claim).update(note="We first said\x0c Wednesday.\x7f")
    AgreementStatusChange.objects.filter(agreement=desk["gsoia"]).update(note="Concluded\x0b in Gyeongju.")
    Agreement.objects.filter(pk=desk["gsoia"].pk).update(title="General Security\x0c of Information Agreement")
    return claim


def texts(client, url) -> list[str]:
    return [element.text or "" for entry in entries(client, url) for element in entry.iter()]


def test_a_form_feed_in_a_rationale_keeps_the_verdicts_feed_whole(client, pasted_from_a_pdf):
    found = texts(client, "/feeds/verdicts/")

    assert "Inaccurate: Canada and South Korea signed a defence agreement." in found
    assert "Nothing was signed.Page 2[0m of the readout\nsays so." in found


def test_a_control_character_in_a_correction_note_keeps_the_corrections_feed_whole(client, pasted_from_a_pdf):
    found = texts(client, "/feeds/corrections/")

    assert "Correction: Canada and South Korea signed a defence agreement." in found
    assert "We first said Wednesday." in found


def test_a_control_character_in_an_agreement_keeps_the_agreements_feed_whole(client, pasted_from_a_pdf):
    found = texts(client, "/feeds/agreements/")

    assert "General Security of Information Agreement: negotiations concluded" in found
    assert "Concluded in Gyeongju." in found


def test_a_control_character_in_a_claim_keeps_its_page_json_ld_and_the_sitemap_whole(client, pasted_from_a_pdf):
    page = client.get(pasted_from_a_pdf.get_absolute_url())
    sitemap = client.get("/sitemap.xml")

    assert page.status_code == 200
    script = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', page.content.decode(), re.S)
    review = json.loads(script.group(1))
    assert review["claimReviewed"] == "Canada and South Korea\x0b signed a defence agreement."
    assert review["itemReviewed"]["author"]["name"] == "Unattributed\x01 web report"
    assert sitemap.status_code == 200
    ET.fromstring(sitemap.content)  # well-formed: the sitemap holds addresses and dates only
