"""The history page and the compare page read in words: labels not codes, whole
texts, times to the minute, people by name, evidence rows and links included."""

import re

import pytest

from tracker.desk import services
from tracker.desk.choices import Stance, State, Verdict
from tracker.desk.models import Claim

# Session, user, the record, permissions (2), versions, a query per kind of link, the rows'
# history, one per kind of record named, the version pickers: none per version or row.
COMPARE_QUERIES = 17
HISTORY_QUERIES = 18
LONG_STATEMENT = (
    "The Government of Canada's own readout of the meeting says the two leaders signed a defence "
    "agreement in Gyeongju on 29 October 2025."
)


def _named(make_staff, role, first, last):
    return make_staff(role, first_name=first, last_name=last)


def test_the_history_page_shows_whole_texts_labels_minutes_and_names(make_claim, make_staff, login):
    rita = _named(make_staff, "Reporter", "Rita", "Reyes")
    claim = make_claim(drafted_by=rita, statement=LONG_STATEMENT)
    services.claim_edit(claim=claim, by=rita, fields={"statement": LONG_STATEMENT.replace("signed", "discussed")})
    services.claim_submit(claim=Claim.objects.get(pk=claim.pk), by=rita)

    page = login(make_staff("Editor")).get(f"/admin/desk/claim/{claim.pk}/history/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "chars]" not in html
    assert "The Government of Canada&#x27;s own readout of the meeting says the two leaders signed" in html
    assert "discussed a defence agreement in Gyeongju" in html
    assert "State: “Draft” → “In review”" in html
    assert "in_review" not in html
    assert "Rita Reyes" in html
    # Times to the minute: no seconds, no microseconds.
    assert not re.search(r"\d\d:\d\d:\d\d", html)
    assert re.search(r"\d{1,2} \w{3} \d{4} \d\d:\d\d", html)
    assert f'action="/admin/desk/claim/{claim.pk}/compare/"' in html


def test_comparing_a_claim_in_review_with_its_published_version_shows_the_evidence_changes(
    make_claim, make_evidence, make_source, staff, login
):
    claim = make_claim(state=State.PUBLISHED, verdict=Verdict.ACCURATE, statement="Canada and Korea signed a pact.")
    kept = make_evidence(claim, make_source(title="Korean readout"), stance=Stance.CONTEXT, note="Background.")
    claim = services.claim_withdraw(claim=Claim.objects.get(pk=claim.pk), by=staff.editor, reason="New report.")
    dropped = claim.evidence.exclude(pk=kept.pk).get()
    services.claim_edit(
        claim=claim,
        by=staff.editor,  # already wrote some of it: the verifier stays free to publish it (maker-checker)
        change=[services.EvidenceChange(evidence_id=kept.pk, stance=Stance.CONTRADICTS, note="Says otherwise.")],
        remove=[dropped.pk],
        add=[services.EvidenceAdd(source=make_source(title="Wire report"), quote="Security and Defence",
                                  stance=Stance.SUPPORTS)],
    )  # fmt: skip

    page = login(staff.editor).get(f"/admin/desk/claim/{claim.pk}/compare/?from=published")

    html = page.content.decode()
    assert page.status_code == 200
    assert "Accurate" in html and "accurate<" not in html
    assert "Published" in html and "In review" in html
    assert html.count("<strong>Added</strong>") == 1
    assert html.count("<strong>Removed</strong>") == 1
    assert html.count("<strong>Changed</strong>") == 1
    assert "Wire report" in html and "Korean readout" in html
    assert "Contradicts" in html and "Context" in html and "Says otherwise." in html


def test_a_source_text_is_compared_word_by_word_with_the_rest_folded(make_source, staff, login):
    body = " ".join(f"word{n}" for n in range(300))
    source = make_source(text=f"{body}\n\nCanada will not sign the naval agreement.\n\n{body}", state=State.DRAFT)
    services.source_edit(
        source=source, by=staff.reporter, fields={"text": source.text.replace("will not sign", "will sign")}
    )

    html = login(staff.editor).get(f"/admin/desk/source/{source.pk}/compare/").content.decode()

    assert 'Canada will<del><span class="desk-sr">removed: </span> not</del> sign' in html
    assert "unchanged words" in html
    assert "word150 " not in html  # folded away, far from the change
    assert "1 word added" not in html and "0 words added, 1 removed" in html


