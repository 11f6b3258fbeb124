"""Internal comments never reach a reader or a partner (DESIGN.md rules 1 and 10): not a
page, a list, search, a feed, the API, the change feed, the export or an as-of view."""

import ast
import datetime as dt
import pathlib

import pytest
from django.utils import timezone

from tracker.desk import services as desk_services
from tracker.desk.choices import State
from tracker.newsroom import services

MARKER = "zqxmarker7731"
ROOT = pathlib.Path(__file__).resolve().parents[2] / "tracker"


def public_answers(client, claim) -> dict[str, bytes]:
    today = timezone.localdate().isoformat()
    source = claim.source
    addresses = [
        "/",
        "/claims/",
        f"/claims/{claim.slug}/",
        f"/claims/{claim.slug}/?as_of={today}",
        f"/claims/{claim.slug}/feed/",
        "/sources/",
        f"/sources/{source.slug}/",
        f"/sources/{source.slug}/feed/",
        "/search/?q=navy",  # the claim's own words: it is listed, and nothing of its thread
        "/corrections/",
        "/feeds/verdicts/",
        "/feeds/corrections/",
        "/sitemap-claims.xml",
        "/api/v1/claims/",
        f"/api/v1/claims/{claim.slug}/",
        f"/api/v1/claims/{claim.slug}/?as_of={today}",
        f"/api/v1/sources/{source.slug}/",
        f"/api/v1/claims/?q={MARKER}",
        "/api/v1/events/?after=0",
        "/api/v1/tombstones/",
    ]
    answers = {}
    for address in addresses:
        response = client.get(address)
        assert response.status_code == 200, (address, response.status_code)
        answers[address] = b"".join(response.streaming_content) if response.streaming else response.content
    export = client.get("/api/v1/export/")
    assert export.status_code == 200
    answers["/api/v1/export/"] = b"".join(export.streaming_content)
    return answers


@pytest.mark.parametrize("cached", [False, True])
def test_a_comment_with_a_unique_marker_appears_on_no_public_surface(desk, make_claim, make_evidence, client, cached):
    claim = make_claim(drafted_by=desk.rita, state=State.PUBLISHED, statement="Statement about the navy")
    evidence = claim.evidence.first()
    if cached:  # answers kept before the comments: a comment must not change them either
        before = public_answers(client, claim)
    for kwargs in [{}, {"field": "rationale"}, {"evidence": evidence}]:
        services.comment_add(record=claim, by=desk.vera, body=f"@rita {MARKER} {kwargs}", **kwargs)
    services.comment_add(record=claim.source, by=desk.ed, body=f"{MARKER} on the source", field="text")
    # A public change after the comments, so that fresh answers are built with them on record.
    desk_services.claim_correct(claim=claim, by=desk.ed, note="We sharpened the rationale.", verdict=claim.verdict,
                                rationale="The readout says so, in its second paragraph.")  # fmt: skip
    answers = public_answers(client, claim)
    for address, body in answers.items():
        assert MARKER.encode() not in body, address
    assert b"second paragraph" in answers[f"/claims/{claim.slug}/"]  # the pages are the fresh ones
    if cached:
        assert before.keys() == answers.keys()


def test_a_comment_writes_no_event_and_moves_no_public_version(desk, make_claim):
    from tracker.desk.versioning import RecordVersion
    from tracker.events.models import Event

    claim = make_claim(drafted_by=desk.rita, state=State.PUBLISHED)
    in_review = make_claim(drafted_by=desk.rita, state=State.IN_REVIEW)
    events, versions = Event.objects.count(), list(RecordVersion.objects.values_list())
    services.comment_add(record=claim, by=desk.vera, body=f"@rita {MARKER}")
    services.comment_add(record=in_review, by=desk.vera, body=f"@rita {MARKER}", field="statement")
    services.assign(record=in_review, to=desk.vera, by=desk.ed)
    assert Event.objects.count() == events
    assert list(RecordVersion.objects.values_list()) == versions


def test_no_public_surface_imports_the_newsroom():
    surfaces = ["public", "api", "events", "delivery", "caching", "search"]
    for surface in surfaces:
        for path in (ROOT / surface).rglob("*.py"):
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.ImportFrom):
                    names = [node.module or ""]
                elif isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                assert not any("newsroom" in name for name in names), f"{path} imports the newsroom"


def test_the_as_of_view_of_yesterday_carries_no_comment_either(desk, make_claim, client):
    claim = make_claim(drafted_by=desk.rita, state=State.PUBLISHED)
    services.comment_add(record=claim, by=desk.vera, body=MARKER)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    for address in (f"/claims/{claim.slug}/?as_of={tomorrow}", f"/api/v1/claims/{claim.slug}/?as_of={tomorrow}"):
        response = client.get(address)
        assert MARKER.encode() not in response.content, address
