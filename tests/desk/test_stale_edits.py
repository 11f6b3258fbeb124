"""Two people editing the same record: the later save of a stale form is refused (rule 7)."""

import re

import pytest

from tracker.desk import services
from tracker.desk.models import Claim, Source


def _claim_form(claim: Claim, **changes) -> dict:
    data = {
        "statement": claim.statement,
        "claimant": claim.claimant,
        "source": claim.source_id,
        "quote": claim.quote,
        "slug": claim.slug,
        "seen_version": claim.version,
        "evidence-TOTAL_FORMS": 0,
        "evidence-INITIAL_FORMS": 0,
    }
    data.update(changes)
    return data


def test_every_change_increments_the_version(make_claim):
    claim = make_claim()
    assert claim.version == 1
    services.claim_edit(claim=claim, by=claim.drafted_by, fields={"statement": "Reworded once."})
    services.claim_edit(claim=claim, by=claim.drafted_by, fields={"statement": "Reworded twice."})
    assert Claim.objects.get(pk=claim.pk).version == 3


def test_the_services_refuse_a_change_from_a_stale_version(make_claim):
    claim = make_claim()
    services.claim_edit(claim=claim, by=claim.drafted_by, fields={"statement": "Reworded."}, seen_version=1)
    with pytest.raises(services.StaleEdit, match="changed this claim"):
        services.claim_edit(claim=claim, by=claim.drafted_by, fields={"claimant": "Someone"}, seen_version=1)
    assert Claim.objects.get(pk=claim.pk).claimant == "An outlet"


def test_the_later_save_of_a_stale_form_is_refused_and_names_who_changed_what(login, make_claim, make_staff):
    reporter = make_staff("Reporter", username="rita")
    verifier = make_staff("Verifier", username="victor")
    claim = make_claim(drafted_by=reporter)
    form_read_by_rita = _claim_form(claim)
    form_read_by_victor = _claim_form(claim)

    response = login(verifier).post(
        f"/admin/desk/claim/{claim.pk}/change/", {**form_read_by_victor, "claimant": "Victor's correction"}
    )
    assert response.status_code == 302

    response = login(reporter).post(
        f"/admin/desk/claim/{claim.pk}/change/", {**form_read_by_rita, "statement": "Rita's rewording"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Not saved: victor changed this claim (claimant) at" in page
    assert "Nothing was overwritten" in page
    claim.refresh_from_db()
    assert (claim.statement, claim.claimant, claim.version) == (
        form_read_by_rita["statement"],
        "Victor's correction",
        2,
    )


def test_a_workflow_step_taken_meanwhile_makes_an_open_form_stale(login, make_claim, make_staff):
    reporter = make_staff("Reporter", username="rita")
    claim = make_claim(drafted_by=reporter)
    stale = _claim_form(claim, statement="Too late")
    services.claim_submit(claim=claim, by=make_staff("Verifier", username="vera"))
    response = login(make_staff("Editor")).post(f"/admin/desk/claim/{claim.pk}/change/", stale)
    assert response.status_code == 200
    changed = re.search(r"vera changed this claim \(([^)]*)\)", response.content.decode())
    assert changed and "state" in changed.group(1).split(", ")
    assert Claim.objects.get(pk=claim.pk).statement != "Too late"


def test_a_form_without_its_version_is_refused_too(login, make_claim, make_staff):
    reporter = make_staff("Reporter")
    claim = make_claim(drafted_by=reporter)
    data = _claim_form(claim, statement="No version")
    del data["seen_version"]
    response = login(reporter).post(f"/admin/desk/claim/{claim.pk}/change/", data)
    assert response.status_code == 200
    assert Claim.objects.get(pk=claim.pk).statement != "No version"


def test_a_fresh_form_saves_after_a_refused_one_is_reloaded(login, make_source, make_staff):
    editor = make_staff("Editor")
    source = make_source()
    client = login(editor)
    page = client.get(f"/admin/desk/source/{source.pk}/change/").content.decode()
    assert f'name="seen_version" value="{source.version}"' in page
    data = {
        "title": "Retitled",
        "publisher": source.publisher,
        "kind": source.kind,
        "reliability": source.reliability,
        "slug": source.slug,
        "published_precision": "unknown",
        "language": "en",
        "text": source.text,
        "seen_version": source.version,
    }
    assert client.post(f"/admin/desk/source/{source.pk}/change/", data).status_code == 302
    assert Source.objects.get(pk=source.pk).title == "Retitled"
