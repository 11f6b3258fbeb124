"""The source reading page: quoted passages highlighted, and a selected passage made into
a claim or into evidence, anchored by the server."""

import pytest

from tracker.desk import services
from tracker.desk.admin.reading import Span, highlighted_text
from tracker.desk.choices import Stance, State
from tracker.desk.models import Claim, Evidence

TEXT = "Alpha <b>beta</b> gamma. Delta & epsilon: zeta eta theta. Alpha again."


def _read(source) -> str:
    return f"/admin/desk/source/{source.pk}/read/"


def test_highlighting_escapes_the_text_and_keeps_it_intact():
    spans = [Span(6, 17, "claim", "Claim: <script>", "/c/1"), Span(12, 23, "supports", "Evidence", "/c/2")]
    html = str(highlighted_text(TEXT, spans))
    assert "<b>" not in html and "&lt;b&gt;bet</mark>" in html
    assert 'title="Claim: &lt;script&gt;' in html
    assert 'id="passage-6-17"' in html and 'id="passage-12-23"' in html
    # Overlapping spans: the shared segment carries both kinds.
    assert 'class="desk-mark desk-mark-claim desk-mark-supports"' in html


def test_every_quoted_passage_is_highlighted_with_a_link_to_its_claim(
    login, make_source, make_claim, make_evidence, make_staff
):
    source = make_source(text=TEXT)
    claim = make_claim(source=source, quote="Delta & epsilon")
    evidence = make_evidence(make_claim(), source=source, quote="zeta eta theta", stance="contradicts")
    page = login(make_staff("Reporter")).get(_read(source)).content.decode()
    assert f'id="passage-{claim.start}-{claim.end}"' in page
    assert f'id="passage-{evidence.start}-{evidence.end}"' in page
    assert "desk-mark-contradicts" in page
    assert f"/admin/desk/claim/{claim.pk}/change/" in page


def test_a_selected_passage_becomes_a_draft_claim_anchored_where_it_was_selected(login, make_source, make_staff):
    source = make_source(text=TEXT)
    reporter = make_staff("Reporter")
    second_alpha = TEXT.rindex("Alpha")
    response = login(reporter).post(
        _read(source),
        {
            "mark_claim": "1",
            "claim-quote": "Alpha",
            "claim-near": second_alpha,
            "claim-statement": "Alpha comes back.",
            "claim-claimant": "",
        },
    )
    claim = Claim.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/admin/desk/claim/{claim.pk}/change/"
    assert (claim.start, claim.state, claim.drafted_by, claim.claimant) == (
        second_alpha,
        State.DRAFT,
        reporter,
        source.publisher,
    )
    assert claim.events.get().action == "drafted"


def test_a_pasted_quote_without_an_offset_works_too(login, make_source, make_staff):
    source = make_source(text=TEXT)
    login(make_staff("Reporter")).post(
        _read(source),
        {"mark_claim": "1", "claim-quote": "delta & epsilon".replace("d", "D"), "claim-statement": "S"},
    )
    assert Claim.objects.get().quote == "Delta & epsilon"


def test_a_quote_not_in_the_source_is_refused_on_the_form(login, make_source, make_staff):
    source = make_source(text=TEXT)
    response = login(make_staff("Reporter")).post(
        _read(source), {"mark_claim": "1", "claim-quote": "Omega", "claim-statement": "S"}
    )
    assert response.status_code == 200
    assert "does not occur in the source" in response.content.decode()
    assert not Claim.objects.exists()


def test_a_selected_passage_becomes_evidence_for_the_reporters_draft(login, make_source, make_claim, make_staff):
    reporter = make_staff("Reporter")
    claim = make_claim(drafted_by=reporter)
    source = make_source(text=TEXT)
    response = login(reporter).post(
        _read(source),
        {
            "attach_evidence": "1",
            "evidence-claim": claim.pk,
            "evidence-stance": Stance.CONTRADICTS,
            "evidence-quote": "zeta eta theta",
            "evidence-near": TEXT.index("zeta"),
        },
    )
    assert response.status_code == 302
    evidence = claim.evidence.get()
    assert (evidence.source, evidence.stance, evidence.created_by) == (source, Stance.CONTRADICTS, reporter)
    assert TEXT[evidence.start : evidence.end] == "zeta eta theta"


def test_a_reporter_cannot_attach_evidence_to_someone_elses_claim(login, make_source, make_claim, make_staff):
    claim = make_claim(drafted_by=make_staff("Reporter"))
    source = make_source(text=TEXT)
    response = login(make_staff("Reporter")).post(
        _read(source),
        {"attach_evidence": "1", "evidence-claim": claim.pk, "evidence-stance": "supports", "evidence-quote": "zeta"},
    )
    assert response.status_code == 200
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("state", [State.PUBLISHED, State.RETRACTED])
def test_evidence_is_not_attached_to_a_finished_claim_by_a_verifier(state, make_claim, make_source, make_staff):
    claim = make_claim(state=state)
    before = list(claim.evidence.values_list("pk", flat=True))
    with pytest.raises(services.NotAllowed):
        services.evidence_attach(
            claim=claim, by=make_staff("Verifier"), source=make_source(text=TEXT), quote="zeta", stance="supports"
        )
    assert list(claim.evidence.values_list("pk", flat=True)) == before
