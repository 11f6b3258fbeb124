"""What tripped a new user up: each fixed, each checked."""

from tracker.desk import services
from tracker.desk.models import Claim, Source


def test_quote_from_another_source_keeps_the_claim_to_the_reading_page(login, make_claim, make_source, staff):
    claim = make_claim(statement="Canada and Korea signed a partnership.")
    other = make_source(title="Joint statement")
    client = login(staff.reporter)
    chooser = client.get(f"/admin/desk/claim/{claim.pk}/quote-from/?q=joint").content.decode()
    link = f"/admin/desk/source/{other.pk}/read/?claim={claim.pk}"
    assert link in chooser
    page = client.get(link).content.decode()
    assert f'name="evidence-claim" value="{claim.pk}"' in page and "Canada and Korea signed a partnership." in page
    response = client.post(link, {"attach_evidence": "1", "evidence-claim": claim.pk, "evidence-stance": "supports",
                                  "evidence-quote": "Security and Defence"})  # fmt: skip
    assert response.status_code == 302
    assert Claim.objects.get(pk=claim.pk).evidence.get().source == other


def test_the_claim_picker_on_a_reading_page_is_searchable(login, make_source, make_claim, staff):
    make_claim()
    page = login(staff.reporter).get(f"/admin/desk/source/{make_source().pk}/read/").content.decode()
    assert "admin-autocomplete" in page and "autocomplete.js" in page


def test_the_two_quote_fields_of_a_reading_page_have_distinct_labels(login, make_source, staff):
    page = login(staff.reporter).get(f"/admin/desk/source/{make_source().pk}/read/").content.decode()
    assert "Passage where the claim is made" in page and "Evidence passage" in page
    assert "text on the left" in page


def test_after_a_refused_stale_save_the_heading_names_the_saved_record(login, make_claim, staff):
    claim = make_claim(statement="The saved statement.")
    data = {"statement": "A stale rewording.", "claimant": claim.claimant, "source": claim.source_id,
            "quote": claim.quote, "slug": claim.slug, "seen_version": claim.version,
            "evidence-TOTAL_FORMS": 0, "evidence-INITIAL_FORMS": 0}  # fmt: skip
    services.claim_edit(claim=claim, by=staff.reporter, fields={"claimant": "Someone else"})
    response = login(staff.reporter).post(f"/admin/desk/claim/{claim.pk}/change/", data)
    assert response.status_code == 200
    assert response.context["subtitle"] == "The saved statement."
    assert "<h2>The saved statement.</h2>" in response.content.decode()


def test_titles_are_cut_at_a_word_and_en_dashed_names_keep_their_hyphen(make_claim):
    long = "Canada–China relations " + "were discussed at length by both delegations " * 4
    claim = make_claim(statement=long, slug="")
    assert str(claim).endswith("…") and len(str(claim)) <= 100
    assert long.startswith(str(claim)[:-1])
    assert claim.slug.startswith("canada-china-relations")


def test_the_add_form_leaves_out_the_workflow_and_says_url(login, staff):
    page = login(staff.reporter).get("/admin/desk/source/add/").content.decode()
    assert ">URL:<" in page or ">URL<" in page
    assert "id_version" not in page and "Updated at" not in page and "field-state" not in page


def test_a_reporter_deletes_their_own_draft_source(login, make_source, staff):
    source = make_source(state="draft")
    client = login(staff.reporter)
    response = client.post(f"/admin/desk/source/{source.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Source.objects.filter(pk=source.pk).exists()


def test_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")


def test_staff_get_the_desk_address_of_a_public_page_and_the_page_stays_the_same_for_all(
    client, login, make_claim, staff
):
    claim = make_claim(state="published")
    public = claim.get_absolute_url()
    anonymous = client.get(public)
    editor = login(staff.editor)
    assert editor.get("/admin/").cookies["desk_staff"].value == "1"
    assert editor.get(public)["ETag"] == anonymous["ETag"]  # one cached page for everyone
    link = editor.get("/admin/desk-link/", {"path": public})
    assert link.json() == {"url": f"/admin/desk/claim/{claim.pk}/change/"}
    assert "no-cache" in link["Cache-Control"] or "max-age=0" in link["Cache-Control"]
    assert editor.get("/admin/desk-link/", {"path": "/claims/no-such-claim/"}).status_code == 204
    assert editor.get("/admin/desk-link/", {"path": "nonsense\x00"}).status_code == 204
    assert client.get("/admin/desk-link/", {"path": public}).status_code == 302  # to the sign-in page


def test_a_published_record_has_a_view_on_site_link(login, make_agreement, staff):
    agreement = make_agreement()
    page = login(staff.editor).get(f"/admin/desk/agreement/{agreement.pk}/change/").content.decode()
    assert "View on site" in page


def test_the_source_chooser_takes_hostile_searches(login, make_claim, staff):
    client = login(staff.reporter)
    claim = make_claim()
    for q in ("\x00", "a\x00b", "%", "_" * 300, "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace")):
        assert client.get(f"/admin/desk/claim/{claim.pk}/quote-from/", {"q": q}).status_code == 200
    assert client.get("/admin/desk/claim/x/quote-from/").status_code == 404
