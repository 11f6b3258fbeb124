"""A desk of three at work (issue 27): what readers are told when a check changes, quotes
an edit moved, maker-checker per record, and a desk that never deadlocks."""

import pytest
from django.core.exceptions import ValidationError

from tracker.desk import services
from tracker.desk.choices import AnchorMethod, Stance, State, Verdict
from tracker.desk.models import Claim, Correction, Evidence, Source
from tracker.events.models import Event

READOUT = (
    "Prime Minister Mark Carney met President Lee Jae Myung in Gyeongju. "
    "Canada will not sign the naval agreement with Korea this year. "
    "The leaders announced the Security and Defence Cooperation Partnership."
)


@pytest.fixture
def desk(make_staff):
    """One reporter, one verifier, one editor: the desk of the issue."""

    class Desk:
        reporter = make_staff("Reporter", first_name="Rita", last_name="Reporter")
        verifier = make_staff("Verifier", first_name="Victor", last_name="Verifier")
        editor = make_staff("Editor", first_name="Edith", last_name="Editor")

    return Desk


def only_the_desk(desk) -> None:
    """Sign out every other account the fixtures made (they publish fixture sources)."""
    from django.contrib.auth import get_user_model

    ids = [desk.reporter.pk, desk.verifier.pk, desk.editor.pk]
    get_user_model().objects.exclude(pk__in=ids).update(is_active=False)


def _edit_text(source: Source, text: str, by, note: str = "We archived the corrected text.") -> Source:
    source = Source.objects.get(pk=source.pk)
    return services.source_edit(source=source, by=by, fields={"text": text}, note=note)


def _published(make_source, desk, quote: str, stance=Stance.CONTRADICTS, verdict=Verdict.INACCURATE) -> Claim:
    """A claim drafted by the reporter, quoting the readout, published by the verifier."""
    appears = make_source("Analysts say Canada will sign a naval agreement with Korea this year.", by=desk.reporter)
    readout = make_source(READOUT, by=desk.reporter)
    claim = services.claim_create_draft(
        by=desk.reporter, source=appears, quote="Canada will sign a naval agreement", statement="Canada will sign.",
        evidence=[services.EvidenceAdd(source=readout, quote=quote, stance=stance)],
    )  # fmt: skip
    claim = services.claim_submit(claim=claim, by=desk.reporter)
    return services.claim_publish(claim=claim, by=desk.verifier, verdict=verdict, rationale="The readout says not.")


# Withdrawn, then republished with changes --------------------------------------------------------


def test_a_withdrawn_claim_says_so_at_its_address_under_the_title_readers_saw(client, make_source, desk):
    claim = _published(make_source, desk, "Canada will not sign the naval agreement")
    services.claim_withdraw(claim=claim, by=desk.editor, reason="A new readout may change the verdict.")
    services.claim_edit(claim=claim, by=desk.verifier, fields={"statement": "A draft wording readers never saw."})
    response = client.get(f"/claims/{claim.slug}/")
    page = response.content.decode()
    assert response.status_code == 200 and response["X-Robots-Tag"] == "noindex"
    assert "Under review" in page and "A new readout may change the verdict." in page
    assert "Canada will sign." in page and "A draft wording readers never saw." not in page
    assert '<meta name="robots" content="noindex">' in page
    feed = client.get(f"/claims/{claim.slug}/feed/").content.decode()
    assert "Withdrawn for review" in feed and "A new readout may change the verdict." in feed
    assert "A draft wording" not in feed


