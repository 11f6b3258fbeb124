"""The staff home (/admin/): what each person has to do next, bounded and cheap."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tracker.desk import home, services
from tracker.desk.choices import AnchorMethod, Stance, State, Verdict
from tracker.desk.models import Evidence

HOME = "/admin/"
QUEUE = "/admin/orphaned-quotes/"


def _titles(response) -> list[str]:
    return [item.title for item in response.context["home_lists"]]


def _list(response, key):
    return next(item for item in response.context["home_lists"] if item.key == key)


def test_a_reporter_sees_their_drafts_and_what_was_sent_back_with_the_comment(login, make_claim, make_staff, staff):
    reporter = make_staff("Reporter")
    draft = make_claim(drafted_by=reporter, statement="My plain draft")
    sent = make_claim(drafted_by=reporter, state=State.IN_REVIEW, statement="Sent back one")
    services.claim_send_back(claim=sent, by=staff.verifier, comment="Quote the joint statement, not the blog.")
    make_claim(statement="Someone else's draft")
    response = login(reporter).get(HOME)
    assert response.status_code == 200
    assert [r.text for r in _list(response, "drafts").items] == [draft.statement]
    sent_back = _list(response, "sent_back").items
    assert [r.text for r in sent_back] == ["Sent back one"]
    assert sent_back[0].comment == "Quote the joint statement, not the blog."
    assert "Awaiting my review" not in _titles(response)
    assert "Quote the joint statement, not the blog." in response.content.decode()


def test_a_verifier_sees_claims_awaiting_review_but_not_those_they_wrote(login, make_claim, make_evidence, make_staff):
    verifier = make_staff("Verifier")
    theirs = make_claim(state=State.IN_REVIEW, statement="Waiting for a check")
    make_evidence(make_claim(state=State.IN_REVIEW, statement="Verifier added evidence"), by=verifier)
    response = login(verifier).get(HOME)
    rows = _list(response, "review").items
    assert [r.text for r in rows] == ["Waiting for a check"]
    assert rows[0].url == f"/admin/desk/claim/{theirs.pk}/change/"


def test_an_editor_sees_orphaned_quotes_claims_to_recheck_and_recent_publications(
    login, make_claim, make_source, make_staff, staff
):
    editor = make_staff("Editor")
    source = make_source("The leaders agreed to reset bilateral ties after years of strain.")
    claim = make_claim(
        state=State.PUBLISHED, verdict=Verdict.ACCURATE, statement="They reset ties",
        evidence=[services.EvidenceAdd(source=source, quote="agreed to reset bilateral ties", stance=Stance.SUPPORTS)],
    )  # fmt: skip
    response = login(editor).get(HOME)
    assert [r.text for r in _list(response, "recent").items] == ["They reset ties"]
    services.source_edit(source=source, by=staff.editor, fields={"text": "Nothing about ties now."}, note="Revised.")
    response = login(editor).get(HOME)
    quotes = _list(response, "quotes").items
    assert len(quotes) == 1 and "Orphaned" in quotes[0].meta
    assert quotes[0].url.startswith(QUEUE)
    # Orphaned evidence sent the claim back to review: it waits there, not among published ones.
    assert [r.text for r in _list(response, "review").items] == ["They reset ties"]
    assert claim.pk not in [c.pk for c in home.to_recheck(editor)]


def test_a_published_claim_still_resting_on_a_re_pointed_quote_is_to_recheck(make_claim, make_source, staff):
    source = make_source("The leaders agreed to rset bilateral ties after years of strain.")
    claim = make_claim(
        state=State.PUBLISHED, verdict=Verdict.ACCURATE,
        evidence=[services.EvidenceAdd(source=source, quote="agreed to rset bilateral ties", stance=Stance.SUPPORTS)],
    )  # fmt: skip
    text = source.text.replace("agreed to rset", "agreed to reset")
    services.source_edit(source=source, by=staff.editor, fields={"text": text}, note="A typo fixed.")
    # A typo fix: the claim stays published, corrected, until someone else confirms the passage.
    assert Evidence.objects.get(claim=claim).anchor_method == AnchorMethod.APPROXIMATE
    assert [c.pk for c in home.to_recheck(staff.editor)] == [claim.pk]


def _fill(make_claim, make_source, reporter, verifier, count):
    for _ in range(count):
        make_claim(drafted_by=reporter)
        make_claim(state=State.IN_REVIEW)
        make_claim(state=State.PUBLISHED)
        claim = make_claim(drafted_by=reporter, state=State.IN_REVIEW)
        services.claim_send_back(claim=claim, by=verifier, comment="Fix it.")


def test_the_home_makes_as_many_queries_for_many_records_as_for_few(
    login, make_claim, make_source, make_staff, staff, monkeypatch
):
    monkeypatch.setattr(home, "LIMIT", 2)  # past the bound with few records
    clients = {role: login(staff.reporter if role == "Reporter" else make_staff(role))
               for role in ("Reporter", "Verifier", "Editor")}  # fmt: skip
    _fill(make_claim, make_source, staff.reporter, staff.verifier, 1)
    few = {}
    for role, client in clients.items():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(HOME).status_code == 200
        few[role] = len(queries)
    _fill(make_claim, make_source, staff.reporter, staff.verifier, 3)
    for role, client in clients.items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(HOME)
        assert len(queries) <= few[role], role
        assert few[role] <= 16, f"the home takes {few[role]} queries for a {role}"
        assert all(len(item.items) <= 2 for item in response.context["home_lists"])
        assert any(item.more for item in response.context["home_lists"])


def test_the_all_links_open_filtered_lists(login, make_staff, make_claim):
    reporter = make_staff("Reporter")
    make_claim(drafted_by=reporter)
    client = login(reporter)
    for item in client.get(HOME).context["home_lists"]:
        response = client.get(item.all_url)
        assert response.status_code == 200, item.all_url
        assert "e=1" not in response.get("Location", "")


# The orphaned-quotes queue -----------------------------------------------------------------


@pytest.fixture
def orphaned(make_claim, make_source, staff):
    source = make_source("The leaders agreed to reset bilateral ties after years of strain.")
    claim = make_claim(
        state=State.PUBLISHED, verdict=Verdict.ACCURATE,
        evidence=[services.EvidenceAdd(source=source, quote="agreed to reset bilateral ties", stance=Stance.SUPPORTS)],
    )  # fmt: skip
    text = source.text.replace(
        "agreed to reset bilateral ties", "agreed, after a long and difficult year, to mend ties"
    )
    services.source_edit(source=source, by=staff.editor, fields={"text": text}, note="Revised.")
    return claim, claim.evidence.get()


def test_the_queue_shows_the_old_quote_and_the_suggested_passage(login, orphaned, make_staff):
    claim, evidence = orphaned
    response = login(make_staff("Verifier")).get(QUEUE)
    body = response.content.decode()
    assert response.status_code == 200
    assert "agreed to reset bilateral ties" in body
    assert "Confirm this passage" in body and "Detach this evidence" in body


def test_confirming_in_the_queue_re_points_the_quote(login, orphaned, make_staff):
    claim, evidence = orphaned
    client = login(make_staff("Verifier"))
    passage = "agreed, after a long and difficult year, to mend ties"
    data = {"action": "confirm", "kind": "evidence", "claim": claim.pk, "evidence": evidence.pk, "quote": passage}
    # The closest match scored below the threshold: taking it needs a reason.
    assert client.post(QUEUE, data).status_code == 302
    evidence.refresh_from_db()
    assert evidence.anchor_broken
    response = client.post(QUEUE, {**data, "reason": "The readout rewords the same sentence."})
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert not evidence.anchor_broken and evidence.quote.startswith("agreed, after a long")
    assert "Every quote is anchored" in client.get(QUEUE).content.decode()


def test_a_reporter_gets_no_buttons_on_a_claim_in_review(login, orphaned, make_staff, staff):
    response = login(staff_login := make_staff("Reporter")).get(QUEUE)
    assert staff_login and "Detach this evidence" not in response.content.decode()


@pytest.mark.parametrize("data", [
    {"action": "explode", "kind": "evidence", "claim": "1", "evidence": "1"},
    {"action": "confirm", "kind": "evidence", "claim": "x", "evidence": "1"},
    {"action": "confirm", "kind": "evidence", "claim": "1", "evidence": "١"},
    {"action": "detach", "kind": "claim", "claim": "999999"},
])  # fmt: skip
def test_bad_queue_posts_are_404s(login, make_staff, data):
    assert login(make_staff("Verifier")).post(QUEUE, data).status_code == 404


def test_staff_in_no_role_cannot_open_the_queue(login, make_staff):
    assert login(make_staff(None)).get(QUEUE).status_code == 404
