"""sitemap.xml: the published records and the fixed pages, nothing else."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from tracker.desk.models import Agreement, Claim, Meeting, Party, Person, Source


class PublishedSitemap(Sitemap):
    model = None
    limit = 5000

    def items(self):
        # Only what a <url> entry needs: a source's archived text is large.
        return self.model.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, record):
        return record.updated_at


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
}
