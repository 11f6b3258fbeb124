"""Atom feeds, sitemap.xml and robots.txt."""

import xml.etree.ElementTree as ET

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


def test_the_corrections_feed_links_to_the_corrections_page(client, desk):
    (entry,) = entries(client, "/feeds/corrections/")
    assert "/corrections/#correction-" in entry.find(f"{ATOM}link").get("href")
    assert "The verdict stands." in entry.find(f"{ATOM}summary").text


def test_the_agreements_feed_lists_each_status_step(client, desk):
    titles = [entry.find(f"{ATOM}title").text for entry in entries(client, "/feeds/agreements/")]
    assert "General Security of Information Agreement (Canada–Korea): negotiations concluded" in titles
    assert len(titles) == 3


def test_the_sitemap_lists_published_records_and_fixed_pages(client, desk):
    response = client.get("/sitemap.xml")
    content = response.content.decode()
    assert response.status_code == 200
    for url in ["/claims/canada-korea-signed-defence-agreement/", "/sources/pm-readout-indo-pacific-2025/",
                "/agreements/canada-korea-gsoia/", "/meetings/carney-lee-gyeongju-2025/", "/people/mark-carney/",
                "/parties/KR/", "/methodology/"]:  # fmt: skip
        assert url in content
    assert "<lastmod>" in content


def test_robots_points_at_the_sitemap_and_keeps_out_of_admin(client):
    content = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in content
    assert "Sitemap: http://testserver/sitemap.xml" in content


def test_pages_advertise_their_feeds(client, desk):
    content = client.get("/").content.decode()
    assert 'type="application/atom+xml" title="Verdicts" href="/feeds/verdicts/"' in content
