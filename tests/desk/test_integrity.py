"""One test per way the published record could change silently (issue: "the record
changes only in public"). Each was reproduced on the code before the services became
the only writer; each now gets a clear refusal, or happens in public."""

import json
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.utils import timezone

from tracker.desk import services
from tracker.desk.choices import State, Verdict
from tracker.desk.models import Claim, Correction, Evidence, Source
from tracker.desk.seeds import SeedError, load_seeds
from tracker.search.models import SearchDocument

from ..admin_forms import claim_form
from .conftest import messages_of

REPORT = "Canada and Korea signed a defence pact on Tuesday. Officials met in Seoul. Trade grew by ten percent."
READOUT = "The leaders announced a security partnership on Wednesday. The leaders met in Gyeongju. Trade grew."
ANALYSIS = "Analysts said the partnership was announced, not signed. The summit was in Gyeongju, not Seoul."


@pytest.fixture
def staff(make_staff):
    return {
        "reporter": make_staff("Reporter"),
        "other_reporter": make_staff("Reporter"),
        "verifier": make_staff("Verifier"),
        "other_verifier": make_staff("Verifier"),
        "editor": make_staff("Editor"),
    }


@pytest.fixture
def sources(staff):
    made = {}
    for slug, text in (("report", REPORT), ("readout", READOUT), ("analysis", ANALYSIS)):
        source = services.source_create(
            by=staff["reporter"], title=slug.title(), publisher=slug, kind="news", reliability="unverified",
            text=text, slug=slug,
        )  # fmt: skip
        made[slug] = services.record_publish(record=source, by=staff["editor"])
    return made


@pytest.fixture
def published(staff, sources):
    """An inaccurate claim from the report, contradicted by the readout and the analysis."""
    claim = services.claim_create_draft(
        by=staff["reporter"], source=sources["report"], quote="signed a defence pact on Tuesday",
        statement="Canada and Korea signed a defence pact.", slug="signed-a-pact",
    )  # fmt: skip
    services.evidence_attach(claim=claim, by=staff["reporter"], source=sources["readout"],
                             quote="announced a security partnership", stance="contradicts")  # fmt: skip
    services.evidence_attach(claim=claim, by=staff["reporter"], source=sources["analysis"],
                             quote="announced, not signed", stance="contradicts")  # fmt: skip
    claim = services.claim_submit(claim=claim, by=staff["reporter"])
    return services.claim_publish(
        claim=claim, by=staff["verifier"], verdict=Verdict.INACCURATE, rationale="It was announced, not signed."
    )


def draft(staff, sources, by="reporter"):
    return services.claim_create_draft(
        by=staff[by], source=sources["report"], quote="Officials met in Seoul", statement="Officials met in Seoul."
    )


def public_page(client, claim) -> str:
    return client.get(f"/claims/{claim.slug}/").content.decode()


# Silent changes to the published record --------------------------------------------------


def test_a_reporter_cannot_move_evidence_onto_a_published_claim(login, staff, sources, published):
    mine = draft(staff, sources)
    evidence = services.evidence_attach(
        claim=mine, by=staff["reporter"], source=sources["analysis"], quote="The summit was in Gyeongju",
        stance="supports",
    )  # fmt: skip
    response = login(staff["reporter"]).post(
        f"/admin/desk/evidence/{evidence.pk}/change/",
        {"claim": published.pk, "source": evidence.source_id, "quote": evidence.quote, "stance": "contradicts"},
    )
    assert response.status_code == 403
    assert Evidence.objects.get(pk=evidence.pk).claim_id == mine.pk
    assert published.evidence.count() == 2


def test_a_reporter_cannot_change_the_evidence_of_another_reporters_draft(login, staff, sources):
    theirs = draft(staff, sources, by="other_reporter")
    services.evidence_attach(claim=theirs, by=staff["other_reporter"], source=sources["readout"],
                             quote="The leaders met in Gyeongju", stance="contradicts")  # fmt: skip
    response = login(staff["reporter"]).post(
        f"/admin/desk/claim/{theirs.pk}/change/", claim_form(theirs, **{"evidence-0-DELETE": "on"})
    )
    assert response.status_code == 403
    assert theirs.evidence.count() == 1
    with pytest.raises(services.NotAllowed):
        services.claim_edit(claim=theirs, by=staff["reporter"], remove=[theirs.evidence.get().pk])


def test_an_editor_rewriting_a_published_claim_must_write_a_correction(login, client, staff, published):
    editor = login(staff["editor"])
    form = claim_form(published, statement="Canada and Korea signed a comprehensive defence pact.")
    response = editor.post(f"/admin/desk/claim/{published.pk}/change/", form)
    assert response.status_code == 200
    assert "write a correction note" in response.content.decode()
    assert Claim.objects.get(pk=published.pk).statement == published.statement

    form["correction_note"] = "We quoted the report's own words for the agreement."
    assert editor.post(f"/admin/desk/claim/{published.pk}/change/", form).status_code == 302
    assert "comprehensive defence pact" in public_page(client, published)
    assert "We quoted the report" in client.get("/corrections/").content.decode()


