"""The staff home for each role, and confirming an orphaned quote after a source edit,
in headless Chromium; screenshots at 1400 and 390 px go to artifacts/screenshots/."""

import pytest

from tracker.desk import services
from tracker.desk.choices import Stance, State, Verdict
from tracker.desk.models import Evidence

from .test_desk_flow import log_in

READOUT = "Prime Minister Carney and President Xi agreed to reset bilateral ties after years of strain."
REVISED = "Prime Minister Carney and President Xi agreed, after a long and difficult year, to mend ties."


@pytest.mark.django_db(transaction=True)
def test_each_role_finds_its_work_on_the_home_and_confirms_an_orphaned_quote(
    page, make_staff, make_source, make_claim, screenshot
):
    rita, victor, edna = make_staff("Reporter", "rita"), make_staff("Verifier", "victor"), make_staff("Editor", "edna")
    make_claim(drafted_by=rita, statement="Canada and Korea signed a defence partnership.")
    sent = make_claim(drafted_by=rita, state=State.IN_REVIEW, statement="The GSOIA was concluded in October.")
    services.claim_send_back(claim=sent, by=victor, comment="Quote the joint statement, not the newsletter.")
    source = make_source(READOUT, title="Readout: the Prime Minister meets President Xi")
    claim = make_claim(
        state=State.PUBLISHED, verdict=Verdict.ACCURATE, reviewed_by=victor,
        statement="Carney and Xi agreed to reset relations.",
        evidence=[services.EvidenceAdd(source=source, quote="agreed to reset bilateral ties", stance=Stance.SUPPORTS)],
    )  # fmt: skip
    services.source_edit(source=source, by=edna, fields={"text": REVISED + "\n(Revised.)"}, note="Revised readout.")

    # The reporter: their draft, and the claim sent back with the comment.
    log_in(page, "rita")
    page.goto("/admin/")
    assert "Canada and Korea signed a defence partnership." in page.inner_text("#home-drafts")
    assert "Quote the joint statement, not the newsletter." in page.inner_text("#home-sent_back")
    assert page.locator("#home-review").count() == 0

    # The editor: the orphaned quote, and its claim back in review.
    log_in(page, "edna")
    page.goto("/admin/")
    assert "Orphaned" in page.inner_text("#home-quotes")
    assert "Carney and Xi agreed to reset relations." in page.inner_text("#home-review")
    page.set_viewport_size({"width": 1400, "height": 900})
    screenshot(page, "home-editor-1400")

    # A verifier who did not write the claim confirms the new passage in the queue.
    log_in(page, "victor")
    page.goto("/admin/")
    assert "The GSOIA" not in page.inner_text("#home-review")  # back with its reporter
    page.click("#home-quotes a >> nth=0")
    page.wait_for_selector(".desk-orphan")
    screenshot(page, "orphans-1400")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "orphans-390")
    page.goto("/admin/")
    screenshot(page, "home-verifier-390")
    page.goto("/admin/orphaned-quotes/")
    page.fill(".desk-orphan textarea[name=quote]", "agreed, after a long and difficult year, to mend ties")
    page.click("button[value=confirm]")
    page.wait_for_selector("ul.messagelist")
    assert "Confirmed the new passage" in page.inner_text("ul.messagelist")
    evidence = Evidence.objects.get(claim=claim)
    assert not evidence.anchor_broken and evidence.quote == "agreed, after a long and difficult year, to mend ties"


@pytest.mark.django_db(transaction=True)
def test_a_reporter_links_a_repeat_claim_to_an_earlier_check(page, make_staff, make_claim):
    rita = make_staff("Reporter", "rita")
    earlier = make_claim(state=State.PUBLISHED, statement="Canada and China agreed to reset bilateral ties at APEC.")
    repeat = make_claim(drafted_by=rita, statement="At APEC, Canada and China agreed to reset bilateral ties.")
    log_in(page, "rita")
    page.goto(f"/admin/desk/claim/{repeat.pk}/change/")
    assert earlier.statement in page.inner_text(".desk-earlier")
    page.click(".desk-earlier button.desk-link-earlier >> nth=0")
    page.wait_for_selector("ul.messagelist")
    assert "Linked as a repeat" in page.inner_text("ul.messagelist")
    repeat.refresh_from_db()
    assert repeat.earlier_check_id == earlier.pk

    # The earlier check's public page links back to the desk for signed-in staff only.
    page.goto(earlier.get_absolute_url())
    page.wait_for_selector("#desk-edit-link a")
    assert page.get_attribute("#desk-edit-link a", "href") == f"/admin/desk/claim/{earlier.pk}/change/"
