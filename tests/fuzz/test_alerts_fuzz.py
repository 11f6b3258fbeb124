"""Hostile input on the email alert pages: a 400 or 404 that says what was wrong,
never a 500, and nothing stored or mailed."""

from hypothesis import given
from hypothesis import strategies as st

from tracker.delivery.models import Subscription

from .hostile import FUZZ, HOSTILE, RAW_BYTES, encoded, fetch, query

RECORDS = st.sampled_from(["claim", "agreement", "meeting", "person", "party", "source", "topic", "x", ""])
TARGETS = st.one_of(
    st.builds(lambda kind, key: f"{kind}%3A{key}", RECORDS, HOSTILE),
    HOSTILE,
    st.builds(
        lambda path, q: f"{path}%3F{q}", st.sampled_from(["%2Fclaims%2F", "%2Fmeetings%2F", "%2Fadmin%2F"]), HOSTILE
    ),
)


@FUZZ
@given(name=st.sampled_from(["record", "search"]), value=TARGETS)
def test_a_hostile_subscribe_address_is_never_a_server_error(db, client, name, value):
    response = fetch(client, f"/alerts/subscribe/?{query([(name, value)])}")
    assert response.status_code in (200, 400, 404), response.status_code


@FUZZ
@given(record=TARGETS, email=HOSTILE, frequency=HOSTILE | st.just("daily"))
def test_a_hostile_subscribe_form_is_never_a_server_error_and_stores_nothing_invalid(
    db, client, record, email, frequency
):
    body = query([("record", record), ("email", email), ("frequency", frequency)])
    response = fetch(
        client, "/alerts/subscribe/", method="post", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in (200, 400, 404, 429), response.status_code
    assert not Subscription.objects.exists()  # nothing here is a published record with a valid address


@FUZZ
@given(token=HOSTILE | RAW_BYTES | encoded(st.text(max_size=120)), method=st.sampled_from(["get", "post"]))
def test_a_hostile_confirm_or_unsubscribe_link_is_never_a_server_error(db, client, token, method):
    for page in ("confirm", "unsubscribe"):
        response = fetch(client, f"/alerts/{page}/{token or 'x'}/", method=method)
        assert response.status_code in (200, 404), response.status_code
