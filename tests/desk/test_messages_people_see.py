"""No constraint name, field code or machine state reaches a person: every refusal is a
message saying what to do, and a refused form keeps what was typed or uploaded."""

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import BaseConstraint

from tracker.desk.models import Source

ADD = "/admin/desk/source/add/"
OUR_APPS = ("desk", "events", "public", "delivery", "newsroom")


def _constraints():
    for model in apps.get_models():
        if model._meta.app_label in OUR_APPS:
            for constraint in model._meta.constraints:
                yield model, constraint


@pytest.mark.parametrize(("model", "constraint"), list(_constraints()), ids=lambda v: getattr(v, "name", ""))
def test_every_constraint_refuses_in_words_a_person_understands(model, constraint):
    message = str(constraint.violation_error_message)
    assert message != str(BaseConstraint.default_violation_error_message), f"{model.__name__}.{constraint.name}"
    assert constraint.name not in message and "_" not in message
    assert message[0].isupper() and message.endswith(".")


def _form(**fields) -> dict:
    data = {
        "title": "Readout",
        "publisher": "Prime Minister of Canada",
        "kind": "official",
        "reliability": "primary",
        "published_precision": "unknown",
        "language": "en",
        "text": "",
    }
    data.update(fields)
    return data


@pytest.fixture
def reporter_client(login, make_staff):
    return login(make_staff("Reporter"))


def test_a_precision_without_a_date_is_a_message_on_the_date_and_the_upload_survives(reporter_client):
    upload = SimpleUploadedFile("readout.txt", b"The leaders met in Gyeongju.\n\nThey announced a partnership.")
    response = reporter_client.post(ADD, _form(published_precision="month", upload=upload))
    assert response.status_code == 200 and not Source.objects.exists()
    page = response.content.decode()
    assert "source_date_matches_precision" not in page and "is violated" not in page
    assert "Give the date this document was published" in page
    # The browser will not send the file again: its text is in the text box now.
    assert "The leaders met in Gyeongju." in page
    kept = response.context["adminform"].form["text"].value()
    retry = _form(published_precision="month", published_on="2025-10-01", text=kept)
    assert reporter_client.post(ADD, retry).status_code == 302
    assert Source.objects.get().published_precision == "month"


def test_a_date_with_an_unknown_precision_is_taken_as_a_day(reporter_client):
    response = reporter_client.post(ADD, _form(published_on="2025-10-29", text="A dated readout."))
    assert response.status_code == 302
    assert Source.objects.get().published_precision == "day"


def test_a_reporter_who_tries_to_publish_gets_a_desk_page_naming_who_can(login, make_staff, make_claim):
    make_staff("Verifier", first_name="Vera", last_name="Checker")
    claim = make_claim(state="in_review")
    reporter = login(make_staff("Reporter"))
    response = reporter.get(f"/admin/desk/claim/{claim.pk}/workflow/publish/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "<html" in page and "Not allowed" in page and "Back to your desk" in page
    assert "Vera Checker can" in page
