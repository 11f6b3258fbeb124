"""The whole desk flow in headless Chromium: a reporter archives a source, marks a claim
from a selected passage, attaches evidence from another source and submits; a verifier
publishes it; the claim is then public."""

import pytest
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from tracker.desk.choices import State, Verdict
from tracker.desk.models import Claim

PASSWORD = "pw-for-tests-only"
NEW_SOURCE_TEXT = (
    "Ottawa, 2 November 2025. The Prime Minister said on Sunday that Canada and the Philippines "
    "had signed a Status of Visiting Forces Agreement during his visit to Manila.\n\n"
    "Officials added that the agreement allows each country's troops to train on the other's territory."
)
SELECTED = "Canada and the Philippines had signed a Status of Visiting Forces Agreement"
OTHER_SOURCE_TEXT = (
    "Manila, 2 November 2025. Canada and the Philippines signed the Status of Visiting Forces Agreement "
    "in Manila on Sunday, the Department of Foreign Affairs confirmed.\n\n"
    "The weather was mild and the talks lasted two hours."
)
STATEMENT = "Canada and the Philippines signed a Status of Visiting Forces Agreement in November 2025."


def log_in(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")


def select_text(page, phrase: str) -> None:
    """Select `phrase` inside the source text as a person dragging the mouse would."""
    page.evaluate(
        """(phrase) => {
            const root = document.getElementById("desk-text");
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            let node;
            while ((node = walker.nextNode())) {
                const at = node.data.indexOf(phrase);
                if (at >= 0) {
                    const range = document.createRange();
                    range.setStart(node, at);
                    range.setEnd(node, at + phrase.length);
                    const selection = window.getSelection();
                    selection.removeAllRanges();
                    selection.addRange(range);
                    return;
                }
            }
            throw new Error("phrase not found: " + phrase);
        }""",
        phrase,
    )


@pytest.mark.django_db(transaction=True)
def test_a_claim_goes_from_a_new_source_to_a_published_verdict(page, live_server, make_staff, make_source, screenshot):
    make_staff("Reporter", username="rita")
    make_staff("Verifier", username="victor")
    make_source(text=OTHER_SOURCE_TEXT, title="DFA statement on the visiting forces agreement", publisher="DFA")

    # The reporter archives a new source by pasting its text.
    log_in(page, "rita")
    page.goto("/admin/desk/source/add/")
    page.fill("#id_title", "PM in Manila")
    page.fill("#id_publisher", "Daily Wire Service")
    page.select_option("#id_kind", "news")
    page.select_option("#id_reliability", "established_secondary")
    page.fill("#id_text", NEW_SOURCE_TEXT)
    screenshot(page, "desk-01-add-source")
    page.click("input[name=_save]")
    page.wait_for_selector("#desk-text")
    page.wait_for_load_state("load")  # the page's deferred script listens for selections

    # ...selects a passage and marks a claim from it.
    select_text(page, SELECTED)
    page.wait_for_selector("#desk-selection:not([hidden])")
    assert page.input_value("#id_claim-quote") == SELECTED
    page.fill("#id_claim-statement", STATEMENT)
    screenshot(page, "desk-02-source-selection")
    page.click("input[name=mark_claim]")
    page.wait_for_selector(".desk-workflow")
    claim = Claim.objects.get(statement=STATEMENT)
    assert (claim.quote, claim.state) == (SELECTED, State.DRAFT)
    assert NEW_SOURCE_TEXT[claim.start : claim.end] == SELECTED

    # ...attaches supporting evidence from the other source among the candidates.
    page.click("text=Candidate evidence")
    row = page.locator("tr.desk-candidate", has_text="the Department of Foreign Affairs confirmed")
    screenshot(page, "desk-03-candidates")
    row.locator("button[value=supports]").click()
    page.wait_for_selector("tr.desk-candidate .desk-attached")
    assert claim.evidence.get().source.title == "DFA statement on the visiting forces agreement"

    # ...and submits it for review.
    page.goto(f"/admin/desk/claim/{claim.pk}/change/")
    page.click("input.desk-action-submit")
    page.wait_for_selector(".desk-state-in_review")
    screenshot(page, "desk-04-claim-in-review")

    # The verifier finds it in the review queue and publishes it.
    log_in(page, "victor")
    page.goto("/admin/desk/claimforreview/")
    screenshot(page, "desk-05-review-queue")
    page.click(f"text={STATEMENT}")
    page.click("a.desk-action-publish")
    page.select_option("#id_verdict", Verdict.ACCURATE)
    page.fill("#id_rationale", "The Department of Foreign Affairs confirms the signing in Manila.")
    screenshot(page, "desk-06-publish")
    page.click("input[type=submit][value=Publish]")
    page.wait_for_load_state("load")
    screenshot(page, "desk-07-after-publish")
    page.wait_for_url("**/admin/desk/claimforreview/")
    assert "Published." in page.inner_text("ul.messagelist")

    claim.refresh_from_db()
    assert claim in Claim.objects.published()
    assert claim.verdict == Verdict.ACCURATE
    assert claim.reviewed_by.username == "victor"
    assert claim.source.state == State.PUBLISHED

    # Once the public pages exist, the claim's page shows the statement.
    try:
        get_template("public/claim_detail.html")
    except TemplateDoesNotExist:
        return
    response = page.goto(f"/claims/{claim.slug}/")
    assert response.status == 200
    assert STATEMENT in page.inner_text("body")
