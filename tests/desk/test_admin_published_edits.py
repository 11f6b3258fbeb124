"""The admin changes a published claim only as the services allow: a change readers see
needs a correction note on the form; evidence changes on its claim, never on its own
page; corrections are read, never edited."""

import pytest

from tracker.desk.choices import Stance, State, Verdict
from tracker.desk.models import Claim, Correction, Evidence


@pytest.fixture
def published(make_claim):
    return make_claim(state=State.PUBLISHED, verdict=Verdict.ACCURATE, rationale="The readout says so.")


def _form(claim: Claim, **changes) -> dict:
    """The claim's change form as the editor's browser would post it, evidence rows included."""
    evidence = list(claim.evidence.order_by("start", "pk"))
    data = {
        "statement": claim.statement,
        "claimant": claim.claimant,
        "source": claim.source_id,
        "quote": claim.quote,
        "seen_version": claim.version,
        "correction_note": "",
        "evidence-TOTAL_FORMS": len(evidence),
        "evidence-INITIAL_FORMS": len(evidence),
    }
    for i, item in enumerate(evidence):
        data |= {
            f"evidence-{i}-id": item.pk,
            f"evidence-{i}-claim": claim.pk,
            f"evidence-{i}-source": item.source_id,
            f"evidence-{i}-quote": item.quote,
            f"evidence-{i}-stance": item.stance,
            f"evidence-{i}-note": item.note,
        }
    data.update(changes)
    return data


def _change(claim: Claim) -> str:
    return f"/admin/desk/claim/{claim.pk}/change/"


def test_a_published_statement_is_not_changed_without_a_correction_note(login, published, staff):
    response = login(staff.editor).post(_change(published), _form(published, statement="A quieter statement."))
    assert response.status_code == 200
    assert "write a correction note" in response.content.decode()
    assert Claim.objects.get(pk=published.pk).statement == published.statement
    assert not Correction.objects.exists()


def test_a_published_statement_changes_with_a_note_published_as_a_correction(login, published, staff):
    note = "We misquoted the outlet."
    response = login(staff.editor).post(
        _change(published), _form(published, statement="A quieter statement.", correction_note=note)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Claim.objects.get(pk=published.pk).statement == "A quieter statement."
    assert Correction.objects.published().get(claim=published).note == note


def test_a_stance_changed_on_the_inline_needs_a_note_too(login, published, staff):
    response = login(staff.editor).post(_change(published), _form(published, **{"evidence-0-stance": Stance.CONTEXT}))
    assert response.status_code == 200
    assert "write a correction note" in response.content.decode()
    assert published.evidence.get().stance == Stance.SUPPORTS


def test_the_form_cannot_change_a_published_address(login, published, staff):
    response = login(staff.editor).post(
        _change(published), _form(published, slug="a-new-address", correction_note="Renamed.")
    )
    assert response.status_code == 302  # the slug is read-only on the form: nothing else changed
    assert Claim.objects.get(pk=published.pk).slug == published.slug
    assert not Correction.objects.exists()


def test_evidence_is_read_on_its_own_admin_page_never_changed_there(login, published, staff):
    evidence = published.evidence.get()
    client = login(staff.editor)
    page = client.get(f"/admin/desk/evidence/{evidence.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    response = client.post(
        f"/admin/desk/evidence/{evidence.pk}/change/",
        {"quote": "announced", "stance": Stance.CONTRADICTS, "source": evidence.source_id, "claim": published.pk},
    )
    assert response.status_code == 403
    assert client.get("/admin/desk/evidence/add/").status_code == 403
    assert client.post(f"/admin/desk/evidence/{evidence.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Evidence.objects.get(pk=evidence.pk).stance == Stance.SUPPORTS


def test_corrections_are_read_only_in_the_admin(login, published, staff, correct):
    correction = correct(published, note="We fixed a date.")
    client = login(staff.editor)
    assert client.get(f"/admin/desk/correction/{correction.pk}/change/").status_code == 200
    response = client.post(f"/admin/desk/correction/{correction.pk}/change/", {"note": "Quietly rewritten."})
    assert response.status_code == 403
    assert client.get("/admin/desk/correction/add/").status_code == 403
    assert client.post(f"/admin/desk/correction/{correction.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Correction.objects.get(pk=correction.pk).note == "We fixed a date."
