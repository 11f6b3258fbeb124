"""Kept answers served before DRF's dispatch (tracker/api/hits.py): the same answer
DRF would give, the same checks, each request counted once against its rate."""

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.views import APIView

from tests import effort
from tracker.api import hits
from tracker.desk import services


@pytest.fixture
def dispatches(monkeypatch):
    """How many requests reached DRF's dispatch."""
    count = [0]
    dispatch = APIView.dispatch

    def counting(self, request, *args, **kwargs):
        count[0] += 1
        return dispatch(self, request, *args, **kwargs)

    monkeypatch.setattr(APIView, "dispatch", counting)
    return count


@pytest.fixture
def rates(settings):
    def set_rates(anon="1000/min", partner="1000/min"):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"anon": anon, "partner": partner, "export": "1000/min"},
        }

    return set_rates


@pytest.fixture
def record(published_claim, make_agreement, make_person, make_party, staff):
    claim = published_claim(claimant_person=make_person(), parties=[make_party("KR", name="South Korea")])
    agreement = make_agreement()
    services.claim_retract(claim=published_claim(), by=staff.editor, note="We took it back.")
    return {"claim": claim, "agreement": agreement}


ADDRESSES = [
    "/api/v1/claims/",
    "/api/v1/claims/?format=csv",
    "/api/v1/claims/?verdict=accurate&page_size=1",
    "/api/v1/claims/{claim}/",
    "/api/v1/claims/{claim}/?as_of={today}",
    "/api/v1/agreements/{agreement}/",
    "/api/v1/parties/KR/",
    "/api/v1/tombstones/",
]


def address(template: str, record) -> str:
    return template.format(claim=record["claim"].slug, agreement=record["agreement"].slug, today=timezone.localdate())


def answer(path: str, view=None, **headers):
    """The response of the view at `path` (the one the URLconf routes to, or `view`
    given that view function), rendered, without middleware."""
    request = RequestFactory().get(path, **headers)
    match = resolve(request.path_info)
    response = (view or match.func)(request, *match.args, **match.kwargs)
    if hasattr(response, "render"):
        response.render()
    return response


def same(fast, slow) -> None:
    assert (fast.status_code, fast.content) == (slow.status_code, slow.content)
    assert dict(fast.items()) == dict(slow.items())


@pytest.mark.parametrize("template", ADDRESSES)
def test_a_hit_is_answered_before_drf_with_the_answer_drf_gives(template, record, rates, dispatches):
    rates()
    path = address(template, record)
    built = answer(path)
    assert built.status_code == 200 and dispatches[0] == 1  # a miss: DRF builds it

    fast = answer(path)
    assert dispatches[0] == 1  # the hit never reached DRF
    view = resolve(path.partition("?")[0]).func
    slow = answer(path, view=view.__wrapped__)  # the same hit, through DRF
    assert dispatches[0] == 2

    same(fast, slow)
    assert fast["ETag"] == built["ETag"] and fast.content == built.content
    assert {"Allow", "Vary", "Cache-Control", "Content-Type"} <= set(fast.headers)


@pytest.mark.parametrize(
    "headers, query, status",
    [
        ({"HTTP_ACCEPT": "application/xml"}, "", 406),
        ({"HTTP_ACCEPT": ""}, "", 406),  # an empty Accept accepts nothing
        ({"HTTP_ACCEPT": "text/csv"}, "", 200),
        ({"HTTP_ACCEPT": "application/json; indent=4"}, "", 200),
        ({"HTTP_ACCEPT": "application/json"}, "?format=csv", 406),
        ({}, "?format=xml", 404),
        ({"HTTP_AUTHORIZATION": "Api-Key not-a-key"}, "", 401),
        ({"HTTP_AUTHORIZATION": "Bearer abcdefgh.0123456789abcdefghijklmnopqrstuv"}, "", 401),
    ],
)
def test_what_a_hit_cannot_settle_goes_to_drf(headers, query, status, record, rates, dispatches):
    rates()
    answer("/api/v1/claims/" + query)  # kept, for the plain request at least
    before = dispatches[0]

    response = answer("/api/v1/claims/" + query, **headers)

    assert dispatches[0] == before + 1
    assert response.status_code == status


def test_a_head_request_goes_to_drf(record, rates, dispatches, client):
    rates()
    client.get("/api/v1/claims/")
    before = dispatches[0]

    assert client.head("/api/v1/claims/").status_code == 200
    assert dispatches[0] == before + 1


