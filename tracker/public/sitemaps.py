"""The sitemap: an index at /sitemap.xml naming one file per kind of record (and one per
page of it), so that no file grows with the record. Published records and fixed pages only.

Django's Sitemap classes choose and page the records; a file is written here rather than
by Django's template, which spent about 100 µs an address (a 2,000-address file took
over 300 ms cold).
"""

from xml.sax.saxutils import escape

from django.contrib.sitemaps import Sitemap
from django.core.paginator import InvalidPage
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from tracker.desk.models import Agreement, Claim, Meeting, Party, Person, Source, Topic


class RecordSitemap(Sitemap):
    """Records with a page at `public:<url_name>` under their `key` (slug or code). Items
    are (key, last change) pairs, not model instances: a file reads 2,000 of them."""

    url_name = ""
    key = "slug"

    def address_of(self):
        """The page address of an item, built from one reverse() per file."""
        marker = "0"
        prefix, _, suffix = reverse(f"public:{self.url_name}", args=[marker]).rpartition(marker)
        return lambda item: f"{prefix}{item[0]}{suffix}"

    def location(self, item) -> str:
        return self.address_of()(item)


class PublishedSitemap(RecordSitemap):
    model = None
    # Addresses in one file: a page of them renders well inside the cold-render budget
    # (docs/benchmarks.md); the protocol allows 50,000.
    limit = 2000

    def items(self):
        # Only what a <url> entry needs: a source's archived text is large.
        return self.model.objects.published().order_by("pk").values_list("slug", "updated_at")

    def lastmod(self, item):
        return item[1]

    def get_latest_lastmod(self):
        # Django's default calls lastmod() on every item: one query here instead.
        return self.model.objects.published().aggregate(latest=Max("updated_at"))["latest"]


class ClaimSitemap(PublishedSitemap):
    model, url_name = Claim, "claim"
    priority = 0.8


class SourceSitemap(PublishedSitemap):
    model, url_name = Source, "source"


class AgreementSitemap(PublishedSitemap):
    model, url_name = Agreement, "agreement"


class MeetingSitemap(PublishedSitemap):
    model, url_name = Meeting, "meeting"


class PersonSitemap(PublishedSitemap):
    model, url_name = Person, "person"


class PartySitemap(RecordSitemap):
    url_name, key = "party", "code"

    def items(self):
        return Party.objects.published().order_by("code").values_list("code")


class TopicSitemap(RecordSitemap):
    url_name = "topic"

    def items(self):
        return Topic.objects.published().order_by("slug").values_list("slug")


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

URLSET = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'


@require_safe
def sitemap_file(request: HttpRequest, section: str) -> HttpResponse:
    """One file of the sitemap: `?p=` pages a kind with more records than a file holds."""
    kind = SITEMAPS.get(section)
    if kind is None:
        raise Http404("There is no sitemap file of that name.")
    sitemap = kind()
    try:
        page = sitemap.paginator.page(request.GET.get("p", 1))
    except (InvalidPage, OverflowError, ValueError) as error:
        raise Http404("There is no such page of this sitemap file.") from error
    origin = f"{request.scheme}://{request.get_host()}"
    location = sitemap.address_of() if isinstance(sitemap, RecordSitemap) else sitemap.location
    dated = isinstance(sitemap, PublishedSitemap)
    weight = getattr(sitemap, "priority", None)
    priority = f"<priority>{weight}</priority>" if weight is not None else ""
    parts = [URLSET]
    for item in page.object_list:
        parts.append(f"<url><loc>{escape(origin + location(item))}</loc>")
        if dated:
            parts.append(f"<lastmod>{timezone.localtime(item[1]).date().isoformat()}</lastmod>")
        parts.append(f"{priority}</url>\n")
    parts.append("</urlset>\n")
    response = HttpResponse("".join(parts), content_type="application/xml")
    response["X-Robots-Tag"] = "noindex, noodp, noarchive"
    return response
