"""A desk of three at work, in Chromium (issue 27): a reporter archives the Government of
Canada's readout of the Carney–Lee meeting; an editor withdraws a published check for
review; the verifier attaches the readout; the editor previews, compares and republishes
with a public note; then the editor fixes a typo in the readout (a public correction, not
a withdrawal) and deletes a sentence (the check goes back to review, its quote orphaned,
and someone else confirms a passage, saying why). Each page is what the person sees."""

import re

import pytest

from tracker.desk import services
from tracker.desk.choices import AnchorMethod, Stance, State, Verdict
from tracker.desk.models import Claim, Correction, Source

from .test_desk_flow import log_in

STATEMENT = "Canada and Korea signed a defence agreement in Gyeongju."
READOUT_TITLE = "Prime Minister Carney meets with President Lee Jae Myung of the Republic of Korea"
NAVAL = "Canada will not sign the naval agremeent with Korea this year."
READOUT = (
    "Gyeongju, Republic of Korea, 29 October 2025. Prime Minister Mark Carney met with President "
    "Lee Jae Myung of the Republic of Korea on the margins of the APEC Leaders' Meeting.\n\n"
    "The leaders welcomed the Security and Defence Cooperation Partnership announced today. "
    f"{NAVAL}\n\n"
    "The leaders agreed to meet again at the G20 summit."
)


@pytest.fixture
def desk(make_staff, make_source):
    """Rita (reporter), Victor (verifier), Edna (editor), and one published check."""
    from django.contrib.auth import get_user_model

    rita = make_staff("Reporter", username="rita", first_name="Rita", last_name="Reyes")
    victor = make_staff("Verifier", username="victor", first_name="Victor", last_name="Vance")
    edna = make_staff("Editor", username="edna", first_name="Edna", last_name="Ekwueme")
    appears = make_source("A wire report said Canada and Korea signed a defence agreement in Gyeongju.", by=rita)
    wire = make_source("Officials described the partnership as a framework; no treaty was signed.", by=rita)
    claim = services.claim_create_draft(
        by=rita, source=appears, quote="Canada and Korea signed a defence agreement", statement=STATEMENT,
        evidence=[services.EvidenceAdd(source=wire, quote="no treaty was signed", stance=Stance.CONTRADICTS)],
    )  # fmt: skip
    claim = services.claim_submit(claim=claim, by=rita)
    claim = services.claim_publish(claim=claim, by=victor, verdict=Verdict.UNSUPPORTED,
                                   rationale="No archived source records a signature.")  # fmt: skip
    get_user_model().objects.exclude(pk__in=[rita.pk, victor.pk, edna.pk]).update(is_active=False)
    return claim


def select_passage(page, phrase: str) -> None:
    from .test_desk_flow import select_text

    page.wait_for_load_state("load")
    select_text(page, phrase)


def save_text(page, text: str) -> str:
    """Replace a source's text on its change form, press save, and return what the desk
    showed before saving (the impact of the edit on quotes)."""
    page.fill("#id_text", text)
    page.fill("#id_correction_note", "We archived the readout with a typing error; this is its text.")
    page.click("input[name=_save]")
    page.wait_for_selector(".desk-impact")
    shown = page.inner_text(".desk-impact")
    page.click("input[name=_save]")
    page.wait_for_selector("ul.messagelist")
    return shown


