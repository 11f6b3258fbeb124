"""What may change on a published claim, and how (rule 5): a change readers see needs a
public correction note and must leave the verdict resting on published evidence; what
the claim is about changes freely; its address never changes."""

import pytest

from tracker.desk import services
from tracker.desk.choices import CorrectionKind, Stance, State, Verdict
from tracker.desk.models import Claim, ClaimEvent, Correction


@pytest.fixture
def published(make_claim):
    return make_claim(state=State.PUBLISHED, verdict=Verdict.ACCURATE, rationale="The readout says so.")


def test_a_reworded_statement_without_a_note_is_refused(published, staff):
    with pytest.raises(services.WorkflowError, match="write a correction note"):
        services.claim_edit(claim=published, by=staff.editor, fields={"statement": "A quieter statement."})
    claim = Claim.objects.get(pk=published.pk)
    assert (claim.statement, claim.version) == (published.statement, published.version)
    assert not Correction.objects.exists()


def test_a_reworded_statement_with_a_note_is_a_public_correction(published, staff):
    note = "We misquoted the outlet; the statement now matches its words."
    claim = services.claim_edit(
        claim=published, by=staff.editor, fields={"statement": "A quieter statement."}, note=note
    )
    assert (claim.state, claim.statement) == (State.PUBLISHED, "A quieter statement.")
    correction = Correction.objects.published().get()
    assert (correction.kind, correction.claim, correction.note, correction.created_by) == (
        CorrectionKind.CORRECTION, claim, note, staff.editor,
    )  # fmt: skip
    assert claim.events.first().action == ClaimEvent.Action.CORRECTED


def test_only_an_editor_changes_a_published_claim(published, make_staff):
    for role in ("Reporter", "Verifier"):
        with pytest.raises(services.NotAllowed, match="only an editor"):
            services.claim_edit(claim=published, by=make_staff(role), fields={"statement": "x"}, note="n")
    # ...and the reporter who drafted it is no exception.
    with pytest.raises(services.NotAllowed):
        services.claim_edit(claim=published, by=published.drafted_by, fields={"statement": "x"}, note="n")


def test_what_a_claim_is_about_changes_without_a_note(published, staff, make_topic):
    topic = make_topic()
    claim = services.claim_edit(claim=published, by=staff.editor, links={"topics": [topic]})
    assert list(claim.topics.all()) == [topic]
    assert not Correction.objects.exists()
    # Links are not content: the editor may still correct the verdict later.
    assert not services.publish_refusal(claim, staff.editor, doing="correct")


def test_removing_the_evidence_a_verdict_rests_on_is_refused_even_with_a_note(published, staff):
    only = published.evidence.get()
    with pytest.raises(services.WorkflowError, match="no longer rest on its evidence"):
        services.claim_edit(claim=published, by=staff.editor, remove=[only.pk], note="The quote was weak.")
    assert published.evidence.filter(pk=only.pk).exists()
    # Withdrawn to review first, it can be changed, and republished by someone else.
    claim = services.claim_withdraw(claim=published, by=staff.editor, reason="Find a better quote.")
    services.claim_edit(claim=claim, by=staff.editor, remove=[only.pk])
    assert not claim.evidence.exists()


def test_a_published_address_is_permanent(published, staff):
    with pytest.raises(services.WorkflowError, match="cannot change"):
        services.claim_edit(claim=published, by=staff.editor, fields={"slug": "a-new-address"}, note="Renamed.")
    assert Claim.objects.get(pk=published.pk).slug == published.slug


def test_a_published_claim_quotes_only_published_sources(published, make_source, staff):
    draft = make_source(state=State.DRAFT)
    with pytest.raises(services.WorkflowError, match="not published yet"):
        services.claim_edit(
            claim=published, by=staff.editor, fields={"source": draft, "quote": "announced the new"}, note="Moved."
        )
    with pytest.raises(services.WorkflowError, match="not published yet"):
        services.evidence_attach(
            claim=published, by=staff.editor, source=draft, quote="Security and Defence", stance=Stance.SUPPORTS,
            correction_note="Another source.",
        )  # fmt: skip
    assert Claim.objects.get(pk=published.pk).source_id == published.source_id


def test_evidence_from_the_claims_own_source_is_context_and_never_its_own_quote(make_claim):
    claim = make_claim(quote="announced the new")
    own, drafter = claim.source, claim.drafted_by
    with pytest.raises(services.WorkflowError, match="never its own evidence"):
        services.evidence_attach(claim=claim, by=drafter, source=own, quote="Lee Jae Myung announced the new",
                                 stance=Stance.CONTEXT)  # fmt: skip
    with pytest.raises(services.WorkflowError, match="cannot support or contradict"):
        services.evidence_attach(claim=claim, by=drafter, source=own, quote="Security and Defence",
                                 stance=Stance.SUPPORTS)  # fmt: skip
    evidence = services.evidence_attach(
        claim=claim, by=drafter, source=own, quote="Security and Defence", stance=Stance.CONTEXT
    )
    assert (evidence.source, evidence.stance) == (own, Stance.CONTEXT)


def test_own_source_context_does_not_carry_a_verdict(make_claim, make_staff):
    claim = make_claim()
    services.evidence_attach(
        claim=claim, by=claim.drafted_by, source=claim.source, quote="Security and Defence", stance=Stance.CONTEXT
    )
    claim = services.claim_submit(claim=claim, by=claim.drafted_by)
    with pytest.raises(services.WorkflowError, match="supports the claim"):
        services.claim_publish(claim=claim, by=make_staff("Verifier"), verdict=Verdict.ACCURATE, rationale="r")


def test_a_reporter_changes_only_their_own_drafts(make_claim, make_evidence, make_staff):
    claim = make_claim()
    other = make_staff("Reporter")
    with pytest.raises(services.NotAllowed, match="belongs to another reporter"):
        services.claim_edit(claim=claim, by=other, fields={"statement": "Mine now."})
    with pytest.raises(services.NotAllowed):
        make_evidence(claim, by=other)
    services.claim_edit(claim=claim, by=claim.drafted_by, fields={"statement": "Reworded by its reporter."})
    claim = services.claim_submit(claim=claim, by=claim.drafted_by)
    # Once submitted, it is the verifiers' until it is sent back.
    with pytest.raises(services.NotAllowed, match="in review"):
        services.claim_edit(claim=claim, by=claim.drafted_by, fields={"statement": "One more change."})
    with pytest.raises(services.NotAllowed):
        make_evidence(claim, by=claim.drafted_by)
