"""A server error is a bug, but when one happens a partner still gets JSON."""

import pytest
from django.test import Client

from tracker.api import views


@pytest.fixture
def failing_claims(monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(views.ClaimViewSet, "list", explode)


def test_an_api_server_error_is_a_json_body(db, failing_claims):
    response = Client(raise_request_exception=False).get("/api/v1/claims/")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"


def test_a_page_server_error_is_the_sites_own_page(db, rf):
    from tracker.urls import server_error

    response = server_error(rf.get("/claims/"))
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert b"Policy Desk Tracker" in response.content
