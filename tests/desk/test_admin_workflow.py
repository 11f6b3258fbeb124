"""The claim page drives the workflow through buttons that call the services."""

import pytest

from tracker.desk import services
from tracker.desk.choices import Stance, State, Verdict
from tracker.desk.models import Claim, Correction

from .conftest import messages_of


@pytest.fixture
def reporter(make_staff):
    return make_staff("Reporter")


@pytest.fixture
def submitted(make_claim, make_evidence, reporter):
    claim = make_claim(drafted_by=reporter)
    make_evidence(claim, stance=Stance.SUPPORTS)
    return services.claim_submit(claim=claim, by=reporter)


def _workflow(claim, action):
    return f"/admin/desk/claim/{claim.pk}/workflow/{action}/"


def test_the_claim_page_offers_only_the_buttons_the_user_may_use(login, submitted, reporter, make_staff):
    reporter_page = login(reporter).get(f"/admin/desk/claim/{submitted.pk}/change/").content.decode()
    assert "desk-action-publish" not in reporter_page and "desk-action-send_back" not in reporter_page
    verifier_page = login(make_staff("Verifier")).get(f"/admin/desk/claim/{submitted.pk}/change/").content.decode()
    assert "desk-action-publish" in verifier_page and "desk-action-send_back" in verifier_page
    assert "desk-action-retract" not in verifier_page


def test_a_verifier_publishes_from_the_admin(login, submitted, make_staff):
    verifier = make_staff("Verifier")
    response = login(verifier).post(
        _workflow(submitted, "publish"), {"verdict": Verdict.ACCURATE, "rationale": "The readout confirms it."}
    )
    assert response.status_code == 302
    claim = Claim.objects.get(pk=submitted.pk)
    assert (claim.state, claim.verdict, claim.reviewed_by) == (State.PUBLISHED, Verdict.ACCURATE, verifier)


def test_a_refused_publication_says_why_on_the_form_and_changes_nothing(login, submitted, make_staff):
    response = login(make_staff("Verifier")).post(
        _workflow(submitted, "publish"), {"verdict": Verdict.INACCURATE, "rationale": "It is wrong."}
    )
    assert response.status_code == 200
    assert "needs at least one piece of evidence that contradicts the claim" in response.content.decode()
    assert Claim.objects.get(pk=submitted.pk).state == State.IN_REVIEW


def test_the_drafter_is_refused_publication_in_the_admin(login, make_claim, make_evidence, make_staff):
    editor = make_staff("Editor")  # verifiers do not draft claims; editors do, and review them
    claim = make_claim(drafted_by=editor)
    make_evidence(claim)
    services.claim_submit(claim=claim, by=editor)
    response = login(editor).post(_workflow(claim, "publish"), {"verdict": Verdict.ACCURATE, "rationale": "r"})
    assert "so someone else must publish its verdict (maker-checker)" in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).state == State.IN_REVIEW


def test_a_verifier_who_attached_evidence_is_refused_publication_in_the_admin(
    login, submitted, make_evidence, make_staff
):
    verifier = make_staff("Verifier")
    make_evidence(submitted, quote="General Security of Information Agreement", by=verifier)
    client = login(verifier)
    page = client.get(f"/admin/desk/claim/{submitted.pk}/change/").content.decode()
    assert "desk-refusal" in page and "wrote some of its content or evidence" in page
    response = client.post(_workflow(submitted, "publish"), {"verdict": Verdict.ACCURATE, "rationale": "r"})
    assert "(maker-checker)" in response.content.decode()
    assert Claim.objects.get(pk=submitted.pk).state == State.IN_REVIEW


def test_a_reporter_cannot_reach_the_publish_step(login, submitted, reporter):
    response = login(reporter).post(_workflow(submitted, "publish"), {"verdict": "accurate", "rationale": "r"})
    assert response.status_code == 403
    assert Claim.objects.get(pk=submitted.pk).state == State.IN_REVIEW


def test_sending_back_shows_the_comment_to_the_reporter(login, submitted, reporter, make_staff):
    login(make_staff("Verifier")).post(_workflow(submitted, "send_back"), {"comment": "Quote the readout instead."})
    page = login(reporter).get(f"/admin/desk/claim/{submitted.pk}/change/").content.decode()
    assert "Sent back by" in page and "Quote the readout instead." in page
    assert "desk-action-submit" in page


