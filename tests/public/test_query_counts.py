"""Every list page and search runs the same number of queries for 3 rows as for 30."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tracker.caching import responses
from tracker.desk.choices import AgreementKind, AgreementStatus, MeetingFormat, State, Verdict
from tracker.desk.models import Claim

from ..cache_helpers import caught_up


@pytest.fixture
def rows(make_claim, make_source, make_party, make_agreement, add_status, make_meeting, make_person, correct):
    """make(n): n published claims, sources, agreements, meetings and corrections."""
    korea = make_party("KR", name="Republic of Korea")
    japan = make_party("JP", name="Japan")
    made = 0

    def make(n: int) -> None:
        nonlocal made
        for i in range(made, made + n):
            source = make_source(title=f"Walrus report {i}")
            claim = make_claim(
                source=source,
                statement=f"Walrus statement {i}",
                state=State.PUBLISHED,
                verdict=Verdict.UNSUPPORTED,
                rationale="Neither confirmed nor refuted.",
                parties=[korea],
            )
            correct(claim, note=f"Fixed a typo {i}.")
            agreement = make_agreement(
                [korea, japan], slug=f"walrus-agreement-{i}", title=f"Walrus agreement {i}", kind=AgreementKind.MOU
            )
            add_status(agreement, status=AgreementStatus.ANNOUNCED, date=dt.date(2025, 10, 1), source=source)
            person = make_person(slug=f"walrus-person-{i}", name=f"Person {i}")
            make_meeting(
                [person], slug=f"walrus-meeting-{i}", title=f"Walrus meeting {i}",
                start_date=dt.date(2025, 1 + i % 12, 1), format=MeetingFormat.BILATERAL,
                counterparts=[korea, japan] if i % 2 else [korea],
            )  # fmt: skip
        made += n

    return make


LISTS = [
    "/",
    "/claims/",
    "/claims/?verdict=unsupported&party=KR&sort=oldest",
    "/sources/",
    "/agreements/",
    "/agreements/?party=JP",
    "/meetings/",
    "/meetings/?party=KR",
    "/corrections/",
    "/search/?q=walrus",
    "/search/?q=walrus+statement&kind=claim",
    "/feeds/verdicts/",
    "/feeds/corrections/",
    "/feeds/agreements/",
    "/sitemap.xml",
    "/sitemap-claims.xml",
    "/sitemap-sources.xml",
]
# Pinned: the count query, the page, a prefetch or two, the filter form's choices and
# the Last-Modified lookup. A growing number here is an N+1.
MAX_QUERIES = 12
# The sitemap index counts and dates each of its five dated kinds (two queries apiece) and
# counts parties and topics.
MAX_QUERIES_FOR = {"/sitemap.xml": 14}


def count_queries(client, url: str) -> int:
    caught_up()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_every_list_runs_a_fixed_number_of_queries_whatever_the_rows(client, rows):
    # One record set for every list: building it through the services is what costs.
    rows(3)
    few = {url: count_queries(client, url) for url in LISTS}
    rows(27)
    many = {url: count_queries(client, url) for url in LISTS}
    grew = {url: (few[url], many[url]) for url in LISTS if many[url] != few[url]}
    assert not grew, f"queries grew with the rows (3 rows, 30 rows): {grew}"
    over = {url: many[url] for url in LISTS if many[url] > MAX_QUERIES_FOR.get(url, MAX_QUERIES)}
    assert not over, f"more queries than pinned: {over}"


def test_the_lists_really_show_the_rows(client, rows):
    rows(30)
    listing = client.get("/claims/")
    assert listing.context["page_obj"].paginator.count == 30
    assert len(listing.context["object_list"]) == 20
    found = client.get("/search/?q=walrus&page=6").context  # 120: claims, sources, agreements and meetings
    assert len(found["results"].hits) == 20
    assert not found["has_next"]


DETAILS = [
    "/parties/KR/",
    "/agreements/walrus-agreement-0/",
    "/meetings/walrus-meeting-0/",
    "/people/walrus-person-0/",
    "claim",
    "source",
]
MAX_DETAIL_QUERIES = 14


@pytest.mark.parametrize("page", DETAILS)
def test_a_record_page_runs_a_fixed_number_of_queries_whatever_the_record_holds(client, rows, page):
    """A party's page lists more claims, meetings and agreements as the record grows;
    every record page costs the same whatever the size of the record."""
    rows(3)
    claim = Claim.objects.get(statement="Walrus statement 0")
    url = {"claim": claim.get_absolute_url(), "source": claim.source.get_absolute_url()}.get(page, page)
    few = count_queries(client, url)
    rows(27)
    cache.clear()
    responses.memory.clear()  # a fresh render: the process's own tier kept the page too
    many = count_queries(client, url)
    assert many == few <= MAX_DETAIL_QUERIES
