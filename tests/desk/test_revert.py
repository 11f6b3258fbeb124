"""Reverting a draft to an earlier version goes through the edit services: the rules
and the history hold, and a published record is never reverted."""

import datetime as dt

import pytest

from tracker.desk import services
from tracker.desk.choices import AgreementStatus, Stance, State
from tracker.desk.models import Agreement, Claim, Source


def _first(record):
    return record.history.order_by("history_date", "history_id").first()


def test_a_draft_claim_goes_back_to_an_earlier_version_with_its_evidence_and_links(
    make_claim, make_source, make_party, staff
):
    korea = make_party("KR", name="Republic of Korea")
    claim = make_claim(statement="Canada and Korea signed a pact.", parties=[korea])
    kept_source = make_source(title="Kept")
    services.claim_edit(
        claim=claim, by=staff.reporter,
        add=[services.EvidenceAdd(source=kept_source, quote="Security and Defence", stance=Stance.SUPPORTS)],
    )  # fmt: skip
    good = Claim.objects.get(pk=claim.pk).history.first()
    evidence = claim.evidence.get()
    services.claim_edit(
        claim=Claim.objects.get(pk=claim.pk), by=staff.reporter,
        fields={"statement": "Canada and Korea discussed a pact."}, links={"parties": []},
        change=[services.EvidenceChange(evidence_id=evidence.pk, stance=Stance.CONTEXT, note="Only context.")],
        add=[services.EvidenceAdd(source=make_source(), quote="General Security", stance=Stance.SUPPORTS)],
    )  # fmt: skip

    reverted = services.record_revert(record=claim, by=staff.reporter, version_id=good.history_id)

    assert reverted.statement == "Canada and Korea signed a pact."
    assert list(reverted.parties.all()) == [korea]
    assert [(e.pk, e.stance, e.note) for e in reverted.evidence.all()] == [(evidence.pk, Stance.SUPPORTS, "")]
    latest = reverted.history.first()
    assert latest.history_user == staff.reporter
    assert "Reverted to version" in latest.history_change_reason
    assert reverted.events.first().comment.startswith("Reverted to version")


def test_a_removed_evidence_row_comes_back(make_claim, make_source, staff):
    claim = make_claim()
    source = make_source()
    services.claim_edit(
        claim=claim, by=staff.reporter,
        add=[services.EvidenceAdd(source=source, quote="Security and Defence", stance=Stance.SUPPORTS, note="Key.")],
    )  # fmt: skip
    with_it = Claim.objects.get(pk=claim.pk).history.first()
    services.claim_edit(claim=Claim.objects.get(pk=claim.pk), by=staff.reporter, remove=[claim.evidence.get().pk])

    reverted = services.record_revert(record=claim, by=staff.reporter, version_id=with_it.history_id)

    assert [(e.source_id, e.quote, e.note) for e in reverted.evidence.all()] == [
        (source.pk, "Security and Defence", "Key.")
    ]


def test_a_published_claim_is_never_reverted(make_claim, staff):
    claim = make_claim(state=State.PUBLISHED)
    with pytest.raises(services.NotAllowed, match="published"):
        services.record_revert(record=claim, by=staff.editor, version_id=_first(claim).history_id)
    assert Claim.objects.get(pk=claim.pk).version == claim.version


def test_a_revert_needs_the_right_to_edit_the_record(make_claim, make_staff):
    claim = make_claim()
    services.claim_edit(claim=claim, by=claim.drafted_by, fields={"statement": "Changed."})
    other_reporter = make_staff("Reporter")
    with pytest.raises(services.NotAllowed):
        services.record_revert(record=claim, by=other_reporter, version_id=_first(claim).history_id)
    assert Claim.objects.get(pk=claim.pk).statement == "Changed."


