"""An over-long address or over-large headers: the site's own 414 or 431, in the API's
JSON error shape under /api/ and on the site's error page elsewhere, never the server's
bare HTML (tracker/request_limits.py; gunicorn's own limits sit above these)."""

import pytest

from tracker import request_limits


def test_an_over_long_api_address_is_a_json_414(api):
    response = api.get("/api/v1/claims/", {"search": "x" * request_limits.MAX_REQUEST_LINE})

    assert response.status_code == 414
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (414, "uri_too_long")


def test_an_over_long_page_address_is_the_sites_error_page(client, db):
    response = client.get("/claims/", {"q": "x" * request_limits.MAX_REQUEST_LINE})

    assert response.status_code == 414
    assert response["Content-Type"].startswith("text/html")
    assert "too long" in response.content.decode()


def test_a_search_too_long_for_the_api_but_not_the_server_is_the_apis_400(api):
    response = api.get("/api/v1/claims/", {"search": "x" * 201})

    assert response.status_code == 400
    assert "search" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_X_LARGE": "x" * request_limits.MAX_HEADER_FIELD},
        {f"HTTP_X_MANY_{n}": "x" for n in range(request_limits.MAX_HEADER_FIELDS + 1)},
        {f"HTTP_X_SOME_{n}": "x" * 8000 for n in range(request_limits.MAX_HEADERS_TOTAL // 8000 + 1)},
    ],
    ids=["one too large", "too many", "too large in all"],
)
def test_over_large_headers_are_a_json_431_under_the_api(api, headers):
    response = api.get("/api/v1/claims/", **headers)

    assert response.status_code == 431
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (431, "headers_too_large")


def test_headers_within_the_limits_pass(api):
    response = api.get("/api/v1/claims/", HTTP_X_LARGE="x" * (request_limits.MAX_HEADER_FIELD - 100))

    assert response.status_code == 200


def test_gunicorn_lets_the_sites_own_limits_answer():
    # gunicorn's limits must sit above the site's, or gunicorn answers first in HTML.
    import runpy

    from django.conf import settings

    conf = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))
    assert conf["limit_request_line"] == 0  # gunicorn's only setting above 8,190: none of its own
    assert conf["limit_request_field_size"] > request_limits.MAX_HEADER_FIELD
    assert conf["limit_request_fields"] > request_limits.MAX_HEADER_FIELDS