def test_republishing_with_changes_publishes_a_correction_of_what_changed(client, make_source, desk):
    claim = _published(make_source, desk, "Canada will not sign the naval agreement")
    other = make_source("The naval agreement is not on this year's agenda.", by=desk.editor)
    services.claim_withdraw(claim=claim, by=desk.editor, reason="Checking a second source.")
    services.evidence_attach(claim=claim, by=desk.editor, source=other, quote="not on this year's agenda",
                             stance=Stance.CONTRADICTS)  # fmt: skip
    claim = Claim.objects.get(pk=claim.pk)
    draft = services.republication_note(claim, verdict=Verdict.MISLEADING, rationale="Partly true.")
    assert "Accurate" not in draft and "from Inaccurate to Misleading" in draft
    assert "Evidence added" in draft and "not on this year's agenda" in draft and "rationale was rewritten" in draft
    with pytest.raises(ValidationError, match="say what changed"):
        services.claim_publish(claim=claim, by=desk.verifier, verdict=Verdict.MISLEADING, rationale="Partly true.")
    # The editor wrote evidence; the verifier, who wrote none of it, republishes.
    services.claim_publish(claim=claim, by=desk.verifier, verdict=Verdict.MISLEADING, rationale="Partly true.",
                           note=draft)  # fmt: skip
    assert Correction.objects.filter(claim=claim, note=draft).exists()
    kinds = list(Event.objects.filter(record_type="claim", record_id=claim.pk).values_list("kind", flat=True))
    assert kinds == ["published", "withdrawn", "republished"]
    last = Event.objects.filter(record_id=claim.pk, record_type="claim").last()
    assert {"verdict", "rationale", "evidence"} <= {change["field"] for change in last.changes}
    page = client.get(f"/claims/{claim.slug}/").content.decode()
    assert "from Inaccurate to Misleading" in page


def test_a_note_left_as_drafted_is_drafted_again_when_the_publisher_rewrites_the_rationale(login, make_source, desk):
    claim = _published(make_source, desk, "Canada will not sign the naval agreement")
    other = make_source("The naval agreement is not on this year's agenda.", by=desk.editor)
    services.claim_withdraw(claim=claim, by=desk.editor, reason="Checking a second source.")
    services.evidence_attach(claim=claim, by=desk.editor, source=other, quote="not on this year's agenda",
                             stance=Stance.CONTRADICTS)  # fmt: skip
    verifier = login(desk.verifier)
    url = f"/admin/desk/claim/{claim.pk}/workflow/publish/"
    form = verifier.get(url).context["form"]
    drafted = form["note"].value()
    assert "Evidence added" in drafted and "rationale" not in drafted
    data = {"verdict": Verdict.INACCURATE, "rationale": "Two sources now say not.", "note": drafted,
            "drafted": form["drafted"].value()}  # fmt: skip

    first = verifier.post(url, data)

    assert first.status_code == 200 and Claim.objects.get(pk=claim.pk).state == State.IN_REVIEW
    redrafted = first.context["form"]["note"].value()
    assert "Evidence added" in redrafted and "rationale was rewritten" in redrafted
    assert "You changed the verdict or the rationale" in first.content.decode()
    data.update(note=redrafted, drafted=first.context["form"]["drafted"].value())
    assert verifier.post(url, data).status_code == 302
    assert Correction.objects.get(claim=claim).note == redrafted


def test_republishing_unchanged_needs_no_note(make_source, desk):
    claim = _published(make_source, desk, "Canada will not sign the naval agreement")
    services.claim_withdraw(claim=claim, by=desk.editor, reason="A routine second look.")
    claim = services.claim_publish(claim=Claim.objects.get(pk=claim.pk), by=desk.verifier,
                                   verdict=Verdict.INACCURATE, rationale="The readout says not.")  # fmt: skip
    assert claim.state == State.PUBLISHED and not claim.corrections.exists()


# Quotes an edit of their source moved -----------------------------------------------------------


def test_deleting_not_from_a_quoted_passage_withdraws_the_claim_and_blocks_it_until_someone_else_confirms(
    make_source, desk
):
    claim = _published(make_source, desk, "Canada will not sign the naval agreement with Korea this year")
    readout = claim.evidence.get().source
    _edit_text(readout, readout.text.replace("will not sign", "will sign"), desk.editor)
    claim = Claim.objects.get(pk=claim.pk)
    item = claim.evidence.get()
    assert claim.state == State.IN_REVIEW and item.anchor_method == AnchorMethod.APPROXIMATE
    assert item.anchor_moved_by == desk.editor
    # A correction of the source is not authorship of the claim.
    assert desk.editor.pk not in services.contributor_ids(claim)
    with pytest.raises(ValidationError, match="re-pointed"):
        services.claim_publish(claim=claim, by=desk.editor, verdict=Verdict.INACCURATE, rationale="Still not.")
    with pytest.raises(ValidationError, match="someone else confirms"):
        services.quote_confirm(claim=claim, by=desk.editor, evidence_id=item.pk)
    services.quote_confirm(claim=claim, by=desk.verifier, evidence_id=item.pk)
    # The verifier confirmed the words, so the editor publishes.
    claim = Claim.objects.get(pk=claim.pk)
    assert services.publish_refusal(claim, desk.verifier)
    assert not services.publish_refusal(claim, desk.editor)


