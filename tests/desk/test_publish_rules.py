"""Publishing a verdict: it rests on evidence (rule 3) and is never the drafter's (rule 4)."""

import pytest

from tracker.desk import services
from tracker.desk.choices import Stance, State, Verdict
from tracker.desk.models import Claim


@pytest.fixture
def in_review(make_claim, make_staff):
    def make(drafted_by=None) -> Claim:
        reporter = drafted_by or make_staff("Reporter")
        claim = make_claim(drafted_by=reporter)
        return services.claim_submit(claim=claim, by=reporter)

    return make


def _publish(claim, by, verdict=Verdict.ACCURATE, rationale="Confirmed by the readout."):
    return services.claim_publish(claim=claim, by=by, verdict=verdict, rationale=rationale)


def test_a_verifier_who_attached_evidence_never_publishes_the_verdict(in_review, make_evidence, make_staff):
    # Maker-checker counts every contributor, not only the drafter: the evidence is content.
    verifier = make_staff("Verifier")
    claim = in_review()
    make_evidence(claim, stance=Stance.SUPPORTS, by=verifier)
    with pytest.raises(services.WorkflowError, match="maker-checker"):
        _publish(claim, verifier)
    assert Claim.objects.get(pk=claim.pk).state == State.IN_REVIEW
    assert _publish(claim, make_staff("Verifier")).state == State.PUBLISHED


def test_a_verifier_who_reworded_the_claim_never_publishes_it(in_review, make_evidence, make_staff):
    verifier = make_staff("Verifier")
    claim = in_review()
    make_evidence(claim)
    services.claim_edit(claim=claim, by=verifier, fields={"statement": "A sharper statement."})
    with pytest.raises(services.WorkflowError, match="wrote some of its content"):
        _publish(claim, verifier)
    assert Claim.objects.get(pk=claim.pk).state == State.IN_REVIEW


def test_a_verifier_who_only_changed_what_it_is_about_may_publish(in_review, make_evidence, make_staff, make_topic):
    verifier = make_staff("Verifier")
    claim = in_review()
    make_evidence(claim)
    services.claim_edit(claim=claim, by=verifier, links={"topics": [make_topic()]})
    assert _publish(claim, verifier).state == State.PUBLISHED


def test_an_editor_who_drafted_a_claim_cannot_publish_it_either(in_review, make_evidence, make_staff):
    editor = make_staff("Editor")
    claim = in_review(drafted_by=editor)
    make_evidence(claim)
    with pytest.raises(services.WorkflowError, match="You drafted this claim"):
        _publish(claim, editor)


def test_a_verdict_needs_at_least_one_quote(in_review, make_staff):
    claim = in_review()
    with pytest.raises(services.WorkflowError, match="needs at least one evidence quote"):
        _publish(claim, make_staff("Verifier"), verdict=Verdict.MISLEADING)
    assert Claim.objects.get(pk=claim.pk).state == State.IN_REVIEW


def test_accurate_needs_supporting_evidence(in_review, make_evidence, make_staff):
    claim = in_review()
    make_evidence(claim, stance=Stance.CONTEXT)
    with pytest.raises(services.WorkflowError, match="supports the claim"):
        _publish(claim, make_staff("Verifier"), verdict=Verdict.ACCURATE)


def test_inaccurate_needs_contradicting_evidence(in_review, make_evidence, make_staff):
    claim = in_review()
    make_evidence(claim, stance=Stance.SUPPORTS)
    with pytest.raises(services.WorkflowError, match="contradicts the claim"):
        _publish(claim, make_staff("Verifier"), verdict=Verdict.INACCURATE)
    make_evidence(claim, stance=Stance.CONTRADICTS, quote="General Security of Information Agreement")
    assert _publish(claim, make_staff("Verifier"), verdict=Verdict.INACCURATE).verdict == Verdict.INACCURATE


def test_a_verdict_is_not_published_without_a_rationale_or_as_not_rated(in_review, make_evidence, make_staff):
    claim = in_review()
    make_evidence(claim)
    verifier = make_staff("Verifier")
    with pytest.raises(services.WorkflowError, match="rationale"):
        _publish(claim, verifier, rationale="   ")
    with pytest.raises(services.WorkflowError, match="Choose a verdict"):
        _publish(claim, verifier, verdict=Verdict.NOT_RATED)
    with pytest.raises(services.WorkflowError, match="Choose a verdict"):
        _publish(claim, verifier, verdict="probably-true")


def test_flagged_evidence_blocks_publication(in_review, make_evidence, make_staff):
    claim = in_review()
    evidence = make_evidence(claim)
    source = evidence.source
    services.source_edit(
        source=source, by=make_staff("Editor"), fields={"text": source.text.replace("Security and Defence", "")},
        note="The ministry shortened the page.",
    )  # fmt: skip
    evidence.refresh_from_db()
    assert evidence.anchor_broken
    with pytest.raises(services.WorkflowError, match="no longer occur in their source"):
        _publish(claim, make_staff("Verifier"))


def test_a_claim_whose_quote_breaks_returns_to_review_through_the_workflow(in_review, make_evidence, make_staff):
    claim = in_review()
    evidence = make_evidence(claim)
    claim = _publish(claim, make_staff("Verifier"))
    services.source_edit(
        source=evidence.source,
        by=make_staff("Editor"),
        fields={"text": "An entirely rewritten text with nothing of the old passage."},
        note="The ministry replaced the page.",
    )
    claim.refresh_from_db()
    assert claim.state == State.IN_REVIEW
    assert claim.events.first().action == "returned"
    assert "was corrected" in claim.history.first().history_change_reason
