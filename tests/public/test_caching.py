"""Conditional GET and cache headers: revalidated on every use, so a retraction or an
unpublished record never lingers in a cache."""

import time

from tracker.caching import responses as caching
from tracker.caching.responses import last_change
from tracker.desk import services


def after_this_second() -> None:
    """Last-Modified is only sent once the second of the latest change is over."""
    time.sleep(1.05)


def test_pages_must_be_revalidated_and_carry_validators(client, desk):
    after_this_second()
    response = client.get(desk["signed_claim"].get_absolute_url())
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"public", "no-cache", "max-age=0"} <= cache_control
    assert response.has_header("ETag")
    assert response.has_header("Last-Modified")


def test_an_unchanged_page_is_answered_not_modified(client, desk):
    url = desk["signed_claim"].get_absolute_url()
    after_this_second()
    first = client.get(url)
    assert client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": first["Last-Modified"]}).status_code == 304


def test_a_retraction_is_seen_at_once_by_a_client_holding_a_validator(client, desk, staff):
    claim = desk["signed_claim"]
    after_this_second()
    first = client.get(claim.get_absolute_url())
    first_listing = client.get("/claims/")
    services.claim_retract(claim=claim, by=staff.editor, note="The report was fabricated.")
    again = client.get(claim.get_absolute_url(), headers={"If-Modified-Since": first["Last-Modified"]})
    assert again.status_code == 410
    listing = client.get("/claims/", headers={"If-Modified-Since": first_listing["Last-Modified"]})
    assert listing.status_code == 200
    assert claim.statement not in listing.content.decode()


def test_a_change_to_an_embedded_record_moves_last_modified(client, desk, staff):
    url = desk["gsoia"].get_absolute_url()
    after_this_second()
    first = client.get(url)
    services.source_edit(source=desk["readout"], by=staff.editor, fields={"title": "A retitled readout"})
    again = client.get(url, headers={"If-Modified-Since": first["Last-Modified"], "If-None-Match": first["ETag"]})
    assert again.status_code == 200
    assert "A retitled readout" in again.content.decode()


def test_a_change_in_the_same_second_is_never_hidden_by_last_modified(client, desk, staff, monkeypatch):
    claim = desk["signed_claim"]
    changed = last_change()
    with monkeypatch.context() as clock:  # the page is served in the same second as the latest change
        clock.setattr(caching.timezone, "now", lambda: changed.replace(microsecond=999_999))
        first = client.get(claim.get_absolute_url())
    assert not first.has_header("Last-Modified")
    services.claim_retract(claim=claim, by=staff.editor, note="The report was fabricated.")
    assert client.get(claim.get_absolute_url(), headers={"If-None-Match": first["ETag"]}).status_code == 410


def test_a_feed_drops_a_retracted_verdict_for_a_client_holding_its_date(client, desk, staff):
    claim = desk["signed_claim"]
    after_this_second()
    first = client.get("/feeds/verdicts/")
    services.claim_retract(claim=claim, by=staff.editor, note="The report was fabricated.")
    again = client.get("/feeds/verdicts/", headers={"If-Modified-Since": first["Last-Modified"]})
    assert again.status_code == 200
    assert claim.statement not in again.content.decode()
