"""The verifiers' review queue and candidate evidence for a claim."""

import datetime as dt

import pytest
from django.utils import timezone

from tracker.desk import services
from tracker.desk.candidates import find_candidates, split_passages
from tracker.desk.choices import State
from tracker.desk.models import Claim

QUEUE = "/admin/desk/claimforreview/"


@pytest.fixture
def verifier(make_staff):
    return make_staff("Verifier")


@pytest.fixture
def in_review(make_claim, monkeypatch):
    """A claim submitted for review `minutes_ago` minutes ago (the clock is set back
    while the services draft and submit it)."""

    def make(minutes_ago: int, **fields) -> Claim:
        then = timezone.now() - dt.timedelta(minutes=minutes_ago)
        with monkeypatch.context() as clock:
            clock.setattr(timezone, "now", lambda: then)
            return make_claim(state=State.IN_REVIEW, **fields)

    return make


def _rows(response) -> list[str]:
    return [claim.statement for claim in response.context["cl"].result_list]


def test_the_queue_lists_others_claims_in_review_oldest_first(login, make_claim, in_review, make_staff):
    editor = make_staff("Editor")  # an editor drafts as well as reviews; verifiers do not draft
    newer = in_review(5, statement="Newer")
    older = in_review(50, statement="Older")
    in_review(100, statement="Mine", drafted_by=editor)
    make_claim(statement="A draft")
    make_claim(statement="Published", state=State.PUBLISHED)
    response = login(editor).get(QUEUE)
    assert _rows(response) == [older.statement, newer.statement]


def test_the_queue_filters_by_flagged_evidence_and_agreement_and_searches(
    login, in_review, make_evidence, make_agreement, link, verifier, staff
):
    flagged = in_review(10, statement="Flagged one")
    evidence_source = make_evidence(flagged).source
    services.source_edit(  # the quote no longer occurs: flagged
        source=evidence_source, by=staff.editor, note="The ministry shortened the page.",
        fields={"text": evidence_source.text.replace("Security and Defence", "")},
    )  # fmt: skip
    assert flagged.evidence.get().anchor_broken
    about = in_review(20, statement="About the partnership")
    agreement = make_agreement(slug="sdcp", title="Security partnership", kind="security_defence", state=State.DRAFT)
    link(about, agreements=[agreement])
    client = login(verifier)
    assert _rows(client.get(QUEUE, {"flagged": "yes"})) == ["Flagged one"]
    assert _rows(client.get(QUEUE, {"agreements__id__exact": agreement.pk})) == ["About the partnership"]
    assert _rows(client.get(QUEUE, {"q": "partnership"})) == ["About the partnership"]


def test_opening_a_queued_claim_goes_to_its_claim_page(login, in_review, verifier):
    claim = in_review(1)
    response = login(verifier).get(f"{QUEUE}{claim.pk}/change/")
    assert response.status_code == 302 and response["Location"] == f"/admin/desk/claim/{claim.pk}/change/"


def test_passages_are_sentences_with_their_offsets_and_fragments_are_skipped():
    text = "The first sentence is right here. “The second one follows!” Short.\n\nA new paragraph (with a bracket)."
    assert [text[s:e] for s, e in split_passages(text)] == [
        "The first sentence is right here.",
        "“The second one follows!”",
        "A new paragraph (with a bracket).",
    ]


def test_candidates_rank_relevant_passages_from_other_sources_first(make_claim, make_source):
    own = make_source(text="Canada and Thailand launched free trade talks in Gyeongju this week.")
    claim = make_claim(
        source=own, quote="launched free trade talks", statement="Canada and Thailand began free trade talks."
    )
    relevant = make_source(
        text="The weather in Ottawa was cold on Tuesday morning.\n"
        "Canada and Thailand began negotiations on a free trade agreement, officials said."
    )
    make_source(text="Japan's new prime minister spoke about energy security.")
    make_source(text="Canada and Thailand free trade talks were retracted here.", state=State.RETRACTED)
    candidates = find_candidates(claim)
    assert candidates, "expected at least one candidate"
    best = candidates[0].passage
    assert best.source == relevant
    assert best.text == "Canada and Thailand began negotiations on a free trade agreement, officials said."
    assert all(c.passage.source_id != own.pk for c in candidates)
    assert all(c.passage.source.state != State.RETRACTED for c in candidates)


def test_one_click_attaches_a_candidate_with_its_stance(login, in_review, make_source, verifier):
    claim = in_review(1, statement="Korean President Lee Jae Myung announced a partnership.")
    make_source(text="Officials confirmed that President Lee Jae Myung announced the partnership in Gyeongju.")
    client = login(verifier)
    page = client.get(f"/admin/desk/claim/{claim.pk}/candidates/")
    candidate = page.context["candidates"][0]
    response = client.post(
        f"/admin/desk/claim/{claim.pk}/candidates/", {"passage": candidate.passage.pk, "stance": "supports"}
    )
    assert response.status_code == 302
    evidence = claim.evidence.get()
    assert (evidence.quote, evidence.start, evidence.stance) == (
        candidate.passage.text,
        candidate.passage.start,
        "supports",
    )
    assert client.get(f"/admin/desk/claim/{claim.pk}/candidates/").context["candidates"][0].attached


def test_an_unknown_stance_attaches_nothing_and_says_why(login, in_review, make_source, verifier):
    claim = in_review(1, statement="Korean President Lee Jae Myung announced a partnership.")
    make_source(text="President Lee Jae Myung announced the partnership in Gyeongju, officials said.")
    client = login(verifier)
    passage = client.get(f"/admin/desk/claim/{claim.pk}/candidates/").context["candidates"][0].passage
    response = client.post(
        f"/admin/desk/claim/{claim.pk}/candidates/", {"passage": passage.pk, "stance": "maybe"}, follow=True
    )
    assert "Choose whether the passage supports" in response.content.decode()
    assert not claim.evidence.exists()


def test_the_queue_offers_the_sources_most_of_its_claims_cite_and_the_chosen_one(
    login, in_review, make_source, verifier, monkeypatch
):
    monkeypatch.setattr("tracker.desk.admin.claims.BusiestRelatedFilter.shown", 2)
    busy, medium, quiet = (make_source(title=title) for title in ("Busy readout", "Medium brief", "Quiet memo"))
    for n, source in enumerate([busy, busy, busy, medium, medium, quiet]):
        in_review(60 - n, statement=f"Claim {n} on {source.title}", source=source)
    client = login(verifier)

    def offered(response) -> list[str]:
        (spec,) = [spec for spec in response.context["cl"].filter_specs if spec.title == "source"]
        return [label for _, label in spec.lookup_choices]

    assert offered(client.get(QUEUE)) == ["Busy readout", "Medium brief"]
    chosen = client.get(QUEUE, {"source__id__exact": quiet.pk})
    assert offered(chosen) == ["Busy readout", "Medium brief", "Quiet memo"]
    assert _rows(chosen) == ["Claim 5 on Quiet memo"]
    assert client.get(QUEUE, {"source__id__exact": "x"}).status_code < 500
