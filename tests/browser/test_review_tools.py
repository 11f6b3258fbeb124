"""Preview, compare and intake in headless Chromium: a reporter typing a statement sees
the earlier check appear and picks it; an editor compares a claim back in review with
its published version and previews it, on a desktop and on a phone."""

import pytest

from tracker.desk import services
from tracker.desk.choices import Stance, State, Verdict
from tracker.desk.models import Claim

from .test_desk_flow import log_in

EARLIER = "Canada and the Republic of Korea signed a defence agreement in Gyeongju in October 2025."
TYPED = "Canada and Korea signed a defence agreement in Gyeongju in October 2025."


@pytest.mark.django_db(transaction=True)
def test_earlier_checks_appear_as_a_reporter_types_a_statement(page, make_staff, make_claim, make_source, screenshot):
    make_staff("Reporter", username="rita")
    earlier = make_claim(statement=EARLIER, state=State.PUBLISHED, verdict=Verdict.INACCURATE, rationale="No.")
    make_claim(statement="Canada's trade with Japan grew by a tenth in the year to September.")
    source = make_source()

    log_in(page, "rita")
    page.goto(f"/admin/desk/source/{source.pk}/read/")
    page.wait_for_load_state("load")
    page.locator("#id_claim-statement").press_sequentially(TYPED, delay=15)
    page.wait_for_selector(".desk-intake li")
    panel = page.inner_text(".desk-intake")
    assert EARLIER in panel and "Inaccurate · Published" in panel
    assert "trade with Japan" not in panel
    screenshot(page, "intake-earlier-check")

    page.check(f"#id_claim-repeats-pick-{earlier.pk}")
    page.fill("#id_claim-quote", "announced the new")
    page.click("input[name=mark_claim]")
    page.wait_for_selector("ul.messagelist")
    assert Claim.objects.get(statement=TYPED).earlier_check_id == earlier.pk


@pytest.fixture
def withdrawn_and_edited(make_claim, make_evidence, make_source, make_staff):
    editor = make_staff("Editor", username="edna", first_name="Edna", last_name="Ekwueme")
    claim = make_claim(
        statement="Canada and Korea signed a naval agreement in Gyeongju.",
        state=State.PUBLISHED, verdict=Verdict.ACCURATE, rationale="The readout says so.",
    )  # fmt: skip
    kept = make_evidence(claim, make_source(title="Korean readout of the summit"), stance=Stance.CONTEXT)
    claim = services.claim_withdraw(claim=Claim.objects.get(pk=claim.pk), by=editor, reason="A new report.")
    verifier = make_staff("Verifier", username="vic", first_name="Victor", last_name="Vance")
    services.claim_edit(
        claim=claim, by=verifier,
        change=[services.EvidenceChange(evidence_id=kept.pk, stance=Stance.CONTRADICTS,
                                        note="The readout names no naval agreement.")],
        add=[services.EvidenceAdd(source=make_source(state=State.DRAFT, title="Wire report, 2 November"),
                                  quote="General Security of Information Agreement", stance=Stance.CONTRADICTS)],
    )  # fmt: skip
    return Claim.objects.get(pk=claim.pk)


@pytest.mark.django_db(transaction=True)
def test_an_editor_compares_with_the_published_version_and_previews(page, phone_page, withdrawn_and_edited, screenshot):
    claim = withdrawn_and_edited
    log_in(page, "edna")
    page.goto(f"/admin/desk/claim/{claim.pk}/change/")
    page.click("text=Compare with the published version")
    page.wait_for_selector("table.desk-compare")
    text = page.inner_text("#content-main")
    assert "Published" in text and "In review" in text and "Contradicts" in text
    assert "Wire report, 2 November" in text
    screenshot(page, "compare-claim")

    page.goto(f"/admin/desk/claim/{claim.pk}/change/")
    page.click("a.desk-preview-link")
    page.wait_for_selector(".preview-notice")
    assert "Preview — not published" in page.inner_text(".preview-notice")
    assert "General Security of Information Agreement" in page.inner_text(".evidence-list")
    screenshot(page, "preview-claim")

    page.goto(f"/admin/desk/claim/{claim.pk}/history/")
    screenshot(page, "history-claim")

    log_in(phone_page, "edna")
    phone_page.goto(f"/admin/desk/claim/{claim.pk}/compare/?from=published")
    phone_page.wait_for_selector("table.desk-compare")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 391  # nothing wider than the phone
    screenshot(phone_page, "compare-claim-390")
    phone_page.goto(f"/admin/desk/claim/{claim.pk}/preview/")
    screenshot(phone_page, "preview-claim-390")