@pytest.mark.django_db(transaction=True)
def test_a_desk_of_three_withdraws_republishes_and_corrects_in_front_of_readers(page, desk, screenshot):
    claim = desk
    public = f"/claims/{claim.slug}/"

    # Rita archives the Government of Canada's readout.
    log_in(page, "rita")
    page.goto("/admin/desk/source/add/")
    page.fill("#id_title", READOUT_TITLE)
    page.fill("#id_publisher", "Prime Minister of Canada")
    page.select_option("#id_kind", "official")
    page.select_option("#id_reliability", "primary")
    page.fill("#id_text", READOUT)
    page.click("input[name=_save]")
    page.wait_for_selector("#desk-text")
    readout = Source.objects.get(title=READOUT_TITLE)
    assert readout.state == State.DRAFT

    # Rita may not withdraw or publish a check: the page says who can.
    response = page.goto(f"/admin/desk/claim/{claim.pk}/workflow/withdraw/")
    assert response.status == 403
    refusal = page.inner_text("#content")
    assert "Edna Ekwueme" in refusal and "403" not in page.title()
    screenshot(page, "day-01-reporter-refused")

    # Edna withdraws it for review; readers are told at its address.
    log_in(page, "edna")
    page.goto(f"/admin/desk/claim/{claim.pk}/change/")
    page.click(".desk-action-withdraw")
    page.fill("textarea", "A new official readout may change the verdict.")
    page.click("input[type=submit][value^=Withdraw]")
    page.wait_for_selector("ul.messagelist")
    assert Claim.objects.get(pk=claim.pk).state == State.IN_REVIEW
    page.goto(public)
    notice = page.text_content("main")
    assert "Under review" in notice and "A new official readout may change the verdict." in notice
    assert page.locator('meta[name="robots"][content^="noindex"]').count() == 1
    screenshot(page, "day-02-under-review")

    # Victor quotes the readout against the check from its reading page.
    log_in(page, "victor")
    page.goto(f"/admin/desk/source/{readout.pk}/read/?claim={claim.pk}")
    select_passage(page, NAVAL)
    page.wait_for_selector("#desk-selection:not([hidden])")
    page.goto(f"/admin/desk/source/{readout.pk}/read/?claim={claim.pk}#attach-evidence")
    page.fill("#id_evidence-quote", NAVAL)
    page.select_option("#id_evidence-stance", Stance.CONTEXT)
    page.click("input[name=attach_evidence]")
    page.wait_for_selector("ul.messagelist")
    assert claim.evidence.filter(source=readout).exists()

    # Victor added evidence, so Edna republishes: she compares and previews first.
    log_in(page, "edna")
    page.goto(f"/admin/desk/claim/{claim.pk}/change/")
    page.click("text=Compare with the published version")
    page.wait_for_selector("table.desk-compare")
    assert READOUT_TITLE in page.inner_text("#content-main")
    screenshot(page, "day-03-compare")
    page.goto(f"/admin/desk/claim/{claim.pk}/preview/")
    assert "Preview — not published" in page.inner_text(".preview-notice")
    assert page.locator('meta[name="robots"][content^="noindex"]').count() == 1
    page.goto(f"/admin/desk/claim/{claim.pk}/workflow/publish/")
    assert page.input_value("#id_rationale") == "No archived source records a signature."  # current values
    changes = page.inner_text("#content-main")
    assert "What changed since readers last saw it" in changes and "naval" in changes
    page.fill("#id_rationale", "No archived source records a signature; the readout names a partnership only.")
    note = page.input_value("#id_note")
    assert "Evidence added" in note
    page.click("input[type=submit][value=Publish]")
    # The note was left as drafted: it is drafted again to say the rationale changed, and shown first.
    page.wait_for_selector(".errorlist")
    note = page.input_value("#id_note")
    assert "Evidence added" in note and "rationale" in note
    screenshot(page, "day-04-republish")
    page.click("input[type=submit][value=Publish]")
    page.wait_for_selector("ul.messagelist")
    claim = Claim.objects.get(pk=claim.pk)
    assert claim.state == State.PUBLISHED and readout.__class__.objects.get(pk=readout.pk).state == State.PUBLISHED
    page.goto(public)
    text = page.text_content("main")
    assert "Evidence added" in text and "rationale" in text and "Under review" not in text
    screenshot(page, "day-05-republished")

    # A typo fix in the quoted sentence: shown first, then a public correction, not a withdrawal.
    page.goto(f"/admin/desk/source/{readout.pk}/change/")
    shown = save_text(page, READOUT.replace("agremeent", "agreement"))
    assert STATEMENT[:30] in shown and "typo" in shown
    claim = Claim.objects.get(pk=claim.pk)
    assert claim.state == State.PUBLISHED
    assert Correction.objects.filter(claim=claim).count() == 2
    page.goto(public)
    assert "the naval agreement with Korea" in page.text_content("main")

    # Deleting the sentence: shown first; the check goes back to review, its quote orphaned.
    page.goto(f"/admin/desk/source/{readout.pk}/change/")
    shown = save_text(page, READOUT.replace(NAVAL + "\n\n", "\n\n"))
    assert "Not found" in shown or "back to review" in shown.lower()
    claim = Claim.objects.get(pk=claim.pk)
    item = claim.evidence.get(source=readout)
    assert claim.state == State.IN_REVIEW and item.anchor_method == AnchorMethod.ORPHANED

    # Edna moved it, so she may not confirm it; Victor takes the closest passage, saying why.
    page.goto("/admin/orphaned-quotes/")
    section = page.locator(f"#quote-e{item.pk}")
    assert "can confirm it" in section.inner_text() and "Victor Vance" in section.inner_text()
    log_in(page, "victor")
    page.goto("/admin/orphaned-quotes/")
    section = page.locator(f"#quote-e{item.pk}")
    section.locator("button[value=confirm]").click()
    page.wait_for_selector("ul.messagelist")
    assert re.search(r"reason|why", page.inner_text("ul.messagelist"), re.I)  # below the threshold: a reason first
    section = page.locator(f"#quote-e{item.pk}")
    section.locator("textarea[name=reason]").fill("The leaders' partnership sentence is the readout's only word on it.")
    section.locator("button[value=confirm]").click()
    page.wait_for_selector("ul.messagelist")
    item.refresh_from_db()
    assert item.anchor_method != AnchorMethod.ORPHANED and item.anchor_confirm_note
    screenshot(page, "day-06-orphan-confirmed")

    # The reason is shown to whoever republishes.
    log_in(page, "edna")
    page.goto(f"/admin/desk/claim/{claim.pk}/workflow/publish/")
    assert "The leaders' partnership sentence" in page.inner_text("#content-main")
