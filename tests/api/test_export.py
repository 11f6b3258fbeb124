"""The bulk export: the whole published record in one stream, then sync from its snapshot."""

import datetime as dt
import gzip
import json

from tracker.desk.choices import State


def export(api, **headers) -> list[dict]:
    response = api.get("/api/v1/export/", **headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]


def test_it_streams_every_published_record_between_a_snapshot_and_an_end_line(
    api, published_claim, make_agreement, add_status, make_meeting, make_person, make_claim
):
    claim = published_claim(slug="the-claim")
    add_status(make_agreement(slug="the-agreement"))
    make_meeting(slug="the-meeting", participants=[make_person(slug="the-person")])
    make_claim(slug="a-draft", state=State.DRAFT)

    lines = export(api)

    assert lines[0]["type"] == "snapshot"
    assert lines[-1] == {"type": "end", "records": len(lines) - 2}
    records = {(line["type"], line["record"].get("slug")) for line in lines[1:-1]}
    assert {("claim", "the-claim"), ("agreement", "the-agreement"), ("meeting", "the-meeting")} <= records
    assert ("person", "the-person") in records
    assert ("claim", "a-draft") not in records
    exported = next(line["record"] for line in lines if line["type"] == "claim")
    detail = api.get(f"/api/v1/claims/{claim.slug}/").json()
    assert detail.pop("as_of") is None  # only the detail takes ?as_of=
    assert exported == detail  # the same shape as the API


def test_syncing_from_the_snapshot_picks_up_what_changed_during_and_after_it(api, published_claim):
    published_claim(slug="before")
    snapshot = export(api)[0]
    sync_from = dt.datetime.fromisoformat(snapshot["updated_since"])
    assert sync_from < dt.datetime.fromisoformat(snapshot["snapshot_at"])

    published_claim(slug="after")
    changed = api.get("/api/v1/claims/", {"updated_since": snapshot["updated_since"], "ordering": "updated_at"})

    assert "after" in [c["slug"] for c in changed.json()["results"]]


def test_it_is_compressed_for_clients_that_accept_gzip(api, published_claim):
    published_claim()

    response = api.get("/api/v1/export/", HTTP_ACCEPT_ENCODING="gzip")

    assert response["Content-Encoding"] == "gzip"
    text = gzip.decompress(b"".join(response.streaming_content)).decode()
    assert json.loads(text.splitlines()[-1])["type"] == "end"
