"""What tripped a new user up: each fixed, each checked."""

from tracker.desk.models import Claim


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