def test_an_editor_deleting_published_evidence_must_write_a_correction(login, staff, published):
    editor = login(staff["editor"])
    form = claim_form(published, **{"evidence-1-DELETE": "on"})
    response = editor.post(f"/admin/desk/claim/{published.pk}/change/", form)
    assert response.status_code == 200
    assert published.evidence.count() == 2
    form["correction_note"] = "The analysis only repeated the readout."
    assert editor.post(f"/admin/desk/claim/{published.pk}/change/", form).status_code == 302
    assert published.evidence.count() == 1
    assert Correction.objects.filter(claim=published, note__startswith="The analysis").exists()


def test_removing_the_evidence_a_verdict_needs_is_refused_even_with_a_note(staff, published):
    with pytest.raises(services.WorkflowError, match="would no longer rest on its evidence"):
        services.claim_edit(
            claim=published, by=staff["editor"], remove=list(published.evidence.values_list("pk", flat=True)),
            note="Removing everything.",
        )  # fmt: skip
    assert published.evidence.count() == 2


def test_a_published_slug_is_permanent(login, client, staff, published):
    form = claim_form(published, slug="renamed")
    login(staff["editor"]).post(f"/admin/desk/claim/{published.pk}/change/", form)
    assert Claim.objects.get(pk=published.pk).slug == "signed-a-pact"
    assert client.get("/claims/signed-a-pact/").status_code == 200
    with pytest.raises(services.WorkflowError, match="address is permanent"):
        services.claim_edit(claim=published, by=staff["editor"], fields={"slug": "renamed"})


def test_a_verifier_who_edited_the_statement_cannot_publish_it(staff, sources):
    claim = draft(staff, sources)
    services.evidence_attach(claim=claim, by=staff["reporter"], source=sources["readout"],
                             quote="The leaders met in Gyeongju", stance="contradicts")  # fmt: skip
    claim = services.claim_submit(claim=claim, by=staff["reporter"])
    claim = services.claim_edit(claim=claim, by=staff["verifier"], fields={"statement": "Officials met in Seoul."})
    claim = services.claim_edit(claim=claim, by=staff["verifier"], fields={"statement": "They met in Seoul."})
    with pytest.raises(services.WorkflowError, match="maker-checker"):
        services.claim_publish(claim=claim, by=staff["verifier"], verdict=Verdict.INACCURATE, rationale="No.")
    published = services.claim_publish(
        claim=claim, by=staff["other_verifier"], verdict=Verdict.INACCURATE, rationale="They met in Gyeongju."
    )
    assert published.state == State.PUBLISHED


def test_a_verifier_who_attached_evidence_hands_publication_to_someone_else(login, staff, sources):
    claim = services.claim_submit(claim=draft(staff, sources), by=staff["reporter"])
    services.evidence_attach(claim=claim, by=staff["verifier"], source=sources["readout"],
                             quote="The leaders met in Gyeongju", stance="contradicts")  # fmt: skip
    page = login(staff["verifier"]).get(f"/admin/desk/claim/{claim.pk}/change/").content.decode()
    assert "someone else must publish its verdict" in page
    with pytest.raises(services.WorkflowError, match="maker-checker"):
        services.claim_publish(claim=claim, by=staff["verifier"], verdict=Verdict.INACCURATE, rationale="No.")


def test_only_an_editor_retracts_a_source(login, staff, sources):
    response = login(staff["verifier"]).post(
        f"/admin/desk/source/{sources['analysis'].pk}/workflow/retract/", {"note": "Unreliable."}
    )
    assert response.status_code == 403
    assert Source.objects.get(pk=sources["analysis"].pk).state == State.PUBLISHED
    with pytest.raises(services.NotAllowed):
        services.record_retract(record=sources["analysis"], by=staff["verifier"], note="Unreliable.")


def test_retracting_a_source_corrects_or_withdraws_the_claims_resting_on_it(client, staff, sources, published):
    services.record_retract(record=sources["analysis"], by=staff["editor"], note="It copied the readout.")
    claim = Claim.objects.get(pk=published.pk)
    assert claim.state == State.PUBLISHED  # the readout still contradicts it
    assert claim.corrections.filter(note__contains="“Analysis”, was retracted").exists()
    assert "“announced, not signed”" not in public_page(client, claim)

    services.record_retract(record=sources["readout"], by=staff["editor"], note="Superseded.")
    claim = Claim.objects.get(pk=published.pk)
    assert claim.state == State.IN_REVIEW  # nothing left to rest on: back to review
    notice = client.get(f"/claims/{claim.slug}/")  # its address says so, and why
    assert notice.status_code == 200 and "Superseded." in notice.content.decode()
    assert "Under review" in notice.content.decode()