def test_a_revoked_key_is_refused_even_when_the_answer_is_kept(api, record, rates, partner_key):
    rates()
    key_record, key = partner_key
    assert api.get("/api/v1/claims/", HTTP_AUTHORIZATION=f"Api-Key {key}").status_code == 200
    assert api.get("/api/v1/claims/").status_code == 200  # a hit now

    key_record.revoked = True
    key_record.save()
    response = api.get("/api/v1/claims/", HTTP_AUTHORIZATION=f"Api-Key {key}")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "revoked_key"


@pytest.mark.parametrize("scope", ["anon", "partner"])
def test_every_request_is_counted_once_hit_or_miss(scope, api, record, rates, partner_key):
    rates(anon="5/min", partner="5/min")
    headers = {"HTTP_AUTHORIZATION": f"Api-Key {partner_key[1]}"} if scope == "partner" else {}
    paths = ["/api/v1/claims/", "/api/v1/claims/", "/api/v1/topics/", "/api/v1/claims/", "/api/v1/topics/"]

    assert [api.get(path, **headers).status_code for path in paths] == [200] * 5  # miss hit miss hit hit
    refused = api.get("/api/v1/claims/", **headers)  # would be a hit

    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert int(refused["Retry-After"]) > 0


def test_a_partner_hit_looks_the_key_up_once(api, record, rates, partner_key):
    rates()
    headers = {"HTTP_AUTHORIZATION": f"Api-Key {partner_key[1]}"}
    api.get("/api/v1/topics/", **headers)

    with CaptureQueriesContext(connection) as hit:
        assert api.get("/api/v1/topics/", **headers).status_code == 200
    with CaptureQueriesContext(connection) as anonymous:
        assert api.get("/api/v1/topics/").status_code == 200

    assert len(hit) == len(anonymous) + 1  # the record version, then the key


def test_a_change_is_answered_afresh_on_the_next_request(api, record, rates, staff, dispatches):
    rates()
    claim = record["claim"]
    assert api.get(f"/api/v1/claims/{claim.slug}/").status_code == 200
    assert api.get(f"/api/v1/claims/{claim.slug}/").status_code == 200
    assert dispatches[0] == 1

    services.claim_retract(claim=claim, by=staff.editor, note="Retracted after review.")

    assert api.get(f"/api/v1/claims/{claim.slug}/").status_code == 404  # the API does not know it any more
    assert dispatches[0] == 2


def test_views_whose_checks_a_hit_does_not_make_are_not_wrapped():
    from tracker.api.sync import ExportView

    assert not hits._eligible(ExportView)  # two throttles
    assert not hits._eligible(type("Guarded", (ExportView,), {"throttle_classes": [], "permission_classes": [object]}))
    for path in ("/api/v1/claims/", "/api/v1/claims/x/", "/api/v1/tombstones/"):
        assert getattr(resolve(path).func, "serves_hits", False), path
    for path in ("/api/v1/export/", "/api/v1/events/"):  # not kept in the cache
        assert not getattr(resolve(path).func, "serves_hits", False), path


HEADER_TEXT = st.text(st.characters(codec="latin-1", exclude_characters="\r\n"), max_size=40)


@settings(
    max_examples=effort.examples(20, 60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    accept=st.one_of(st.none(), st.sampled_from(["*/*", "application/json", "text/csv", "text/html", ""]), HEADER_TEXT),
    response_format=st.one_of(st.none(), st.sampled_from(["json", "csv", "api", "JSON", ""]), HEADER_TEXT),
    authorization=st.one_of(st.none(), st.sampled_from(["VALID", "Api-Key ", "api-key x.y"]), HEADER_TEXT),
    template=st.sampled_from(ADDRESSES),
)
def test_whatever_is_asked_a_hit_answers_as_drf_would(
    accept, response_format, authorization, template, record, rates, partner_key
):
    rates(anon="100000/min", partner="100000/min")
    path = address(template, record)
    if response_format is not None:
        path += ("&" if "?" in path else "?") + urlencode({"format": response_format})
    headers = {}
    if accept is not None:
        headers["HTTP_ACCEPT"] = accept
    if authorization is not None:
        headers["HTTP_AUTHORIZATION"] = f"Api-Key {partner_key[1]}" if authorization == "VALID" else authorization
    view = resolve(path.partition("?")[0]).func
    answer(path)  # the plain request's answer is kept: every example can find it
    slow = answer(path, view=view.__wrapped__, **headers)
    fast = answer(path, **headers)

    same(fast, slow)
