"""Hostile addresses in the desk's admin, signed in as each role: never a 500."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from .hostile import (
    FUZZ,
    HOSTILE,
    HUGE_NUMBERS,
    NUMBERS,
    RAW_BYTES,
    TEXT,
    UNICODE_DIGITS,
    WITH_NUL,
    encoded,
    fetch,
    query,
)

ROLES = ["Reporter", "Verifier", "Editor"]
DESK_ADMINS = {
    model._meta.model_name: admin.site.get_model_admin(model)
    for model in apps.get_app_config("desk").get_models()
    if admin.site.is_registered(model)
}
# The pages the desk adds to Django's admin, and the history pages simple-history adds.
DESK_PAGES = [
    "source/{id}/read/",
    "claim/{id}/candidates/",
    "claim/{id}/workflow/{claim_action}/",
    *(f"{model}/{{id}}/workflow/{{action}}/" for model in ("source", "agreement", "meeting", "person")),
    "claim/{id}/history/",
    "claimforreview/{id}/history/",
    "claim/{id}/history/{version}/",
]
DJANGO_PAGES = ["", "change/", "delete/", "history/", "history/{version}/"]
CLAIM_ACTIONS = ["submit", "send_back", "publish", "correct", "retract"]


@pytest.fixture(params=ROLES)
def signed_in(request, make_staff) -> Client:
    client = Client()
    client.force_login(make_staff(request.param), backend="django.contrib.auth.backends.ModelBackend")
    return client


def ids(desk) -> st.SearchStrategy:
    """A real record's id (so that pages render for real) or anything but."""
    real = [str(desk["signed_claim"].pk), str(desk["readout"].pk), str(desk["gsoia"].pk), "1"]
    return st.one_of(
        st.sampled_from(real),
        encoded(UNICODE_DIGITS),
        encoded(HUGE_NUMBERS),
        encoded(TEXT.filter(lambda s: s not in ("", ".", "..")) | WITH_NUL),
        RAW_BYTES,
    )


@FUZZ
@given(data=st.data())
def test_a_desk_admin_page_with_a_hostile_id_is_never_a_server_error(signed_in, desk, data):
    values = {
        "id": data.draw(ids(desk), label="id"),
        "version": data.draw(ids(desk), label="version"),
        "action": data.draw(st.sampled_from(["publish", "retract"]) | HOSTILE, label="action"),
        "claim_action": data.draw(st.sampled_from(CLAIM_ACTIONS) | HOSTILE, label="claim_action"),
    }
    model = data.draw(st.sampled_from(sorted(DESK_ADMINS)), label="model")
    django_page = data.draw(st.sampled_from(DJANGO_PAGES), label="django_page")

    for page in [*DESK_PAGES, f"{model}/{{id}}/{django_page}"]:
        url = "/admin/desk/" + page.format(**values)
        assert fetch(signed_in, url).status_code < 500, url


def list_parameters(model_admin) -> list[str]:
    """The names a changelist reads: its filters (with Django's lookup suffixes), search,
    order, page, the date hierarchy, and names it does not know."""
    names = ["q", "o", "p", "e", "all", "_to_field", "_popup", "_changelist_filters", "id__gt", "unknown"]
    for list_filter in model_admin.list_filter:
        field = list_filter[0] if isinstance(list_filter, tuple) else list_filter
        if isinstance(field, str):
            names += [field, f"{field}__exact", f"{field}__id__exact", f"{field}__isnull"]
        else:
            names.append(field.parameter_name)
    if model_admin.date_hierarchy:
        names += [f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")]
    return names


@FUZZ
@given(data=st.data())
def test_a_desk_admin_list_with_hostile_filters_is_never_a_server_error(signed_in, desk, data):
    model = data.draw(st.sampled_from(sorted(DESK_ADMINS)), label="model")
    names = list_parameters(DESK_ADMINS[model])
    chosen = data.draw(st.fixed_dictionaries({}, optional=dict.fromkeys(names, HOSTILE)), label="parameters")

    response = fetch(signed_in, f"/admin/desk/{model}/?{query(list(chosen.items())) or 'q='}")

    assert response.status_code < 500


CALENDAR_NUMBERS = st.sampled_from(["0", "1", "12", "13", "31", "32", "9999", "10000"]) | NUMBERS


@FUZZ
@given(
    date=st.fixed_dictionaries(
        {"year": CALENDAR_NUMBERS}, optional={"month": CALENDAR_NUMBERS, "day": CALENDAR_NUMBERS | HOSTILE}
    )
)
def test_the_meetings_date_hierarchy_with_hostile_dates_is_never_a_server_error(signed_in, desk, date):
    response = fetch(signed_in, f"/admin/desk/meeting/?{query([(f'start_date__{k}', v) for k, v in date.items()])}")

    assert response.status_code < 500


@FUZZ
@given(
    term=HOSTILE,
    field=st.sampled_from(["source", "claimant_person", "agreements", "meetings", "people", "parties", "topics"]),
    page=HOSTILE,
)
def test_the_admin_autocomplete_with_a_hostile_term_is_never_a_server_error(signed_in, desk, term, field, page):
    url = f"/admin/autocomplete/?{query([('term', term), ('page', page)])}"
    response = fetch(signed_in, f"{url}&app_label=desk&model_name=claim&field_name={field}")

    assert response.status_code < 500


@FUZZ
@given(
    action=st.sampled_from(CLAIM_ACTIONS),
    form=st.dictionaries(
        st.sampled_from(["verdict", "rationale", "note", "comment", "passage", "stance", "version"]),
        TEXT | UNICODE_DIGITS | HUGE_NUMBERS,
        max_size=4,
    ),
)
def test_a_hostile_desk_workflow_form_is_never_a_server_error(signed_in, desk, action, form):
    claim = desk["signed_claim"]
    for url in (f"/admin/desk/claim/{claim.pk}/workflow/{action}/", f"/admin/desk/claim/{claim.pk}/candidates/"):
        response = fetch(signed_in, url, method="post", data=form)
        assert response.status_code < 500
