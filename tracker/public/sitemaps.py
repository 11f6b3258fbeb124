"""The sitemap: an index at /sitemap.xml naming one file per kind of record (and one per
page of it), so that no file grows with the record. Published records and fixed pages only."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from tracker.desk.models import Agreement, Claim, Meeting, Party, Person, Source, Topic


class PublishedSitemap(Sitemap):
    model = None
    # Addresses in one file: a page of them renders well inside the cold-render budget
    # (docs/benchmarks.md); the protocol allows 50,000.
    limit = 2000

    def items(self):
        # Only what a <url> entry needs: a source's archived text is large.
        return self.model.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, record):
        return record.updated_at

    def get_latest_lastmod(self):
        # Django's default calls lastmod() on every item: one query here instead.
        return self.model.objects.published().aggregate(latest=Max("updated_at"))["latest"]


class ClaimSitemap(PublishedSitemap):
    model = Claim
    priority = 0.8


class SourceSitemap(PublishedSitemap):
    model = Source


class AgreementSitemap(PublishedSitemap):
    model = Agreement


class MeetingSitemap(PublishedSitemap):
    model = Meeting


class PersonSitemap(PublishedSitemap):
    model = Person


class PartySitemap(Sitemap):
    def items(self):
        return Party.objects.published().order_by("code")


class TopicSitemap(Sitemap):
    def items(self):
        return Topic.objects.published().order_by("slug")


class PagesSitemap(Sitemap):
    pages = ["home", "claims", "sources", "agreements", "meetings", "corrections", "methodology"]

    def items(self) -> list[str]:
        return self.pages

    def location(self, name: str) -> str:
        return reverse(f"public:{name}")


SITEMAPS = {
    "pages": PagesSitemap,
    "claims": ClaimSitemap,
    "sources": SourceSitemap,
    "agreements": AgreementSitemap,
    "meetings": MeetingSitemap,
    "people": PersonSitemap,
    "parties": PartySitemap,
    "topics": TopicSitemap,
}
