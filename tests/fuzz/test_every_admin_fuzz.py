"""Hostile ids and selections in every admin page, whichever app registered it (the
desk's, the API keys', the webhooks', the worker's, django-axes', the accounts'):
never a 500. Signed in as a superuser, who reaches them all, and as an editor."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st
from rest_framework_api_key.models import APIKey

from .hostile import FUZZ, HOSTILE, HUGE_NUMBERS, RAW_BYTES, TEXT, UNICODE_DIGITS, WITH_NUL, encoded, fetch

ADMINS = {
    f"{model._meta.app_label}/{model._meta.model_name}": model_admin
    for model, model_admin in admin.site._registry.items()
}
PAGES = ["{id}/change/", "{id}/delete/", "{id}/history/", "{id}/"]
SELECTIONS = st.lists(
    st.sampled_from(
        ["abc", "1", "-1", "1.5", "", " 1", "1\x00", "9" * 30, "１", "²", "00000000-0000-0000-0000-000000000000"]
    )
    | TEXT,
    min_size=1,
    max_size=4,
)


@pytest.fixture(params=["superuser", "Editor"])
def signed_in(request, make_staff) -> Client:
    if request.param == "superuser":
        user = get_user_model().objects.create_superuser("fuzz-root", password=None)
    else:
        user = make_staff(request.param)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


IDS = st.one_of(
    st.sampled_from(["1", "abc", "1%00", "%00", "0", "-1"]),
    encoded(UNICODE_DIGITS),
    encoded(HUGE_NUMBERS),
    encoded(TEXT.filter(lambda s: s not in ("", ".", "..")) | WITH_NUL),
    RAW_BYTES,
)


@FUZZ
@given(data=st.data())
def test_an_admin_page_with_a_hostile_id_is_never_a_server_error(db, signed_in, data):
    model = data.draw(st.sampled_from(sorted(ADMINS)), label="model")
    page = data.draw(st.sampled_from(PAGES), label="page").format(id=data.draw(IDS, label="id"))
    url = f"/admin/{model}/{page}"
    assert fetch(signed_in, url).status_code < 500, url


@FUZZ
@given(data=st.data())
def test_a_changelist_action_on_a_hostile_selection_is_never_a_server_error(db, signed_in, data):
    model = data.draw(st.sampled_from(sorted(ADMINS)), label="model")
    actions = sorted(ADMINS[model].get_actions(_request_for(signed_in)) or ["delete_selected"])
    form = {
        "action": data.draw(st.sampled_from(actions) | HOSTILE, label="action"),
        "_selected_action": data.draw(SELECTIONS, label="selection"),
        "index": data.draw(st.sampled_from(["0", "1", "x"]), label="index"),
    }
    if data.draw(st.booleans(), label="select across"):
        form["select_across"] = data.draw(st.sampled_from(["1", "0", "x"]), label="select_across")
    response = fetch(signed_in, f"/admin/{model}/", method="post", data=form)
    assert response.status_code < 500, (model, form)


def _request_for(client: Client):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = get_user_model().objects.get(pk=client.session["_auth_user_id"])
    return request


# The cases the issue found, each a plain test.


def test_a_nul_in_an_api_keys_address_is_refused_not_a_server_error(db, signed_in):
    APIKey.objects.create_key(name="Partner")
    for url in (
        "/admin/rest_framework_api_key/apikey/1%00/change/",
        "/admin/rest_framework_api_key/apikey/1%00/history/",
    ):
        response = signed_in.get(url)
        assert response.status_code in (400, 404), url


@pytest.mark.parametrize("model, action", [("desk/claim", "submit_selected"), ("desk/source", "publish_selected")])
def test_an_action_on_a_selection_that_is_not_ids_is_a_400_and_does_nothing(db, signed_in, model, action):
    response = signed_in.post(f"/admin/{model}/", {"action": action, "_selected_action": ["abc"]})
    assert response.status_code == 400
    assert "not ids of this list's records" in response.content.decode()
