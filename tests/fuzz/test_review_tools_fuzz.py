"""Hostile input to the desk's history, compare, revert, preview and intake pages,
signed in as each role: never a server error."""

from hypothesis import given, settings
from hypothesis import strategies as st

from .hostile import FUZZ, HOSTILE, fetch, query
from .test_admin_urls_fuzz import ids, signed_in  # noqa: F401 (a fixture)

# Six addresses an example: a quarter of the examples keeps this near the other fuzz tests' time.
PAGES_FUZZ = settings(FUZZ, max_examples=max(FUZZ.max_examples // 4, 5))
MODELS = ["claim", "source", "agreement", "meeting", "person", "party", "topic", "evidence"]


@PAGES_FUZZ
@given(data=st.data())
def test_compare_revert_and_preview_with_hostile_ids_are_never_a_server_error(signed_in, desk, data):  # noqa: F811
    record = data.draw(ids(desk), label="id")
    version = data.draw(ids(desk) | st.just("published"), label="version")
    model = data.draw(st.sampled_from(MODELS), label="model")
    picked = query([("from", data.draw(HOSTILE | ids(desk))), ("to", data.draw(HOSTILE | ids(desk)))])
    for page in (
        f"{model}/{record}/compare/?{picked}",
        f"{model}/{record}/compare/?from={version}",
        f"{model}/{record}/preview/",
        f"{model}/{record}/revert/{version}/",
        f"{model}/{record}/history/",
    ):
        url = "/admin/desk/" + page
        assert fetch(signed_in, url).status_code < 500, url
    url = f"/admin/desk/{model}/{record}/revert/{version}/"
    assert fetch(signed_in, url, "post", data={"seen_version": data.draw(HOSTILE)}).status_code < 500, url


@FUZZ
@given(q=HOSTILE, exclude=HOSTILE)
def test_the_intake_endpoint_with_hostile_input_is_never_a_server_error(signed_in, desk, q, exclude):  # noqa: F811
    response = fetch(signed_in, f"/admin/desk/claim/earlier-checks/?{query([('q', q), ('exclude', exclude)])}")
    assert response.status_code < 500
