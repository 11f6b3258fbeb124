"""Every editorial record keeps its change history: who changed what, when."""

from tracker.desk.choices import Verdict


def test_a_change_to_a_claim_is_recorded_with_who_made_it(make_claim, make_user):
    claim = make_claim()
    editor = make_user("editor")
    claim.verdict = Verdict.MISLEADING
    claim._history_user = editor
    claim.save()
    latest, first = claim.history.all()[:2]
    assert latest.history_user == editor
    delta = latest.diff_against(first)
    assert "verdict" in [change.field for change in delta.changes]
    assert first.verdict == Verdict.NOT_RATED and latest.verdict == Verdict.MISLEADING


def test_a_source_text_edit_is_in_its_history(make_source):
    source = make_source()
    source.text = source.text + " Amended."
    source.save()
    assert source.history.count() == 2
    assert source.history.first().text.endswith("Amended.")


def test_evidence_history_is_kept(make_claim, make_evidence):
    evidence = make_evidence(make_claim())
    evidence.note = "Why this passage matters."
    evidence.save()
    assert evidence.history.count() == 2