def test_a_typo_fix_in_a_quoted_passage_is_a_public_correction_not_a_withdrawal(make_source, desk):
    appears = make_source("Canada will sign a naval agreement with Korea, analysts say.", by=desk.reporter)
    readout = make_source(READOUT.replace("Canada will not", "Caanda will not"), by=desk.reporter)
    claim = services.claim_create_draft(
        by=desk.reporter, source=appears, quote="Canada will sign a naval agreement", statement="Canada will sign.",
        evidence=[services.EvidenceAdd(source=readout, quote="Caanda will not sign the naval agreement",
                                       stance=Stance.CONTRADICTS)],
    )  # fmt: skip
    claim = services.claim_submit(claim=claim, by=desk.reporter)
    claim = services.claim_publish(claim=claim, by=desk.verifier, verdict=Verdict.INACCURATE, rationale="Not so.")
    _edit_text(readout, readout.text.replace("Caanda will", "Canada will"), desk.editor, note="A typo fixed.")
    claim = Claim.objects.get(pk=claim.pk)
    assert claim.state == State.PUBLISHED
    note = Correction.objects.get(claim=claim).note
    assert "A typo fixed." in note and "now reads “Canada will not sign the naval agreement”" in note
    item = claim.evidence.get()
    assert item.needs_a_look and item.anchor_moved_by == desk.editor  # someone else confirms the passage
    events = list(Event.objects.filter(record_type="claim", record_id=claim.pk).values_list("kind", flat=True))
    assert events == ["published", "corrected"]


def test_the_source_editor_is_shown_what_the_edit_does_before_it_is_saved(login, make_source, desk):
    claim = _published(make_source, desk, "Canada will not sign the naval agreement")
    readout = claim.evidence.get().source
    editor = login(desk.editor)
    url = f"/admin/desk/source/{readout.pk}/change/"
    form = editor.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields if name not in ("upload",)}
    data.update(text=readout.text.replace("will not sign", "will sign"), correction_note="The readout was updated.",
                published_precision="unknown", _save="Save")  # fmt: skip
    first = editor.post(url, data)
    assert first.status_code == 200 and Source.objects.get(pk=readout.pk).text == readout.text
    page = first.content.decode()
    assert "What this change of the text does" in page and "Withdrawn to review" in page
    data["impact_seen"] = first.context["adminform"].form["impact_seen"].value()
    data["seen_version"] = first.context["adminform"].form["seen_version"].value()
    assert editor.post(url, data).status_code == 302
    assert Claim.objects.get(pk=claim.pk).state == State.IN_REVIEW


def test_taking_an_orphaned_quotes_suggestion_needs_a_reason_shown_to_the_publisher(login, make_source, desk):
    claim = _published(make_source, desk, "Canada will not sign the naval agreement with Korea this year")
    readout = claim.evidence.get().source
    gone = "Canada will not sign the naval agreement with Korea this year."
    _edit_text(readout, readout.text.replace(gone, "Ottawa's plans for the navy were not discussed."), desk.editor)
    claim = Claim.objects.get(pk=claim.pk)
    item = claim.evidence.get()
    assert item.anchor_broken
    with pytest.raises(ValidationError, match="closest match"):
        services.quote_confirm(claim=claim, by=desk.verifier, evidence_id=item.pk)
    services.quote_confirm(claim=claim, by=desk.verifier, evidence_id=item.pk,
                           reason="The readout reworded the same sentence.")  # fmt: skip
    assert Evidence.objects.get(pk=item.pk).anchor_confirm_note == "The readout reworded the same sentence."
    page = login(desk.editor).get(f"/admin/desk/claim/{claim.pk}/workflow/publish/").content.decode()
    assert "confirmed below the matcher's threshold" in page and "The readout reworded the same sentence." in page


def test_detaching_evidence_asks_why(make_claim, make_evidence, staff):
    claim = make_claim()
    item = make_evidence(claim)
    with pytest.raises(ValidationError, match="Say why"):
        services.evidence_detach(claim=claim, by=staff.reporter, evidence_id=item.pk)
    services.evidence_detach(claim=claim, by=staff.reporter, evidence_id=item.pk, note="Wrong passage.")
    assert not claim.evidence.exists()


