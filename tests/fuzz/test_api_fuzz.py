"""Hostile input on the partner API: a JSON 400 that names the problem, a 404, never a 500."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from tracker.api import views
from tracker.api.pagination import allowed_orderings
from tracker.filters import StrictDateFilter, StrictDateTimeFilter

from .hostile import (
    FUZZ,
    HOSTILE,
    HUGE_NUMBERS,
    ISO_DATE_TIMES,
    ISO_DATES,
    KEYSET_VALUES,
    NUMBERS,
    RAW_BYTES,
    TEXT,
    TOMBSTONE_VALUES,
    WITH_NUL,
    addresses,
    cursors,
    encoded,
    fetch,
    plausible,
)

VIEWSETS = {
    "claims": views.ClaimViewSet,
    "sources": views.SourceViewSet,
    "agreements": views.AgreementViewSet,
    "meetings": views.MeetingViewSet,
    "people": views.PersonViewSet,
    "parties": views.PartyViewSet,
    "topics": views.TopicViewSet,
    "corrections": views.CorrectionViewSet,
}
COMMON = ["search", "ordering", "page_size", "format", "cursor", "", "unknown", "updated_since[]", "as_of"]
PARAMETERS = {name: [*viewset.filterset_class.base_filters, *COMMON] for name, viewset in VIEWSETS.items()}
PARAMETERS["tombstones"] = ["updated_since", "cursor", "page_size", "format", "unknown"]
DATE_FILTERS = [
    (name, filter_name, ISO_DATE_TIMES if isinstance(flt, StrictDateTimeFilter) else ISO_DATES)
    for name, viewset in VIEWSETS.items()
    for filter_name, flt in viewset.filterset_class.base_filters.items()
    if isinstance(flt, StrictDateTimeFilter | StrictDateFilter)
] + [("tombstones", "updated_since", ISO_DATE_TIMES)]


@pytest.fixture
def api(db):
    return APIClient()


def assert_answered(response) -> dict | None:
    """Never a server error; every error is the API's JSON shape with a message."""
    assert response.status_code < 500
    if response.status_code >= 400:
        error = response.json()["error"]
        assert error["status"] == response.status_code
        assert error["code"] and error["detail"]
        return error
    return None


def values_for(endpoint: str) -> dict[str, st.SearchStrategy]:
    """A plausible value for each parameter the list takes (HOSTILE for the unknown ones)."""
    viewset = VIEWSETS.get(endpoint)
    known = {name: plausible(flt) for name, flt in viewset.filterset_class.base_filters.items()} if viewset else {}
    known.update(
        search=encoded(TEXT),
        ordering=st.sampled_from(allowed_orderings(viewset) if viewset else [""]),
        page_size=st.integers(1, 200).map(str) | NUMBERS,
        format=st.sampled_from(["json", "csv"]),
        cursor=cursors(viewset.ordering, KEYSET_VALUES) if viewset else cursors("at", TOMBSTONE_VALUES),
    )
    if not viewset:
        known["updated_since"] = encoded(ISO_DATE_TIMES)
    return {name: known.get(name, HOSTILE) for name in PARAMETERS[endpoint]}


def list_requests() -> st.SearchStrategy:
    return st.sampled_from(list(PARAMETERS)).flatmap(
        lambda endpoint: addresses(f"/api/v1/{endpoint}/", values_for(endpoint))
    )


@FUZZ
@given(url=list_requests())
def test_every_api_list_parameter_answers_hostile_values_without_a_server_error(api, desk, url):
    assert_answered(fetch(api, url))


@FUZZ
@given(case=st.sampled_from(DATE_FILTERS).flatmap(lambda c: st.tuples(st.just(c[:2]), encoded(c[2]))))
def test_date_and_date_time_filters_answer_extreme_values_with_200_or_a_400_naming_them(api, desk, case):
    (name, filter_name), value = case

    error = assert_answered(fetch(api, f"/api/v1/{name}/?{filter_name}={value}"))

    if error is not None:
        assert error["status"] == 400
        assert filter_name in error["fields"]


CURSOR_ORDERINGS = {
    "claims": allowed_orderings(views.ClaimViewSet),
    "sources": allowed_orderings(views.SourceViewSet),
    "tombstones": [""],  # one fixed order: (at, type, slug)
}


@FUZZ
@given(data=st.data())
@pytest.mark.parametrize("name", list(CURSOR_ORDERINGS))
def test_a_tampered_cursor_is_an_invalid_cursor(api, desk, name, data):
    ordering = data.draw(st.sampled_from(CURSOR_ORDERINGS[name]), label="ordering")
    plausible = TOMBSTONE_VALUES if name == "tombstones" else KEYSET_VALUES
    cursor = data.draw(cursors(ordering or "at", plausible).filter(bool), label="cursor")  # empty: empty_parameter
    query = f"cursor={cursor}&ordering={ordering}" if ordering else f"cursor={cursor}"

    error = assert_answered(fetch(api, f"/api/v1/{name}/?{query}"))

    if error is not None:
        # 400 when it is not in a cursor's shape, 404 when it names no page.
        assert error["status"] in (400, 404)
        assert error["code"] == "invalid_cursor"


@FUZZ
@given(segment=encoded(TEXT.filter(lambda s: s not in ("", ".", "..")) | WITH_NUL | HUGE_NUMBERS) | RAW_BYTES)
def test_an_api_detail_address_with_odd_bytes_is_a_json_404_or_the_record(api, desk, segment):
    for name in VIEWSETS:
        response = fetch(api, f"/api/v1/{name}/{segment}/")
        assert response.status_code in (200, 404), name
        assert_answered(response)
