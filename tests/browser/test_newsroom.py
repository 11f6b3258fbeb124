"""The newsroom in headless Chromium, as a desk of three: presence on a claim's page, a
comment with a mention that reaches the mentioned person's mail, a refused publication
handed on in one click, the inbox. Screenshots go to artifacts/screenshots/."""

import pytest
from django.core import mail

from tests.delivery.conftest import run_worker_until_idle
from tracker.desk.choices import State
from tracker.newsroom import services

from .test_desk_flow import log_in


@pytest.mark.django_db(transaction=True)
def test_a_desk_of_three_comments_sees_who_is_editing_and_hands_on_a_refused_claim(
    page, make_staff, make_claim, screenshot
):
    rita = make_staff("Reporter", "rita", first_name="Rita", last_name="Reyes", email="rita@desk.example")
    vera = make_staff("Verifier", "vera", first_name="Vera", last_name="Vance", email="vera@desk.example")
    make_staff("Editor", "ed", first_name="Ed", last_name="Eno", email="ed@desk.example")
    claim = make_claim(drafted_by=rita, state=State.IN_REVIEW, statement="Canada and Korea signed a defence pact.")
    change = f"/admin/desk/claim/{claim.pk}/change/"

    # The editor opens the claim first; the reporter, opening it next, is told.
    log_in(page, "ed")
    page.goto(change)
    page.fill("#desk-comment-body", "@rita the readout says 'partnership', not 'pact'. @vera please look too.")
    page.select_option("#desk-comment-field", "statement")
    page.click(".desk-comment-form button[type=submit]")
    assert "Comment added." in page.inner_text(".messagelist")
    log_in(page, "rita")
    page.goto(change)
    assert "Ed Eno has been editing this claim since" in page.inner_text(".desk-presence")
    assert "the readout says 'partnership'" in page.inner_text("#comments")
    screenshot(page, "newsroom-claim-comments-presence")

    # The mention reaches Vera's mail through the worker.
    run_worker_until_idle()
    assert sorted(m.to[0] for m in mail.outbox) == ["rita@desk.example", "vera@desk.example"]

    # Rita may not publish her own claim: the refusal offers Vera in one click.
    page.goto(f"/admin/desk/claim/{claim.pk}/workflow/publish/")
    assert "You can't do this." in page.inner_text("#content-main")
    page.click("text=Hand to Vera Vance")
    assert "Handed to Vera Vance; they have been told." in page.inner_text(".messagelist")
    assert services.assignee_of(claim) == vera

    log_in(page, "vera")
    page.goto("/admin/")
    assert "Canada and Korea signed a defence pact." in page.inner_text("#home-assigned")
    assert "unread" in page.inner_text("#home-inbox")
    page.goto("/admin/newsroom/inbox/")
    assert "Waiting for your review" in page.inner_text(".desk-inbox-list")
    assert "Mentioned you" in page.inner_text(".desk-inbox-list")
    screenshot(page, "newsroom-inbox")