# Maker-checker per record, and no deadlock -------------------------------------------------------


def test_an_editor_who_archived_a_source_cannot_publish_a_claim_that_would_publish_it(make_source, desk):
    fabricated = make_source("Canada signed a naval pact with Korea on Tuesday.", state="draft", by=desk.editor)
    appears = make_source("Canada signed a naval pact, a blog says.", by=desk.reporter)
    only_the_desk(desk)
    claim = services.claim_create_draft(
        by=desk.reporter, source=appears, quote="Canada signed a naval pact", statement="Canada signed a pact.",
        evidence=[services.EvidenceAdd(source=fabricated, quote="signed a naval pact", stance=Stance.SUPPORTS)],
    )  # fmt: skip
    claim = services.claim_submit(claim=claim, by=desk.reporter)
    refusal = services.publish_refusal(claim, desk.editor)
    assert "You archived" in refusal and "Victor Verifier can publish it" in refusal
    with pytest.raises(ValidationError):
        services.claim_publish(claim=claim, by=desk.editor, verdict=Verdict.ACCURATE, rationale="It says so.")
    assert Source.objects.get(pk=fabricated.pk).state == State.DRAFT
    with pytest.raises(ValidationError, match="You archived"):
        services.record_publish(record=fabricated, by=desk.editor)


def test_the_last_person_who_could_publish_a_claim_is_stopped_from_writing_it_and_told_why(make_source, desk):
    readout = make_source(READOUT)
    claim = services.claim_create_draft(by=desk.reporter, source=make_source("Canada will sign, they say."),
                                        quote="Canada will sign", statement="Canada will sign.")  # fmt: skip
    only_the_desk(desk)
    claim = services.claim_submit(claim=claim, by=desk.reporter)
    services.evidence_attach(claim=claim, by=desk.verifier, source=readout, quote="will not sign",
                             stance=Stance.CONTRADICTS)  # fmt: skip
    with pytest.raises(ValidationError, match="nobody left on the desk could publish it: Edith Editor"):
        services.claim_edit(claim=claim, by=desk.editor, fields={"statement": "Canada will sign this year."})
    claim = Claim.objects.get(pk=claim.pk)
    assert not services.publish_refusal(claim, desk.editor)
    refusal = services.publish_refusal(claim, desk.verifier)
    assert "Edith Editor can publish it" in refusal


def test_the_staff_home_lists_a_published_then_corrected_claim_once(login, make_claim, staff):
    claim = make_claim(state="published")
    services.claim_correct(claim=claim, by=staff.editor, note="Clearer.", verdict=Verdict.ACCURATE,
                           rationale="Clearer rationale.")  # fmt: skip
    page = login(staff.editor).get("/admin/").content.decode()
    section = page.split("Recently published and corrected", 1)[1]
    assert section.count(f"/admin/desk/claim/{claim.pk}/change/") == 1


def test_a_verifier_confirms_a_quote_the_only_editor_moved_on_a_published_claim(make_source, desk):
    """Found by the three-person desk's property test: only editors correct a published
    source, and the one who did must not confirm the quote it moved."""
    appears = make_source("Canada will sign a naval agreement with Korea, analysts say.", by=desk.reporter)
    readout = make_source("Caanda will not sign the naval agreement this year.", by=desk.reporter)
    claim = services.claim_create_draft(
        by=desk.reporter, source=appears, quote="Canada will sign a naval agreement", statement="Canada will sign.",
        evidence=[services.EvidenceAdd(source=readout, quote="Caanda will not sign", stance=Stance.CONTRADICTS)],
    )  # fmt: skip
    claim = services.claim_publish(claim=services.claim_submit(claim=claim, by=desk.reporter), by=desk.verifier,
                                   verdict=Verdict.INACCURATE, rationale="Not so.")  # fmt: skip
    _edit_text(readout, readout.text.replace("Caanda", "Canada"), desk.editor, note="A typo fixed.")
    item = Claim.objects.get(pk=claim.pk).evidence.get()
    with pytest.raises(ValidationError, match="someone else confirms"):
        services.quote_confirm(claim=claim, by=desk.editor, evidence_id=item.pk)
    services.quote_confirm(claim=claim, by=desk.verifier, evidence_id=item.pk)
    assert not Evidence.objects.get(pk=item.pk).needs_a_look
    assert Claim.objects.get(pk=claim.pk).state == State.PUBLISHED
