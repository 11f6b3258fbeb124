"""Sources, agreements, meetings and people are published and retracted through the services."""

import datetime as dt

import pytest

from tracker.desk.choices import CorrectionKind, State
from tracker.desk.models import Agreement, Correction, Meeting, Person


@pytest.fixture
def agreement(db):
    return Agreement.objects.create(slug="sdcp", title="Security partnership", kind="security_defence")


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


def test_the_publish_action_publishes_drafts_and_reports_the_rest(login, make_staff):
    draft = Meeting.objects.create(slug="a", title="A", start_date=dt.date(2025, 10, 29), format="call")
    done = Meeting.objects.create(
        slug="b", title="B", start_date=dt.date(2025, 10, 29), format="call", state="retracted"
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


def test_a_person_is_published_but_never_retracted(login, make_staff):
    person = Person.objects.create(slug="lee", name="Lee Jae Myung", state=State.PUBLISHED)
    assert login(make_staff("Editor")).get(f"/admin/desk/person/{person.pk}/workflow/retract/").status_code == 404