def test_an_agreement_compare_names_the_parties_and_status_steps(make_agreement, make_party, add_status, staff, login):
    korea, japan = make_party("KR", name="Republic of Korea"), make_party("JP", name="Japan")
    agreement = make_agreement([korea], state=State.DRAFT)
    add_status(agreement)
    services.record_edit(record=agreement, by=staff.editor, links={"parties": [japan]})

    html = login(staff.editor).get(f"/admin/desk/agreement/{agreement.pk}/compare/").content.decode()

    assert '<del><span class="desk-sr">removed: </span>Republic of Korea</del>' in html
    assert '<ins><span class="desk-sr">added: </span>Japan</ins>' in html


def test_compare_refuses_a_version_of_another_record_and_bad_ids(make_claim, staff, login):
    claim, other = make_claim(), make_claim()
    client = login(staff.editor)
    foreign = other.history.first().history_id
    assert client.get(f"/admin/desk/claim/{claim.pk}/compare/?from={foreign}").status_code == 404
    assert client.get(f"/admin/desk/claim/{claim.pk}/compare/?to=abc").status_code == 404
    assert client.get(f"/admin/desk/claim/{claim.pk}/compare/?from=published").status_code == 404
    assert client.get(f"/admin/desk/claim/{claim.pk}/compare/?from=%00").status_code == 404
    assert client.get("/admin/desk/claim/99999999/compare/").status_code == 404


def test_compare_is_for_staff_who_may_see_the_record(make_claim, make_user, make_staff, login):
    claim = make_claim()
    url = f"/admin/desk/claim/{claim.pk}/compare/"
    assert login(make_user()).get(url).status_code == 302  # not staff: to the login page
    assert login(make_staff(None)).get(url).status_code == 403  # staff in no role


@pytest.mark.parametrize("rows", [2, 12])
def test_the_compare_page_makes_a_fixed_number_of_queries(
    rows, make_claim, make_evidence, make_source, link, make_party, staff, login, django_assert_max_num_queries
):
    claim = make_claim(state=State.IN_REVIEW)
    for n in range(rows):
        make_evidence(claim, make_source(), stance=Stance.SUPPORTS, note=f"Note {n}")
        link(Claim.objects.get(pk=claim.pk), parties=[make_party()])
    client = login(staff.editor)
    with django_assert_max_num_queries(COMPARE_QUERIES):
        response = client.get(f"/admin/desk/claim/{claim.pk}/compare/")
    assert response.status_code == 200


@pytest.mark.parametrize("versions", [3, 25])
def test_the_history_page_makes_a_fixed_number_of_queries(
    versions, make_claim, make_evidence, staff, login, django_assert_max_num_queries
):
    claim = make_claim()
    for n in range(versions):
        services.claim_edit(claim=Claim.objects.get(pk=claim.pk), by=staff.reporter, fields={"claimant": f"Outlet {n}"})
    make_evidence(claim)
    client = login(staff.editor)
    with django_assert_max_num_queries(HISTORY_QUERIES):
        response = client.get(f"/admin/desk/claim/{claim.pk}/history/")
    assert response.status_code == 200
    assert "Claimant: “Outlet 0” → “Outlet 1”" in response.content.decode()


def test_comparing_a_party_or_topic_with_its_published_version_is_no_server_error(make_party, make_topic, staff, login):
    """Found by tests/fuzz/test_review_tools_fuzz.py: `?from=published` on a record with no
    state (a party, a topic) was a FieldError, a 500."""
    client = login(staff.editor)
    for record in (make_party(), make_topic()):
        url = f"/admin/desk/{type(record).__name__.lower()}/{record.pk}/compare/?from=published"
        assert client.get(url).status_code == 200, url
