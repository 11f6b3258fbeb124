"""Malformed filters and pages, unknown slugs, absurd queries: a page that says what
was wrong (400) or a 404, never a 500."""

import pytest


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
