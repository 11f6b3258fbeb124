"""Rule 2: every evidence quote occurs in the archived text of its source."""

import pytest
from django.core.exceptions import ValidationError

from tracker.desk import services
from tracker.desk.anchoring import QuoteNotFound, anchor_quote, reanchor
from tracker.desk.choices import Stance, State, Verdict
from tracker.desk.models import Claim, Evidence

TEXT = "He said “the world is changing fast” -- and Canada’s answer is trade.\nNext   line here."


def test_an_exact_quote_is_anchored_with_offsets_and_context():
    found = anchor_quote(TEXT, "Canada’s answer")
    assert TEXT[found.start : found.end] == "Canada’s answer"
    assert found.prefix.endswith("-- and ")
    assert found.suffix.startswith(" is trade.")


def test_straight_quote_marks_match_curly_ones():
    found = anchor_quote(TEXT, 'He said "the world is changing fast"')
    assert found.exact == "He said “the world is changing fast”"


def test_a_different_dash_and_whitespace_still_match():
    found = anchor_quote(TEXT, "fast” — and Canada's answer is trade. Next line")
    assert found.exact == "fast” -- and Canada’s answer is trade.\nNext   line"
    assert TEXT[found.start : found.end] == found.exact


def test_a_quote_not_in_the_text_is_refused():
    with pytest.raises(QuoteNotFound):
        anchor_quote(TEXT, "the world is standing still")


def test_an_empty_quote_is_refused():
    with pytest.raises(QuoteNotFound):
        anchor_quote(TEXT, "   ")


def test_the_occurrence_nearest_the_hint_is_chosen():
    text = "trade talk. more words. trade talk."
    assert anchor_quote(text, "trade talk", near=20).start == 24
    assert anchor_quote(text, "trade talk").start == 0


def test_reanchoring_prefers_the_occurrence_with_the_same_context():
    # "beta" was anchored after "gamma " at offset 18; the edit adds text before it.
    new_text = "new start. alpha beta. gamma beta."
    found = reanchor(new_text, exact="beta", prefix="gamma ", start=18)
    assert found.start == new_text.rindex("beta")
    assert found.prefix.endswith("gamma ")


def test_saving_evidence_whose_quote_is_not_in_its_source_fails_with_a_message(make_claim, make_source):
    claim = make_claim()
    source = make_source()
    with pytest.raises(ValidationError) as excinfo:
        services.evidence_attach(
            claim=claim, by=claim.drafted_by, source=source, quote="signed a treaty in Seoul", stance=Stance.SUPPORTS
        )
    assert "does not occur in the source" in str(excinfo.value)
    assert not Evidence.objects.exists()


def test_saved_evidence_stores_offsets_and_context(make_claim, make_source, make_evidence):
    source = make_source()
    evidence = make_evidence(make_claim(), source=source, quote="General  Security of\nInformation Agreement")
    evidence.refresh_from_db()
    assert source.text[evidence.start : evidence.end] == "General Security of Information Agreement"
    assert evidence.quote == "General Security of Information Agreement"
    assert evidence.prefix == source.text[evidence.start - 32 : evidence.start]
    assert evidence.suffix == source.text[evidence.end : evidence.end + 32]


def _edit_text(source, text: str, by, note: str = "The publisher revised the document."):
    return services.source_edit(source=source, by=by, fields={"text": text}, note=note)


def test_editing_a_source_moves_evidence_that_still_matches(make_claim, make_source, make_evidence, staff):
    source = make_source()
    evidence = make_evidence(make_claim(), source=source, quote="General Security of Information Agreement")
    source = _edit_text(source, "Added first line.\n" + source.text, staff.editor)
    evidence.refresh_from_db()
    assert not evidence.anchor_broken
    assert source.text[evidence.start : evidence.end] == "General Security of Information Agreement"


def test_editing_a_source_flags_evidence_that_no_longer_matches_and_returns_its_claim_to_review(
    make_claim, make_source, staff
):
    source = make_source()
    claim = make_claim(
        state=State.PUBLISHED,
        verdict=Verdict.ACCURATE,
        rationale="Confirmed by the readout.",
        evidence=[services.EvidenceAdd(source=source, quote="General Security of Information Agreement",
                                       stance=Stance.SUPPORTS)],
    )  # fmt: skip
    evidence = claim.evidence.get()
    _edit_text(source, source.text.replace("General Security of Information Agreement", "information agreement"),
               staff.editor)  # fmt: skip
    evidence.refresh_from_db()
    claim.refresh_from_db()
    assert evidence.anchor_broken
    assert claim.state == State.IN_REVIEW
    assert claim.history.first().history_change_reason.startswith("Returned to review")


def test_a_flagged_quote_can_be_mended_by_editing_it(make_claim, make_source, make_evidence, staff):
    source = make_source()
    claim = make_claim()
    evidence = make_evidence(claim, source=source, quote="General Security of Information Agreement")
    source = _edit_text(
        source, source.text.replace("General Security of Information Agreement", "Information Agreement"), staff.editor
    )
    evidence = Evidence.objects.get(pk=evidence.pk)
    assert evidence.anchor_broken
    services.claim_edit(
        claim=claim,
        by=claim.drafted_by,
        change=[services.EvidenceChange(evidence_id=evidence.pk, quote="Information Agreement")],
    )
    evidence.refresh_from_db()
    assert not evidence.anchor_broken
    assert source.text[evidence.start : evidence.end] == "Information Agreement"


def test_a_claim_quote_must_occur_in_its_own_source(make_source, staff):
    with pytest.raises(ValidationError):
        services.claim_create_draft(
            by=staff.reporter, slug="x", statement="s", claimant="c", source=make_source(), quote="nowhere to be found"
        )
    assert not Claim.objects.exists()


def test_a_failure_while_reanchoring_leaves_the_source_text_as_it_was(
    make_claim, make_source, make_evidence, staff, monkeypatch
):
    from tracker.desk.services import sources

    source = make_source()
    make_evidence(make_claim(), source=source, quote="General Security of Information Agreement")
    original = source.text

    def fail(source, *, by, note=""):
        raise RuntimeError("re-anchoring failed")

    monkeypatch.setattr(sources, "reanchor_quotes", fail)
    with pytest.raises(RuntimeError):
        _edit_text(source, "A completely different text.", staff.editor)
    source.refresh_from_db()
    assert source.text == original
