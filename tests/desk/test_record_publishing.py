"""Sources, agreements, meetings and people are published and retracted through the services."""

import pytest

from tracker.desk import services
from tracker.desk.choices import CorrectionKind, Stance, State, Verdict
from tracker.desk.models import Agreement, ClaimEvent, Correction, Meeting, Source


@pytest.fixture
def agreement(make_agreement):
    return make_agreement(slug="sdcp", title="Security partnership", kind="security_defence", state=State.DRAFT)


def test_an_editor_publishes_then_retracts_an_agreement_with_a_public_note(login, agreement, make_staff):
    client = login(make_staff("Editor"))
    page = client.get(f"/admin/desk/agreement/{agreement.pk}/change/").content.decode()
    assert f"/admin/desk/agreement/{agreement.pk}/workflow/publish/" in page
    client.post(f"/admin/desk/agreement/{agreement.pk}/workflow/publish/")
    assert Agreement.objects.get(pk=agreement.pk).state == State.PUBLISHED

    response = client.post(f"/admin/desk/agreement/{agreement.pk}/workflow/retract/", {"note": ""})
    assert response.status_code == 200 and Agreement.objects.get(pk=agreement.pk).state == State.PUBLISHED
    client.post(f"/admin/desk/agreement/{agreement.pk}/workflow/retract/", {"note": "It was never agreed."})
    assert Agreement.objects.get(pk=agreement.pk).state == State.RETRACTED
    retraction = Correction.objects.get(agreement=agreement)
    assert (retraction.kind, retraction.note) == (CorrectionKind.RETRACTION, "It was never agreed.")


def test_the_publish_action_publishes_drafts_and_reports_the_rest(login, make_staff, make_meeting, staff):
    draft = make_meeting(slug="a", title="A", format="call", state=State.DRAFT)
    done = services.record_retract(
        record=make_meeting(slug="b", title="B", format="call"), by=staff.editor, note="It never took place."
    )
    response = login(make_staff("Editor")).post(
        "/admin/desk/meeting/", {"action": "publish_selected", "_selected_action": [draft.pk, done.pk]}, follow=True
    )
    assert Meeting.objects.get(pk=draft.pk).state == State.PUBLISHED
    assert Meeting.objects.get(pk=done.pk).state == State.RETRACTED
    assert "only a draft can be published" in response.content.decode()


def test_a_reporter_cannot_publish_a_source(login, make_source, make_staff):
    source = make_source(state=State.DRAFT)
    client = login(make_staff("Reporter"))
    assert client.post(f"/admin/desk/source/{source.pk}/workflow/publish/").status_code == 403
    assert "workflow/publish" not in client.get(f"/admin/desk/source/{source.pk}/change/").content.decode()


def test_a_person_is_published_but_never_retracted(login, make_staff, make_person):
    person = make_person(slug="lee", name="Lee Jae Myung")
    assert login(make_staff("Editor")).get(f"/admin/desk/person/{person.pk}/workflow/retract/").status_code == 404
    with pytest.raises(services.WorkflowError, match="cannot be retracted"):
        services.record_retract(record=person, by=make_staff("Editor"), note="Not a public figure.")


def test_only_an_editor_retracts_a_source(login, make_source, make_staff):
    source = make_source()
    verifier = make_staff("Verifier")
    with pytest.raises(services.NotAllowed):
        services.record_retract(record=source, by=verifier, note="A forgery.")
    client = login(verifier)
    assert "workflow/retract" not in client.get(f"/admin/desk/source/{source.pk}/change/").content.decode()
    assert client.post(f"/admin/desk/source/{source.pk}/workflow/retract/", {"note": "A forgery."}).status_code == 403
    assert Source.objects.get(pk=source.pk).state == State.PUBLISHED
    services.record_retract(record=source, by=make_staff("Editor"), note="A forgery.")
    assert Source.objects.get(pk=source.pk).state == State.RETRACTED


def test_retracting_a_source_corrects_or_returns_the_claims_resting_on_it(make_claim, make_source, make_staff):
    forged, other = make_source(), make_source()

    def quoting(*sources, source=None):
        evidence = [
            services.EvidenceAdd(source=s, quote="Security and Defence", stance=Stance.SUPPORTS) for s in sources
        ]
        return make_claim(source=source, state=State.PUBLISHED, verdict=Verdict.ACCURATE, evidence=evidence)

    still_supported = quoting(forged, other)
    resting_on_it = quoting(forged)
    appearing_in_it = quoting(other, source=forged)
    services.record_retract(record=forged, by=make_staff("Editor"), note="The document was forged.")

    still_supported.refresh_from_db()
    assert still_supported.state == State.PUBLISHED
    assert "was retracted (The document was forged.)" in still_supported.corrections.get().note
    for claim in (resting_on_it, appearing_in_it):
        claim.refresh_from_db()
        assert claim.state == State.IN_REVIEW
        assert claim.events.first().action == ClaimEvent.Action.RETURNED


def test_a_published_sources_text_changes_only_with_a_public_note_by_an_editor(make_source, make_staff):
    source = make_source()
    new_text = source.text + "\nA paragraph the publisher added."
    with pytest.raises(services.NotAllowed, match="only an editor"):
        services.source_edit(source=source, by=make_staff("Verifier"), fields={"text": new_text}, note="Added.")
    editor = make_staff("Editor")
    with pytest.raises(services.WorkflowError, match="correction note"):
        services.source_edit(source=source, by=editor, fields={"text": new_text})
    assert Source.objects.get(pk=source.pk).text == source.text
    services.source_edit(source=source, by=editor, fields={"text": new_text}, note="The publisher added a paragraph.")
    correction = Correction.objects.published().get(source=source)
    assert (correction.kind, correction.note) == (CorrectionKind.CORRECTION, "The publisher added a paragraph.")
