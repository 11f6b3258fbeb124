"""Every editorial record keeps its change history: who changed what, when."""

from tracker.desk import services
from tracker.desk.choices import State, Verdict


def test_a_change_to_a_claim_is_recorded_with_who_made_it(make_claim, make_staff):
    claim = make_claim(state=State.PUBLISHED, verdict=Verdict.ACCURATE)
    editor = make_staff("Editor")
    services.claim_correct(
        claim=claim, by=editor, note="A later report adds context.", verdict=Verdict.MISLEADING, rationale="Context."
    )
    latest, before = claim.history.all()[:2]
    assert latest.history_user == editor
    delta = latest.diff_against(before)
    assert "verdict" in [change.field for change in delta.changes]
    assert before.verdict == Verdict.ACCURATE and latest.verdict == Verdict.MISLEADING
    assert claim.history.earliest().history_change_reason == "Drafted"


def test_a_source_text_edit_is_in_its_history(make_source, staff):
    source = make_source(state=State.DRAFT)
    services.source_edit(source=source, by=staff.reporter, fields={"text": source.text + " Amended."})
    assert source.history.count() == 2
    assert source.history.first().text.endswith("Amended.")
    assert source.history.first().history_user == staff.reporter


def test_evidence_history_is_kept(make_claim, make_evidence):
    claim = make_claim()
    evidence = make_evidence(claim)
    services.claim_edit(
        claim=claim,
        by=claim.drafted_by,
        change=[services.EvidenceChange(evidence_id=evidence.pk, note="Why this passage matters.")],
    )
    assert evidence.history.count() == 2
    assert evidence.history.first().note == "Why this passage matters."