def test_the_publish_guard_ignores_evidence_from_a_retracted_source(staff, sources):
    claim = draft(staff, sources)
    services.evidence_attach(claim=claim, by=staff["reporter"], source=sources["readout"],
                             quote="The leaders met in Gyeongju", stance="contradicts")  # fmt: skip
    claim = services.claim_submit(claim=claim, by=staff["reporter"])
    services.record_retract(record=sources["readout"], by=staff["editor"], note="Superseded.")
    with pytest.raises(services.WorkflowError, match="needs at least one evidence quote"):
        services.claim_publish(claim=claim, by=staff["verifier"], verdict=Verdict.INACCURATE, rationale="No.")


def test_a_source_text_edit_leaves_history_moves_updated_at_and_refreshes_search(staff, sources, published):
    evidence = published.evidence.get(source=sources["readout"])
    before = Claim.objects.get(pk=published.pk).updated_at
    history = Evidence.history.filter(id=evidence.pk).count()
    services.source_edit(
        source=sources["readout"], by=staff["editor"], fields={"text": "Update: " + READOUT},
        note="We archived the updated readout.",
    )  # fmt: skip
    evidence.refresh_from_db()
    assert evidence.start == len("Update: ") + READOUT.index("announced a security partnership")
    assert Evidence.history.filter(id=evidence.pk).count() == history + 1
    assert Claim.objects.get(pk=published.pk).updated_at > before
    assert Correction.objects.filter(source=sources["readout"], note="We archived the updated readout.").exists()
    assert SearchDocument.objects.get(kind="source", object_id=sources["readout"].pk).body.count("Update:") == 1


def test_a_published_sources_text_changes_only_with_a_correction(staff, sources):
    with pytest.raises(services.WorkflowError, match="correction note"):
        services.source_edit(source=sources["readout"], by=staff["editor"], fields={"text": READOUT + " More."})
    assert Source.objects.get(pk=sources["readout"].pk).text == READOUT


def test_a_claims_own_source_is_never_its_supporting_evidence(staff, sources):
    claim = draft(staff, sources)
    with pytest.raises(services.WorkflowError, match="cannot support or contradict"):
        services.evidence_attach(claim=claim, by=staff["reporter"], source=sources["report"],
                                 quote="Trade grew by ten percent", stance="supports")  # fmt: skip
    with pytest.raises(services.WorkflowError, match="never its own evidence"):
        services.evidence_attach(claim=claim, by=staff["reporter"], source=sources["report"],
                                 quote="Officials met in Seoul", stance="context")  # fmt: skip
    context = services.evidence_attach(claim=claim, by=staff["reporter"], source=sources["report"],
                                       quote="Trade grew by ten percent", stance="context")  # fmt: skip
    claim = services.claim_submit(claim=claim, by=staff["reporter"])
    with pytest.raises(services.WorkflowError, match="supports the claim"):
        services.claim_publish(claim=claim, by=staff["verifier"], verdict=Verdict.ACCURATE, rationale="Yes.")
    assert context.stance == "context"


def test_two_identical_evidence_rows_in_the_inline_are_refused_clearly(login, staff, sources):
    claim = draft(staff, sources)
    row = {"claim": claim.pk, "source": sources["readout"].pk, "quote": "The leaders met in Gyeongju",
           "stance": "contradicts", "note": ""}  # fmt: skip
    form = claim_form(claim)
    for i in (0, 1):
        form.update({f"evidence-{i}-{name}": value for name, value in row.items()})
    form["evidence-TOTAL_FORMS"] = 2
    response = login(staff["reporter"]).post(f"/admin/desk/claim/{claim.pk}/change/", form)
    assert response.status_code == 200
    assert "is already evidence for this claim" in response.content.decode()
    assert claim.evidence.count() == 0


