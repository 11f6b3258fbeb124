"""The seeded site as readers and feed readers meet it (issue 28): every feed parses
without a problem in feedparser and follows RFC 4287 (an author, an `updated` and a
stable id on every entry), and a crawl from `/`, the feeds and the sitemaps follows
every internal link and `#fragment` without finding a dead one.

The seeds are loaded once for the module (load_seeds into the test database, rolled
back at the end), so the crawl costs one load however many tests read it.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import feedparser
import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

HOST = "http://testserver"
SKIP = ("/admin/", "/static/", "/api/", "/fr/", "/search/")
# Enough for the seeded record many times over; a crawl that needs more has a loop.
LIMIT = 2500


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    # Tests of other modules may open the shared records' transaction (tests/conftest.py)
    # while this one is held: it is closed before this one is, innermost first.
    from ..conftest import _shared

    _shared.drop(django_db_blocker)
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        with django_db_blocker.unblock():
            call_command("load_seeds", verbosity=0)
        yield
    finally:
        _shared.drop(django_db_blocker)
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("id", "name") if tag == "a" else ("id",):
            if attrs.get(name):
                self.ids.add(attrs[name])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "link" and attrs.get("href") and attrs.get("rel") in ("canonical", "alternate", "timemap"):
            self.links.append(attrs["href"])


def _internal(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("", "http") and parts.netloc in ("", "testserver") and not url.startswith("mailto:")


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture(scope="module")
def crawl(seeded, django_db_blocker):
    """Every internal address reachable from the home page, the feeds and the
    sitemaps: {address: (status, ids on it)}, and every (from, link) seen."""
    client = Client()
    starts = ["/", "/feeds/verdicts/", "/feeds/corrections/", "/feeds/agreements/", "/sitemap.xml", "/corrections/"]
    seen: dict[str, tuple[int, set[str]]] = {}
    edges: list[tuple[str, str]] = []
    queue = list(starts)
    with django_db_blocker.unblock():
        while queue:
            address = queue.pop()
            if address in seen:
                continue
            assert len(seen) < LIMIT, "the crawl does not end: some page links ever new addresses"
            response = client.get(address, follow=True)
            content_type = response.get("Content-Type", "")
            ids: set[str] = set()
            found: list[str] = []
            if response.status_code == 200 and "html" in content_type:
                page = Page()
                page.feed(response.content.decode())
                ids, found = page.ids, page.links
            elif response.status_code == 200 and "xml" in content_type:
                text = response.content.decode()
                found = re.findall(r"<loc>([^<]+)</loc>", text) + re.findall(r'<link[^>]* href="([^"]+)"', text)
            seen[address] = (response.status_code, ids)
            for link in found:
                target = urljoin(HOST + address, link)
                if not _internal(target):
                    continue
                edges.append((address, target))
                path = _path(urldefrag(target)[0])
                if path not in seen and not path.startswith(SKIP):
                    queue.append(path)
    return seen, edges


def test_every_internal_link_and_fragment_on_the_seeded_site_resolves(crawl):
    seen, edges = crawl
    assert len(seen) > 100  # the seeded record: claims, sources, agreements, their versions
    dead = sorted(address for address, (status, _) in seen.items() if status != 200)
    assert not dead, f"dead addresses: {dead[:20]}"
    broken = set()
    for origin, target in edges:
        address, fragment = urldefrag(target)
        path = _path(address)
        if not fragment or fragment.startswith(":~:") or path.startswith(SKIP):
            continue  # a text fragment (#:~:text=) points at words, not an id
        status, ids = seen[path]
        if fragment not in ids:
            broken.add((origin, target))
    assert not broken, f"links to fragments no page has: {sorted(broken)[:20]}"


def test_the_readmes_as_of_example_works_on_a_freshly_seeded_site(seeded, django_db_blocker):
    client = Client()
    with django_db_blocker.unblock():
        then = client.get("/claims/s3-xi-meeting-expected/?as_of=2025-11-20")
        now = client.get("/claims/s3-xi-meeting-expected/")
    assert then.status_code == 200 and "As published on" in then.content.decode()
    verdict = re.compile(r"<strong>([^<]+)</strong> means")
    assert verdict.search(then.content.decode())[1] != verdict.search(now.content.decode())[1]


def test_every_feed_of_the_seeded_site_is_valid_atom(crawl, django_db_blocker):
    seen, _ = crawl
    feeds = [address for address in seen if address.startswith("/feeds/") or address.endswith("/feed/")]
    assert len(feeds) > 20  # the site's three and one per record page
    client = Client()
    with django_db_blocker.unblock():
        for address in feeds:
            parsed = feedparser.parse(client.get(address).content)
            assert not parsed.bozo, f"{address}: {parsed.get('bozo_exception')}"
            assert parsed.version == "atom10"
            assert parsed.feed.get("author"), f"{address} names no author"
            for entry in parsed.entries:
                assert entry.get("updated") and entry.get("id"), f"{address}: {entry.get('title')} lacks updated/id"


def test_feed_entry_ids_stay_the_same_when_the_record_is_edited(seeded, django_db_blocker, staff):
    from tracker.desk import services
    from tracker.desk.models import Claim

    client = Client()

    def entries(address):
        return {entry.link: entry for entry in feedparser.parse(client.get(address).content).entries}

    with django_db_blocker.unblock():
        claim = Claim.objects.published().exclude(verdict="not_rated").order_by("-updated_at").first()
        link = f"{HOST}{claim.get_absolute_url()}"
        before = entries("/feeds/verdicts/")[link]
        ids = {entry.id for entry in entries(f"{claim.get_absolute_url()}feed/").values()}
        with transaction.atomic():
            services.claim_correct(claim=claim, by=staff.editor, note="We tightened the wording.",
                                   verdict=claim.verdict, rationale=claim.rationale + " As reported.")  # fmt: skip
            after = entries("/feeds/verdicts/")[link]
            again = {entry.id for entry in entries(f"{claim.get_absolute_url()}feed/").values()}
            transaction.set_rollback(True)
    assert after.id == before.id and after.updated != before.updated
    assert "As reported." in after.summary
    assert ids < again  # the earlier entries keep their ids beside the new one
