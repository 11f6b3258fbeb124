"""Malformed filters and pages, unknown slugs, absurd queries: a page that says what
was wrong (400) or a 404, never a 500."""

import datetime as dt

import pytest
from django.utils import timezone


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/claims/?verdict=fabulous", "Select a valid choice"),
        ("/claims/?topic=no-such-topic", "Topic (slug)"),
        ("/claims/?claimed_after=yesterday", "Enter a valid date"),
        ("/claims/?page=abc", "whole number"),
        ("/claims/?page=-1", "whole number"),
        ("/claims/?sort=price", "is not a way to sort this list"),
        ("/sources/?reliability=gospel", "Select a valid choice"),
        ("/meetings/?start_after=2025-13-45", "Enter a valid date"),
        ("/corrections/?since=last-tuesday", "Enter a valid date"),
        ("/search/?q=" + "treaty+" * 60, "searches are limited to 200"),
        ("/search/?q=a+b+c+d+e+f+g+h+i+j+k+l+m", "use at most 12"),
        ("/search/?q=%21%21%21", "no letters or digits"),
        ("/search/?q=treaty&page=zero", "whole number"),
        ("/search/?q=treaty&kind=spaceship", "is not something we search"),
    ],
)
def test_a_malformed_request_gets_a_400_that_says_what_was_wrong(client, desk, url, message):
    response = client.get(url)
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/claims/no-such-claim/",
        "/sources/no-such-source/",
        "/agreements/no-such-agreement/",
        "/meetings/no-such-meeting/",
        "/people/no-such-person/",
        "/parties/ZZ/",
        "/claims/?page=99",
        "/not-a-page/",
    ],
)
def test_an_unknown_address_is_a_404_page_that_looks_like_the_site(client, desk, url):
    response = client.get(url)
    assert response.status_code == 404
    content = response.content.decode()
    assert "We can't find that page" in content
    assert 'href="/claims/"' in content  # the site's navigation


def test_a_page_past_the_end_says_how_many_pages_there_are(client, desk):
    assert "This list has 1 page(s); there is no page 99." in client.get("/claims/?page=99").content.decode()


def test_a_lower_case_party_code_redirects_to_the_canonical_address(client, desk):
    response = client.get("/parties/kr/")
    assert response.status_code == 301
    assert response["Location"] == "/parties/KR/"


def test_a_post_to_a_page_is_refused_not_an_error(client, desk):
    assert client.post("/claims/").status_code == 405


def test_the_500_page_renders_without_a_request(settings):
    from django.template.loader import render_to_string

    content = render_to_string("500.html")
    assert "Something went wrong on our side" in content
    assert 'href="/"' in content


def test_a_binding_filter_that_is_neither_true_nor_false_is_refused(client, db):
    response = client.get("/agreements/?binding=perhaps")
    assert response.status_code == 400
    assert b"perhaps" in response.content


@pytest.mark.parametrize("path", ["/claims/", "/sources/", "/agreements/", "/meetings/", "/corrections/", "/search/"])
@pytest.mark.parametrize("page", ["%C2%B2", "%D9%A1", "%EF%BC%91", "1" * 5000])  # ², Arabic-Indic 1, fullwidth 1
def test_a_unicode_digit_page_number_is_a_400(client, desk, path, page):
    response = client.get(f"{path}?q=treaty&page={page}")

    assert response.status_code == 400
    assert "whole number" in response.content.decode()


DATE_TIME_FILTERS = [
    "/claims/?updated_since=",
    "/claims/?published_after=",
    "/claims/?published_before=",
    "/sources/?updated_since=",
    "/agreements/?updated_since=",
    "/meetings/?updated_since=",
    "/corrections/?since=",
    "/corrections/?updated_since=",
]


@pytest.mark.parametrize("url", DATE_TIME_FILTERS)
@pytest.mark.parametrize("value", ["0001-01-01T00:00:00%2B01:00", "9999-12-31T23:59:59-01:00"])
def test_a_date_time_outside_years_1_to_9999_in_utc_is_a_400(client, desk, url, value):
    response = client.get(url + value)

    assert response.status_code == 400
    assert "out of range" in response.content.decode()


@pytest.mark.parametrize("url", DATE_TIME_FILTERS)
def test_a_date_time_with_a_20_hour_offset_is_read_in_utc(client, desk, url):
    # PostgreSQL refuses offsets beyond ±15:59; the filter hands it UTC.
    response = client.get(url + "2025-01-01T00:00:00%2B20:00")

    assert response.status_code == 200


def test_updated_since_with_a_far_offset_means_the_same_moment_in_utc(client, desk):
    an_hour_ago = (timezone.now() - dt.timedelta(hours=1)).astimezone(dt.timezone(dt.timedelta(hours=20)))
    in_an_hour = an_hour_ago + dt.timedelta(hours=2)

    seen = client.get("/claims/", {"updated_since": an_hour_ago.isoformat()}).content.decode()
    unseen = client.get("/claims/", {"updated_since": in_an_hour.isoformat()}).content.decode()

    assert "Canada has offered to host APEC in 2029." in seen
    assert "Canada has offered to host APEC in 2029." not in unseen


def test_an_unencoded_plus_in_a_date_time_gets_a_hint(client, desk):
    response = client.get("/claims/?updated_since=2025-01-01T00:00:00+01:00")

    assert response.status_code == 400
    assert "%2B" in response.content.decode()


@pytest.mark.parametrize("value", ["0000-01-01", "10000-01-01", "%D9%A2%D9%A0%D9%A2%D9%A5-01-01", "2025-1-1"])
def test_a_date_filter_that_is_not_a_plain_iso_date_is_a_400(client, desk, value):
    response = client.get(f"/claims/?claimed_after={value}")

    assert response.status_code == 400
    assert "Enter a valid date" in response.content.decode()


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_a_date_filter_at_the_ends_of_the_calendar_works(client, desk, value):
    assert client.get(f"/claims/?claimed_after={value}&claimed_before={value}").status_code == 200
    assert client.get(f"/agreements/?status_changed_after={value}").status_code == 200


@pytest.mark.parametrize("prefix", ["/claims/", "/sources/", "/agreements/", "/meetings/", "/people/", "/parties/"])
@pytest.mark.parametrize("segment", ["%00", "K%00R", "%0C", "%7F", "%C0", "%ED%A0%80", "%E2%80%8B", "%20", "A" * 17])
def test_a_nul_or_odd_byte_in_a_record_address_is_a_404(client, desk, prefix, segment):
    response = client.get(f"{prefix}{segment}/")

    assert response.status_code == 404
    assert "We can't find that page" in response.content.decode()


def test_too_many_parameters_is_a_400_page_that_looks_like_the_site(client, db):
    response = client.get("/claims/?" + "verdict=accurate&" * 1001)

    assert response.status_code == 400
    content = response.content.decode()
    assert "We couldn't read that request" in content
    assert 'href="/claims/"' in content
