"""Agreements, meetings, parties and sources edited in the admin: the form and its inline
rows become one service call, and a refusal is shown on the form with nothing saved."""

import datetime as dt

import pytest

from tracker.desk.choices import AgreementStatus, CorrectionKind, State
from tracker.desk.models import Agreement, Correction, Meeting, Party, Source


@pytest.fixture
def editor_client(login, staff):
    return login(staff.editor)


def _steps(*rows, initial: int = 0) -> dict:
    data = {"status_history-TOTAL_FORMS": len(rows), "status_history-INITIAL_FORMS": initial}
    for i, row in enumerate(rows):
        data |= {f"status_history-{i}-{name}": value for name, value in row.items()}
    return data


def test_an_agreement_added_with_its_first_step_is_a_draft_with_a_derived_status(
    editor_client, make_party, make_source, staff
):
    canada, korea, source = make_party("CA", name="Canada"), make_party("KR", name="Korea"), make_source()
    step = {"date": "2025-10-29", "date_precision": "day", "status": AgreementStatus.ANNOUNCED, "source": source.pk}
    response = editor_client.post(
        "/admin/desk/agreement/add/",
        {
            "title": "Security partnership",
            "slug": "security-partnership",  # the admin's script fills it from the title
            "kind": "security_defence",
            "parties": [canada.pk, korea.pk],
            "summary": "",
            **_steps(step),
        },  # fmt: skip
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    agreement = Agreement.objects.get()
    assert (agreement.slug, agreement.state, agreement.current_status) == (
        "security-partnership", State.DRAFT, AgreementStatus.ANNOUNCED,
    )  # fmt: skip
    assert set(agreement.parties.all()) == {canada, korea}
    assert agreement.history.first().history_user == staff.editor


def test_the_inline_steps_change_and_the_current_status_follows(editor_client, make_agreement, add_status, make_party):
    agreement = make_agreement(parties=[make_party("KR", name="Korea")], slug="gsoia")
    old = add_status(agreement, status=AgreementStatus.ANNOUNCED, date=dt.date(2025, 10, 1))
    agreement.refresh_from_db()
    form = {"title": agreement.title, "slug": agreement.slug, "kind": agreement.kind, "summary": "",
            "parties": [p.pk for p in agreement.parties.all()], "seen_version": agreement.version,
            "public_note": ""}  # fmt: skip
    removed = {"id": old.pk, "agreement": agreement.pk, "date": "2025-10-01", "date_precision": "day",
            "status": AgreementStatus.ANNOUNCED, "source": old.source_id, "DELETE": "on"}  # fmt: skip
    new = {"date": "2025-11-20", "date_precision": "day", "status": AgreementStatus.SIGNED, "source": old.source_id}
    response = editor_client.post(
        f"/admin/desk/agreement/{agreement.pk}/change/", {**form, **_steps(removed, new, initial=1)}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    agreement.refresh_from_db()
    assert list(agreement.status_history.values_list("status", flat=True)) == [AgreementStatus.SIGNED]
    assert (agreement.current_status, agreement.status_since) == (AgreementStatus.SIGNED, dt.date(2025, 11, 20))
    assert not Correction.objects.exists()  # no note: an edit, not a public correction


def test_a_public_note_on_a_published_agreement_is_published_as_a_correction(editor_client, make_agreement, make_party):
    korea = make_party("KR", name="Korea")
    agreement = make_agreement(parties=[korea], slug="gsoia", title="Information agreement")
    response = editor_client.post(
        f"/admin/desk/agreement/{agreement.pk}/change/",
        {
            "title": "General Security of Information Agreement",
            "slug": agreement.slug,
            "kind": agreement.kind,
            "parties": [korea.pk],
            "summary": "",
            "seen_version": agreement.version,
            "public_note": "We gave the agreement its full name.",
            **_steps(),
        },  # fmt: skip
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    correction = Correction.objects.published().get(agreement=agreement)
    assert (correction.kind, correction.note) == (CorrectionKind.CORRECTION, "We gave the agreement its full name.")


def test_a_participant_in_a_role_not_held_that_day_is_refused_on_the_form(
    editor_client, make_meeting, make_person, staff
):
    from tracker.desk import services

    person = make_person(slug="lee", name="Lee")
    services.record_edit(
        record=person, by=staff.editor,
        rows={"roles": services.Rows(add=[{"title": "President", "start_date": dt.date(2025, 6, 4)}])},
    )  # fmt: skip
    meeting = make_meeting(slug="summit", start_date=dt.date(2025, 1, 10))
    role = person.roles.get()
    response = editor_client.post(
        f"/admin/desk/meeting/{meeting.pk}/change/",
        {"title": meeting.title, "slug": meeting.slug, "start_date": "2025-01-10", "format": meeting.format,
         "seen_version": meeting.version, "public_note": "", "participants-TOTAL_FORMS": 1,
         "participants-INITIAL_FORMS": 0, "participants-0-person": person.pk, "participants-0-role": role.pk},
    )  # fmt: skip
    assert response.status_code == 200
    assert "did not hold “President” on 2025-01-10" in response.content.decode()
    assert not Meeting.objects.get(pk=meeting.pk).participants.exists()


def test_a_partys_code_is_set_once(editor_client):
    response = editor_client.post("/admin/desk/party/add/", {"code": "JP", "name": "Japan", "kind": "country"})
    assert response.status_code == 302, response.content.decode()[:3000]
    party = Party.objects.get()
    assert party.code == "JP"
    page = editor_client.get(f"/admin/desk/party/{party.pk}/change/").content.decode()
    assert 'name="code"' not in page


def _source_form(source: Source, **changes) -> dict:
    data = {"title": source.title, "publisher": source.publisher, "kind": source.kind,
            "reliability": source.reliability, "slug": source.slug, "published_precision": "unknown",
            "language": "en", "text": source.text, "seen_version": source.version, "correction_note": ""}  # fmt: skip
    data.update(changes)
    return data


def test_a_published_sources_text_is_corrected_in_the_admin_only_with_a_note(editor_client, make_source):
    source = make_source()
    new_text = source.text + "\nA paragraph the publisher added."
    response = editor_client.post(f"/admin/desk/source/{source.pk}/change/", _source_form(source, text=new_text))
    assert response.status_code == 200
    assert "correction note" in response.content.decode()
    assert Source.objects.get(pk=source.pk).text == source.text
    response = editor_client.post(
        f"/admin/desk/source/{source.pk}/change/",
        _source_form(source, text=new_text, correction_note="The publisher added a paragraph."),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Source.objects.get(pk=source.pk).text == new_text
    assert Correction.objects.published().get(source=source).note == "The publisher added a paragraph."