def test_the_change_form_cannot_set_state_or_verdict(login, make_claim, reporter):
    claim = make_claim(drafted_by=reporter)
    client = login(reporter)
    response = client.post(
        f"/admin/desk/claim/{claim.pk}/change/",
        {
            "statement": "Edited statement",
            "claimant": claim.claimant,
            "source": claim.source_id,
            "quote": claim.quote,
            "slug": claim.slug,
            "seen_version": claim.version,
            "state": State.PUBLISHED,
            "verdict": Verdict.ACCURATE,
            "rationale": "Sneaky",
            "evidence-TOTAL_FORMS": 0,
            "evidence-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    claim.refresh_from_db()
    assert claim.statement == "Edited statement"
    assert (claim.state, claim.verdict, claim.rationale) == (State.DRAFT, Verdict.NOT_RATED, "")


def test_a_reporter_cannot_edit_another_reporters_draft(login, make_claim, make_staff):
    claim = make_claim(drafted_by=make_staff("Reporter"))
    page = login(make_staff("Reporter")).get(f"/admin/desk/claim/{claim.pk}/change/")
    assert page.status_code == 200
    assert "View claim" in page.content.decode() and 'name="statement"' not in page.content.decode()


def test_an_editor_retracts_with_a_note_from_the_admin(login, submitted, make_staff):
    claim = services.claim_publish(claim=submitted, by=make_staff("Verifier"), verdict="accurate", rationale="ok")
    client = login(make_staff("Editor"))
    assert client.post(_workflow(claim, "retract"), {"note": ""}).status_code == 200
    assert Claim.objects.get(pk=claim.pk).state == State.PUBLISHED
    client.post(_workflow(claim, "retract"), {"note": "The report was fabricated."})
    assert Claim.objects.get(pk=claim.pk).state == State.RETRACTED
    assert Correction.objects.get().note == "The report was fabricated."


def test_the_submit_action_calls_the_service_and_reports_refusals(login, make_claim, reporter, make_staff):
    mine = make_claim(drafted_by=reporter)
    theirs = make_claim(drafted_by=make_staff("Reporter"))
    response = login(reporter).post(
        "/admin/desk/claim/",
        {"action": "submit_selected", "_selected_action": [mine.pk, theirs.pk]},
        follow=True,
    )
    assert Claim.objects.get(pk=mine.pk).state == State.IN_REVIEW
    assert Claim.objects.get(pk=theirs.pk).state == State.DRAFT
    assert any("Only the reporter who drafted" in m for m in messages_of(response))


def test_a_published_claim_is_never_deleted_and_the_admin_does_not_fail(login, submitted, make_staff, make_user):
    claim = services.claim_publish(claim=submitted, by=make_staff("Verifier"), verdict="accurate", rationale="ok")
    boss = make_user(is_staff=True, is_superuser=True)
    client = login(boss)
    page = client.get(f"/admin/desk/claim/{claim.pk}/change/").content.decode()
    assert f"/admin/desk/claim/{claim.pk}/delete/" not in page
    assert client.get(f"/admin/desk/claim/{claim.pk}/delete/").status_code == 403
    response = client.post("/admin/desk/claim/", {"action": "delete_selected", "_selected_action": [claim.pk]})
    assert response.status_code == 200
    assert "permission to delete" in response.content.decode()
    response = client.post(
        "/admin/desk/claim/", {"action": "delete_selected", "_selected_action": [claim.pk], "post": "yes"}
    )
    assert response.status_code == 403
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_every_editorial_record_shows_its_history(login, make_claim, make_user):
    claim = make_claim()
    services.claim_edit(claim=claim, by=claim.drafted_by, fields={"statement": "A reworded statement"})
    page = login(make_user(is_staff=True, is_superuser=True)).get(f"/admin/desk/claim/{claim.pk}/history/")
    assert page.status_code == 200
    assert "A reworded statement" in page.content.decode() or "Statement" in page.content.decode()


def test_the_submit_button_posts_nothing_but_the_request(login, make_claim, reporter):
    claim = make_claim(drafted_by=reporter)
    response = login(reporter).post(_workflow(claim, "submit"))
    assert response.status_code == 302
    assert Claim.objects.get(pk=claim.pk).state == State.IN_REVIEW


def test_a_claim_added_in_the_admin_is_the_reporters_draft(login, make_source, reporter):
    source = make_source()
    response = login(reporter).post(
        "/admin/desk/claim/add/",
        {
            "statement": "Korea and Canada announced a defence partnership.",
            "claimant": "PMO",
            "source": source.pk,
            "quote": "announced the new",
            "slug": "",
            "state": State.PUBLISHED,
            "evidence-TOTAL_FORMS": 0,
            "evidence-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    claim = Claim.objects.get()
    assert (claim.drafted_by, claim.state, claim.slug) == (
        reporter,
        State.DRAFT,
        "korea-and-canada-announced-a-defence-partnership",
    )
    assert claim.events.get().action == "drafted"
