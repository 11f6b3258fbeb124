"""Hostile input on the public pages: a 400 that says what was wrong, a 404, never a 500."""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from tracker.desk.models import AgreementStatusChange, Claim, Correction
from tracker.filters import StrictDateFilter, StrictDateTimeFilter
from tracker.public.lists import AGREEMENTS, CLAIMS, CORRECTIONS, MEETINGS, SOURCES

from .hostile import (
    CONTROL,
    FUZZ,
    HOSTILE,
    ISO_DATE_TIMES,
    ISO_DATES,
    NUMBERS,
    RAW_BYTES,
    TEXT,
    WITH_NUL,
    addresses,
    encoded,
    fetch,
    plausible,
    query,
)

LISTS = {
    "/claims/": CLAIMS.filterset_class,
    "/sources/": SOURCES.filterset_class,
    "/agreements/": AGREEMENTS.filterset_class,
    "/meetings/": MEETINGS.filterset_class,
    "/corrections/": CORRECTIONS.filterset_class,
}
# Every filter of every list, plus what every list takes, plus names no list knows.
PARAMETERS = {
    path: [*filterset.base_filters, "page", "sort", "", "q", "format", "page[]", "verdict__in"]
    for path, filterset in LISTS.items()
}
DATE_FILTERS = [
    (path, name, ISO_DATE_TIMES if isinstance(flt, StrictDateTimeFilter) else ISO_DATES)
    for path, filterset in LISTS.items()
    for name, flt in filterset.base_filters.items()
    if isinstance(flt, StrictDateTimeFilter | StrictDateFilter)
]
# Pages without filters, which must ignore or refuse whatever they are sent.
PLAIN_PAGES = ["/", "/methodology/", "/feeds/verdicts/", "/feeds/corrections/", "/feeds/agreements/", "/sitemap.xml"]
PARAMETERS.update({path: ["p", "page", "format", "q", "sort"] for path in PLAIN_PAGES})
RECORD_PAGES = ["/claims/", "/sources/", "/agreements/", "/meetings/", "/people/", "/parties/"]


def assert_answered(response) -> None:
    """Never a server error; a 400 names the problem on the site's own page."""
    assert response.status_code < 500
    if response.status_code == 400:
        content = response.content.decode()
        assert "We couldn't use that request" in content or "We couldn't read that request" in content
        assert re.search(r"<li>[^<]+</li>", content) or "too many parameters" in content


def list_requests() -> st.SearchStrategy:
    def values(path: str) -> dict[str, st.SearchStrategy]:
        known = {name: plausible(flt) for name, flt in LISTS[path].base_filters.items()} if path in LISTS else {}
        known.update(page=NUMBERS, p=NUMBERS, sort=st.sampled_from(["newest", "oldest", "title", "claimed"]))
        return {name: known.get(name, HOSTILE) for name in PARAMETERS[path]}

    return st.sampled_from(list(PARAMETERS)).flatmap(lambda path: addresses(path, values(path)))


@FUZZ
@given(url=list_requests())
def test_every_public_list_filter_answers_hostile_values_without_a_server_error(client, desk, url):
    assert_answered(fetch(client, url))


@FUZZ
@given(case=st.sampled_from(DATE_FILTERS).flatmap(lambda c: st.tuples(st.just(c[:2]), encoded(c[2]))))
def test_date_and_date_time_filters_answer_extreme_values_without_a_server_error(client, desk, case):
    (path, name), value = case

    response = fetch(client, f"{path}?{name}={value}")

    assert_answered(response)
    assert response.status_code in (200, 400)


@FUZZ
@given(path=st.sampled_from([*LISTS, "/search/", "/sitemap-claims.xml"]), number=NUMBERS)
def test_a_page_number_in_unicode_digits_or_huge_is_a_400_or_a_404(client, desk, path, number):
    name = "p" if path.startswith("/sitemap") else "page"

    response = fetch(client, f"{path}?q=treaty&{name}={number}")

    assert_answered(response)
    assert response.status_code in (200, 400, 404)


@FUZZ
@given(
    q=HOSTILE | encoded(st.text(st.sampled_from("\"*^:()-+NEARORAND _.'\\"), max_size=30)) | encoded(TEXT),
    kinds=st.lists(st.sampled_from(["claim", "source", "agreement", "meeting"]) | encoded(TEXT), max_size=3),
    page=HOSTILE | NUMBERS,
)
def test_search_answers_hostile_queries_without_a_server_error(client, desk, q, kinds, page):
    pairs = [("q", q), ("page", page), *(("kind", kind) for kind in kinds)]

    assert_answered(fetch(client, f"/search/?{query(pairs)}"))


@FUZZ
@given(segment=encoded(TEXT.filter(bool) | WITH_NUL) | RAW_BYTES | HOSTILE)
def test_a_record_address_with_odd_bytes_is_never_a_server_error(client, desk, segment):
    for prefix in RECORD_PAGES:
        response = fetch(client, f"{prefix}{segment}/")
        assert response.status_code in (200, 301, 404, 410), prefix


# What a database will store: no NUL (PostgreSQL refuses it) and no lone surrogate.
STORABLE = st.text(st.characters(codec="utf-8", exclude_characters="\x00") | CONTROL.filter(lambda c: c != "\x00"))


@FUZZ
@given(statement=STORABLE, rationale=STORABLE, note=STORABLE, claimant=STORABLE)
def test_hostile_text_in_a_record_never_breaks_a_feed_the_sitemap_or_its_page(
    client, desk, statement, rationale, note, claimant
):
    claim = desk["signed_claim"]
    statement, claimant, note = statement or ".", claimant or ".", note or "."  # required
    with transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(statement=statement, rationale=f"{rationale}.", claimant=claimant)
        Correction.objects.filter(claim=claim).update(note=note)
        AgreementStatusChange.objects.filter(agreement=desk["gsoia"]).update(note=note)

    for feed in (
        "/feeds/verdicts/",
        "/feeds/corrections/",
        "/feeds/agreements/",
        "/sitemap.xml",
        "/sitemap-claims.xml",
    ):
        response = fetch(client, feed)
        assert response.status_code == 200
        ET.fromstring(response.content)  # well-formed XML
    page = fetch(client, claim.get_absolute_url())
    assert page.status_code == 200
    script = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', page.content.decode(), re.S)
    assert json.loads(script.group(1))["claimReviewed"] == statement


@pytest.mark.parametrize("path", [*LISTS, "/search/"])
def test_the_fuzzed_lists_exist(client, desk, path):
    # A typo in the tables above would fuzz a 404 page and prove nothing.
    assert client.get(path).status_code == 200
