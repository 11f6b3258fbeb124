"""The source page: the archived text with each published passage marked, linked to
its claim, escaped; the source's kind and reliability."""

from tracker.desk import services
from tracker.desk.choices import RELIABILITY_DEFINITIONS, Reliability, Stance, State
from tracker.desk.models import Evidence
from tracker.public.passages import collect_passages, render_text


def test_every_published_evidence_passage_is_marked_with_its_anchor(client, desk):
    readout = desk["readout"]
    content = client.get(readout.get_absolute_url()).content.decode()
    evidence = Evidence.objects.published().filter(source=readout)
    assert evidence.count() == 4
    for item in evidence:
        assert f'<mark id="passage-{item.start}-{item.end}" class="passage">{item.quote}' in content
        assert f'href="{item.claim.get_absolute_url()}"' in content


def test_it_shows_the_kind_and_reliability_with_its_definition(client, desk):
    content = client.get(desk["report"].get_absolute_url()).content.decode()
    assert "Aggregator" in content
    assert "Unreliable" in content
    assert RELIABILITY_DEFINITIONS[Reliability.UNRELIABLE] in content


def test_the_text_is_escaped(client, make_source, make_claim):
    source = make_source(text="The minister said <script>alert(1)</script> & announced the new plan.")
    make_claim(
        source=make_source(),
        state=State.PUBLISHED,
        evidence=[services.EvidenceAdd(source=source, quote="announced the new plan", stance=Stance.SUPPORTS)],
    )
    content = client.get(source.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; " in content


class Quoted:
    def __init__(self, start, end):
        self.start, self.end = start, end


def _render(text, spans):
    passages = collect_passages(text, [(Quoted(s, e), "Supports", Stance.SUPPORTS, None) for s, e in spans])
    return str(render_text(text, passages))


def test_overlapping_passages_stay_well_formed_and_each_keeps_its_anchor():
    html = _render("abcdefghij", [(0, 6), (3, 9)])
    assert html.count("<mark") == html.count("</mark>")
    assert 'id="passage-0-6"' in html and 'id="passage-3-9"' in html
    assert html.startswith('<mark id="passage-0-6" class="passage">abc<mark id="passage-3-9" class="passage">def')


def test_passages_outside_the_text_are_skipped():
    html = _render("short", [(2, 40)])
    assert "<mark" not in html and html == "short"