def test_a_stale_revert_is_refused(make_claim, staff):
    claim = make_claim()
    services.claim_edit(claim=claim, by=staff.reporter, fields={"statement": "Changed."})
    seen = Claim.objects.get(pk=claim.pk).version
    services.claim_edit(claim=Claim.objects.get(pk=claim.pk), by=staff.reporter, fields={"claimant": "Someone"})
    with pytest.raises(services.StaleEdit):
        services.record_revert(record=claim, by=staff.reporter, version_id=_first(claim).history_id, seen_version=seen)


def test_reverting_to_the_current_content_says_there_is_nothing_to_do(make_claim, staff):
    claim = make_claim()
    with pytest.raises(services.WorkflowError, match="nothing to revert"):
        services.record_revert(record=claim, by=staff.reporter, version_id=claim.history.first().history_id)


def test_a_version_of_another_record_is_refused(make_claim, staff):
    claim, other = make_claim(), make_claim()
    services.claim_edit(claim=claim, by=staff.reporter, fields={"statement": "Changed."})
    with pytest.raises(services.WorkflowError, match="not a version"):
        services.record_revert(record=claim, by=staff.reporter, version_id=other.history.first().history_id)


def test_a_draft_source_text_is_reverted_and_its_quotes_found_again(make_source, make_claim, staff):
    source = make_source(state=State.DRAFT)
    original = source.text
    services.source_edit(source=source, by=staff.reporter, fields={"text": "Preface. " + original})
    claim = make_claim(source=Source.objects.get(pk=source.pk))

    services.record_revert(record=source, by=staff.reporter, version_id=_first(source).history_id)

    assert Source.objects.get(pk=source.pk).text == original
    claim.refresh_from_db()
    assert original[claim.start : claim.end] == claim.quote


def test_a_draft_agreement_gets_its_parties_and_status_steps_back(
    make_agreement, make_party, make_source, add_status, staff
):
    korea, japan = make_party("KR"), make_party("JP")
    agreement = make_agreement([korea], state=State.DRAFT)
    step = add_status(agreement, status=AgreementStatus.ANNOUNCED, date=dt.date(2025, 10, 29))
    good = Agreement.objects.get(pk=agreement.pk).history.first()
    services.record_edit(
        record=Agreement.objects.get(pk=agreement.pk), by=staff.editor, links={"parties": [japan]},
        rows={"status_history": services.Rows(remove=[step.pk], add=[
            {"status": AgreementStatus.SIGNED, "date": dt.date(2025, 11, 1), "source": make_source()}])},
    )  # fmt: skip

    reverted = services.record_revert(record=agreement, by=staff.editor, version_id=good.history_id)

    assert list(reverted.parties.all()) == [korea]
    assert [(s.status, s.date) for s in reverted.status_history.all()] == [
        (AgreementStatus.ANNOUNCED, dt.date(2025, 10, 29))
    ]
    assert Agreement.objects.get(pk=agreement.pk).current_status == AgreementStatus.ANNOUNCED


def test_the_revert_page_shows_what_changes_then_reverts(make_claim, staff, login):
    claim = make_claim(statement="The first wording.")
    services.claim_edit(claim=claim, by=staff.reporter, fields={"statement": "The second wording."})
    first = _first(claim)
    client = login(staff.reporter)

    page = client.get(f"/admin/desk/claim/{claim.pk}/revert/{first.history_id}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "second</del>" in html and "first</ins>" in html and "Revert to this version" in html

    done = client.post(page.request["PATH_INFO"], {"seen_version": Claim.objects.get(pk=claim.pk).version})
    assert done.status_code == 302
    assert Claim.objects.get(pk=claim.pk).statement == "The first wording."


def test_the_revert_page_of_a_published_claim_offers_no_revert(make_claim, staff, login):
    claim = make_claim(state=State.PUBLISHED)
    client = login(staff.editor)
    url = f"/admin/desk/claim/{claim.pk}/revert/{_first(claim).history_id}/"
    html = client.get(url).content.decode()
    assert "only by a correction" in html and 'value="Revert to this version"' not in html
    assert client.post(url, {"seen_version": claim.version}).status_code == 200
    assert Claim.objects.get(pk=claim.pk).version == claim.version
