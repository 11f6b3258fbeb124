from django.contrib.sitemaps.views import index
from django.urls import path, register_converter

from tracker.parameters import reads

from . import feeds, record_feeds, views
from .caching import public_page
from .memento import memento_urls
from .sitemaps import SITEMAPS, sitemap_file


class PartyCodeConverter:
    """A party code's shape (letters and digits, as in the API's party URLs), so that
    anything else (a NUL, which PostgreSQL refuses in a query) is a 404 before any query.
    Lower case is matched too: the page redirects it to the upper-case address."""

    regex = "[A-Za-z0-9]{1,16}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PartyCodeConverter, "party_code")

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("claims/", views.claim_list, name="claims"),
    path("claims/<slug:slug>/", views.claim_detail, name="claim"),
    path("claims/<slug:slug>/feed/", reads()(public_page(record_feeds.RecordFeed("claim"))), name="claim-feed"),
    path("sources/", views.source_list, name="sources"),
    path("sources/<slug:slug>/", views.source_detail, name="source"),
    path("sources/<slug:slug>/feed/", reads()(public_page(record_feeds.RecordFeed("source"))), name="source-feed"),
    path("agreements/", views.agreement_list, name="agreements"),
    path("agreements/<slug:slug>/", views.agreement_detail, name="agreement"),
    path(
        "agreements/<slug:slug>/feed/",
        reads()(public_page(record_feeds.RecordFeed("agreement"))),
        name="agreement-feed",
    ),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/<slug:slug>/", views.meeting_detail, name="meeting"),
    path("meetings/<slug:slug>/feed/", reads()(public_page(record_feeds.RecordFeed("meeting"))), name="meeting-feed"),
    path("people/<slug:slug>/", views.person_detail, name="person"),
    path("people/<slug:slug>/feed/", reads()(public_page(record_feeds.RecordFeed("person"))), name="person-feed"),
    path("parties/<party_code:code>/", views.party_detail, name="party"),
    path("parties/<party_code:code>/feed/", reads()(public_page(record_feeds.RecordFeed("party"))), name="party-feed"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("topics/<slug:slug>/feed/", reads()(public_page(record_feeds.RecordFeed("topic"))), name="topic-feed"),
    path("search/", views.search, name="search"),
    path("corrections/", views.correction_list, name="corrections"),
    path("corrections/<int:pk>/", views.correction_detail, name="correction"),
    path("methodology/", views.methodology, name="methodology"),
    path("feeds/verdicts/", reads()(public_page(feeds.VerdictFeed(), lists=["claim"])), name="feed-verdicts"),
    path(
        "feeds/corrections/",
        reads()(public_page(feeds.CorrectionFeed(), lists=["correction"])),
        name="feed-corrections",
    ),
    path(
        "feeds/agreements/",
        reads()(public_page(feeds.AgreementStatusFeed(), lists=["agreement"])),
        name="feed-agreements",
    ),
    *memento_urls("claim", "claims"),
    *memento_urls("agreement", "agreements"),
    *memento_urls("source", "sources"),
    path("robots.txt", views.robots_txt, name="robots"),
    path(
        "sitemap.xml",
        reads()(public_page(index)),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "public:sitemap-section"},
        name="sitemap",
    ),
    path("sitemap-<slug:section>.xml", reads("p")(public_page(sitemap_file)), name="sitemap-section"),
]
