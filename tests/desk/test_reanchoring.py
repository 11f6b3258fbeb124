"""Quotes that survive edits of their source: exact, tolerant, then approximate
re-anchoring, its stored score, its threshold, and the orphaned-quotes workflow."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.desk import services
from tracker.desk.anchoring import APPROXIMATE_THRESHOLD, anchor_quote, reanchor_quote
from tracker.desk.choices import AnchorMethod, Stance, State, Verdict
from tracker.desk.models import Claim, Evidence, Source

READOUT = (
    "Prime Minister Mark Carney met President Xi Jinping in Gyeongju. The two leaders agreed to reset "
    "bilateral ties and to resume regular dialogue between their ministers. They also discussed canola "
    "tariffs and electric vehicles."
)
QUOTE = "agreed to reset bilateral ties"


def _again(new_text: str, old_text: str = READOUT, quote: str = QUOTE, **kwargs):
    old = anchor_quote(old_text, quote)
    return reanchor_quote(new_text, exact=old.exact, prefix=old.prefix, suffix=old.suffix, start=old.start, **kwargs)


def test_a_moved_passage_is_found_exactly():
    moved = "They also discussed canola tariffs. " + READOUT.replace("They also discussed canola tariffs", "Later")
    found = _again("A new first paragraph.\n\n" + moved)
    assert found.method == AnchorMethod.EXACT and found.score == 1.0
    assert found.anchor.exact == QUOTE


def test_a_slightly_reworded_passage_is_found_approximately_with_its_score():
    found = _again(READOUT.replace("agreed to reset", "agreed to restore"))
    assert found.method == AnchorMethod.APPROXIMATE
    assert APPROXIMATE_THRESHOLD <= found.score < 1.0
    assert found.anchor.exact == "agreed to restore bilateral ties"


def test_a_deleted_passage_is_orphaned():
    found = _again(READOUT.replace("The two leaders agreed to reset bilateral ties and ", "They agreed "))
    assert found.orphaned
    assert found.score < APPROXIMATE_THRESHOLD


def test_the_threshold_decides_between_re_pointing_and_orphaning():
    reworded = READOUT.replace(QUOTE, "agreed to reset their bilateral relationship")
    score = _again(reworded).score
    assert _again(reworded, threshold=score).method == AnchorMethod.APPROXIMATE
    below = _again(reworded, threshold=score + 0.01)
    assert below.orphaned
    # An orphan keeps the best candidate, only as a suggestion.
    assert below.anchor.exact == "agreed to reset their bilateral relationship"


def test_a_text_with_nothing_like_the_quote_orphans_it():
    assert _again("The weather in Ottawa was mild all week.").orphaned


words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)
quotes = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40).map(
    str.strip
)


@settings(max_examples=60, deadline=None)
@given(before=words, after=words, new_before=words, new_after=words, quote=quotes.filter(bool))
def test_an_exact_quote_anywhere_in_an_edited_text_is_always_found_exactly(before, after, new_before, new_after, quote):
    old_text = before + quote + after
    old = anchor_quote(old_text, quote)
    new_text = new_before + quote + new_after
    found = reanchor_quote(new_text, exact=old.exact, prefix=old.prefix, suffix=old.suffix, start=old.start)
    assert found.method == AnchorMethod.EXACT
    assert new_text[found.anchor.start : found.anchor.end] == old.exact


# The workflow: stored scores, the integrity rule, the orphaned-quotes queue ------------------


def _published_claim_quoting(make_source, make_claim, source_text=READOUT, quote=QUOTE):
    source = make_source(source_text)
    claim = make_claim(
        state=State.PUBLISHED,
        verdict=Verdict.ACCURATE,
        rationale="The readout says so.",
        evidence=[services.EvidenceAdd(source=source, quote=quote, stance=Stance.SUPPORTS)],
    )
    return source, claim, claim.evidence.get()


def _edit(source, text, by):
    return services.source_edit(source=source, by=by, fields={"text": text}, note="The publisher revised it.")


def test_an_approximate_re_anchoring_stores_its_score_and_sends_the_published_claim_back(
    make_source, make_claim, staff
):
    source, claim, evidence = _published_claim_quoting(make_source, make_claim)
    _edit(source, source.text.replace("agreed to reset", "agreed to restore"), staff.editor)
    evidence.refresh_from_db()
    claim.refresh_from_db()
    assert evidence.anchor_method == AnchorMethod.APPROXIMATE
    assert APPROXIMATE_THRESHOLD <= evidence.anchor_score < 1
    assert evidence.quote == "agreed to restore bilateral ties" and not evidence.anchor_broken
    assert claim.state == State.IN_REVIEW
    # A correction of the source, not authorship of the claim: someone else confirms the passage.
    assert staff.editor not in claim.contributors.all() and evidence.anchor_moved_by == staff.editor


def test_an_exact_re_anchoring_keeps_the_claim_published(make_source, make_claim, staff):
    source, claim, evidence = _published_claim_quoting(make_source, make_claim)
    _edit(source, "A new first line.\n" + source.text, staff.editor)
    evidence.refresh_from_db()
    claim.refresh_from_db()
    assert (evidence.anchor_method, evidence.anchor_score) == (AnchorMethod.EXACT, 1.0)
    assert claim.state == State.PUBLISHED


def test_an_orphaned_quote_is_not_re_pointed_and_waits_with_a_suggestion(make_source, make_claim, staff):
    source, claim, evidence = _published_claim_quoting(make_source, make_claim)
    old = (evidence.start, evidence.end, evidence.quote)
    new_text = source.text.replace(QUOTE, "agreed, after a long and difficult year, to look again at ties")
    _edit(source, new_text, staff.editor)
    evidence.refresh_from_db()
    claim.refresh_from_db()
    assert evidence.anchor_broken and evidence.anchor_method == AnchorMethod.ORPHANED
    assert evidence.anchor_score < APPROXIMATE_THRESHOLD
    assert (evidence.start, evidence.end, evidence.quote) == old
    assert claim.state == State.IN_REVIEW
    # Nothing orphaned can be published.
    with pytest.raises(ValidationError):
        services.claim_publish(claim=claim, by=staff.editor, verdict=Verdict.ACCURATE, rationale="Still true.")


def test_a_person_confirms_the_new_passage_of_an_orphaned_quote(make_source, make_claim, staff, make_staff):
    source, claim, evidence = _published_claim_quoting(make_source, make_claim)
    _edit(source, source.text.replace(QUOTE, "agreed to look again at ties"), staff.editor)
    evidence.refresh_from_db()
    services.quote_confirm(
        claim=claim, by=staff.verifier, evidence_id=evidence.pk, quote="agreed to look again at ties",
        reason="The revised readout rewords the same sentence.",
    )  # fmt: skip
    evidence.refresh_from_db()
    claim.refresh_from_db()
    assert not evidence.anchor_broken and evidence.anchor_method == AnchorMethod.PLACED
    assert Source.objects.get(pk=source.pk).text[evidence.start : evidence.end] == "agreed to look again at ties"
    # Whoever chose the words does not publish the verdict (maker-checker); another verifier may.
    assert services.publish_refusal(claim, staff.verifier)
    other = make_staff("Verifier")
    # Readers saw it before: republishing says what changed since.
    note = services.republication_note(claim, verdict=Verdict.ACCURATE, rationale="The revised readout says so.")
    assert "agreed to look again at ties" in note
    services.claim_publish(claim=claim, by=other, verdict=Verdict.ACCURATE, rationale="The revised readout says so.",
                           note=note)  # fmt: skip
    assert Claim.objects.get(pk=claim.pk).state == State.PUBLISHED


def test_a_person_detaches_an_orphaned_quote(make_source, make_claim, staff):
    source, claim, evidence = _published_claim_quoting(make_source, make_claim)
    _edit(source, source.text.replace(QUOTE, "said nothing about it"), staff.editor)
    services.evidence_detach(claim=claim, by=staff.verifier, evidence_id=evidence.pk, note="The passage is gone.")
    assert not Evidence.objects.filter(pk=evidence.pk).exists()


def test_a_reporter_cannot_confirm_a_quote_of_a_claim_in_review(make_source, make_claim, staff):
    source, claim, evidence = _published_claim_quoting(make_source, make_claim)
    _edit(source, source.text.replace(QUOTE, "agreed to look again at ties"), staff.editor)
    with pytest.raises(services.NotAllowed):
        services.quote_confirm(claim=claim, by=staff.reporter, evidence_id=evidence.pk)


def test_confirming_an_anchored_quote_is_refused(make_source, make_claim, staff):
    _source, claim, evidence = _published_claim_quoting(make_source, make_claim)
    services.claim_withdraw(claim=claim, by=staff.editor, reason="Re-check")
    with pytest.raises(ValidationError, match="nothing to confirm"):
        services.quote_confirm(claim=claim, by=staff.verifier, evidence_id=evidence.pk)