def test_editing_a_seeded_published_verdict_needs_a_correction_note(db, tmp_path):
    import shutil

    folder = tmp_path / "seeds"
    shutil.copytree(Path(settings.BASE_DIR) / "seeds", folder)
    load_seeds(folder)
    claims = yaml.safe_load((folder / "claims.yaml").read_text(encoding="utf-8"))
    first = claims[0]
    claim = Claim.objects.get(slug=first["slug"])
    first["rationale"] = first["rationale"] + " We checked it again."
    (folder / "claims.yaml").write_text(yaml.safe_dump(claims, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(SeedError, match="add an entry to its `corrections:` list"):
        load_seeds(folder)
    assert Claim.objects.get(pk=claim.pk).rationale == claim.rationale

    first["corrections"].append(
        {"date": timezone.localdate(), "note": "We added a sentence to the rationale.",
         "was": {"rationale": claim.rationale}}
    )  # fmt: skip
    (folder / "claims.yaml").write_text(yaml.safe_dump(claims, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert load_seeds(folder) == 1
    assert Claim.objects.get(pk=claim.pk).rationale.endswith("We checked it again.")
    assert claim.corrections.filter(note="We added a sentence to the rationale.").exists()
    assert load_seeds(folder) == 0


# Unpublished text leaking through a published record (rule 1) -----------------------------


def test_no_text_of_an_unpublished_source_leaves_through_a_published_claim(client, staff, sources, published):
    # The services never leave a published claim on an unpublished source (retracting it
    # withdraws the claim); a bulk update simulates data from before they did.
    Source.objects.filter(pk=sources["report"].pk).update(state=State.RETRACTED)
    from tracker.search.index import index_record

    index_record("claim", Claim.objects.get(pk=published.pk))
    quote = published.quote
    detail = client.get(f"/api/v1/claims/{published.slug}/").json()
    assert detail["quote"] is None and detail["source"] is None
    for url in ("/api/v1/claims/", "/api/v1/claims/?format=csv"):
        assert quote not in client.get(url).content.decode()
    export = b"".join(client.get("/api/v1/export/").streaming_content).decode()
    assert quote not in export
    assert quote not in json.dumps(detail)
    assert quote not in SearchDocument.objects.get(kind="claim", object_id=published.pk).body
    assert quote not in client.get("/search/", {"q": "signed defence pact Tuesday"}).content.decode()
    assert quote not in public_page(client, published)


# Duplicate sources ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("https://example.com/news/story", "https://EXAMPLE.com/news/story/"),
        ("https://example.com/news/story?id=4", "https://example.com/news/story?utm_source=x&id=4#top"),
        ("http://example.com:80/a", "http://example.com/a?fbclid=abc"),
    ],
)
def test_a_source_already_archived_under_another_form_of_its_url_is_pointed_to(staff, first, second):
    services.source_create(by=staff["reporter"], title="One", publisher="P", kind="news",
                           reliability="unverified", text="The first text.", url=first)  # fmt: skip
    with pytest.raises(services.DuplicateSource, match="This URL is already archived"):
        services.source_create(by=staff["reporter"], title="Two", publisher="P", kind="news",
                               reliability="unverified", text="Another text.", url=second)  # fmt: skip


def test_a_source_whose_text_differs_only_in_whitespace_is_a_duplicate(login, staff):
    services.source_create(by=staff["reporter"], title="One", publisher="P", kind="news",
                           reliability="unverified", text="Line one.\nLine two.")  # fmt: skip
    response = login(staff["reporter"]).post(
        "/admin/desk/source/add/",
        {"title": "Two", "publisher": "P", "kind": "news", "reliability": "unverified", "url": "",
         "published_precision": "unknown", "language": "en", "text": "Line one.   Line two.\n\n"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "This text is already archived" in response.content.decode()
    assert Source.objects.count() == 1


def test_control_characters_are_stripped_from_what_staff_write(staff, sources, published):
    claim = services.claim_correct(
        claim=published, by=staff["editor"], note="Fixed\x0bthe\x0crationale.", verdict=Verdict.INACCURATE,
        rationale="It was\x0c announced in Gyeongju,\x0b not signed.",
    )  # fmt: skip
    assert claim.rationale == "It was announced in Gyeongju, not signed."
    assert Correction.objects.filter(claim=claim).latest("pk").note == "Fixedtherationale."


def test_a_refused_admin_save_says_why_and_keeps_what_was_typed(login, staff, published):
    response = login(staff["editor"]).post(
        f"/admin/desk/claim/{published.pk}/change/", claim_form(published, statement="A new statement.")
    )
    assert response.status_code == 200
    assert "A new statement." in response.content.decode()
    assert not messages_of(response) or "was changed successfully" not in " ".join(messages_of(response))


def test_a_post_to_a_past_version_restores_nothing(login, staff, published):
    version = published.history.order_by("history_id").first().history_id
    response = login(staff["editor"]).post(
        f"/admin/desk/claim/{published.pk}/history/{version}/", claim_form(published, statement="Restored.")
    )
    assert response.status_code == 403
    assert Claim.objects.get(pk=published.pk).statement == published.statement


def test_whoever_published_a_verdict_does_not_then_rewrite_what_it_rests_on(staff, published):
    corrected = services.claim_correct(
        claim=published, by=staff["editor"], note="Sharper rationale.", verdict=Verdict.INACCURATE,
        rationale="The readout and the analysis both say announced.",
    )  # fmt: skip
    with pytest.raises(services.NotAllowed, match="another editor must correct its content"):
        services.claim_edit(claim=corrected, by=staff["editor"], fields={"statement": "New."}, note="Reworded.")
    assert Claim.objects.get(pk=published.pk).statement == published.statement
