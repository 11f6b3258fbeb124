"""A published verdict changes only with a correction note that becomes public (rule 5)."""

import pytest

from tracker.desk import services
from tracker.desk.choices import CorrectionKind, Stance, State, Verdict
from tracker.desk.models import Claim, Correction


@pytest.fixture
def published(make_claim, make_evidence, make_staff):
    reporter = make_staff("Reporter")
    claim = make_claim(drafted_by=reporter)
    make_evidence(claim, stance=Stance.SUPPORTS)
    make_evidence(claim, stance=Stance.CONTRADICTS, quote="General Security of Information Agreement")
    claim = services.claim_submit(claim=claim, by=reporter)
    return services.claim_publish(
        claim=claim, by=make_staff("Verifier"), verdict=Verdict.ACCURATE, rationale="The readout says so."
    )


def test_a_correction_changes_the_verdict_and_publishes_the_note(published, make_staff):
    editor = make_staff("Editor")
    claim = services.claim_correct(
        claim=published,
        by=editor,
        note="A later report contradicts the date.",
        verdict=Verdict.MISLEADING,
        rationale="The date is wrong.",
    )
    assert (claim.state, claim.verdict, claim.reviewed_by) == (State.PUBLISHED, Verdict.MISLEADING, editor)
    correction = Correction.objects.published().get()
    assert (correction.kind, correction.claim, correction.note) == (
        CorrectionKind.CORRECTION,
        claim,
        "A later report contradicts the date.",
    )
    assert claim.history.first().history_change_reason.startswith("Corrected (was Accurate)")


def test_a_correction_without_a_note_changes_nothing(published, make_staff):
    with pytest.raises(services.WorkflowError, match="needs a note"):
        services.claim_correct(
            claim=published, by=make_staff("Editor"), note=" ", verdict=Verdict.MISLEADING, rationale="x"
        )
    assert Claim.objects.get(pk=published.pk).verdict == Verdict.ACCURATE
    assert not Correction.objects.exists()


def test_a_correction_must_change_something(published, make_staff):
    with pytest.raises(services.WorkflowError, match="Nothing to correct"):
        services.claim_correct(
            claim=published,
            by=make_staff("Editor"),
            note="No change.",
            verdict=Verdict.ACCURATE,
            rationale="The readout says so.",
        )


def test_a_corrected_verdict_still_rests_on_evidence(published, make_staff):
    published.evidence.filter(stance=Stance.CONTRADICTS).delete()
    with pytest.raises(services.WorkflowError, match="contradicts the claim"):
        services.claim_correct(
            claim=published, by=make_staff("Editor"), note="Wrong.", verdict=Verdict.INACCURATE, rationale="No."
        )


def test_a_retraction_needs_a_note_that_becomes_a_public_retraction(published, make_staff):
    editor = make_staff("Editor")
    with pytest.raises(services.WorkflowError, match="needs a note"):
        services.claim_retract(claim=published, by=editor, note="")
    claim = services.claim_retract(claim=published, by=editor, note="The source was fabricated.")
    assert claim.state == State.RETRACTED
    assert claim not in Claim.objects.published()
    assert claim in Claim.objects.public_or_retracted()
    retraction = Correction.objects.published().get()
    assert (retraction.kind, retraction.note) == (CorrectionKind.RETRACTION, "The source was fabricated.")


def test_a_retracted_claim_cannot_be_corrected_or_retracted_again(published, make_staff):
    editor = make_staff("Editor")
    services.claim_retract(claim=published, by=editor, note="Withdrawn.")
    with pytest.raises(services.WorkflowError, match="retracted"):
        services.claim_retract(claim=published, by=editor, note="Again.")
    with pytest.raises(services.WorkflowError, match="retracted"):
        services.claim_correct(claim=published, by=editor, note="n", verdict=Verdict.MISLEADING, rationale="r")
