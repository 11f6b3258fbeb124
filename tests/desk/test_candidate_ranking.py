"""Candidate evidence ranks the obvious passage first (the seeded Carney–Xi example)."""

from pathlib import Path

from django.conf import settings

from tracker.desk import services
from tracker.desk.candidates import find_candidates

SOURCES = Path(settings.BASE_DIR) / "seeds" / "sources"
STATEMENT = (
    "Carney and President Xi Jinping held their first official meeting and agreed to renew the Canada–China "
    "relationship."
)
QUOTE = "for their first official meeting, with the two leaders agreeing to renew the Canada-China relationship"


def test_the_passage_saying_they_agreed_to_reset_ties_ranks_first(make_source, staff):
    sources = {path.name[:3]: make_source(path.read_text(encoding="utf-8")) for path in sorted(SOURCES.glob("*.txt"))}
    claim = services.claim_create_draft(by=staff.reporter, source=sources["001"], quote=QUOTE, statement=STATEMENT)
    ranked = [c.passage.text for c in find_candidates(claim)]
    assert "agreed to reset bilateral ties" in ranked[0]


def test_someone_who_would_be_refused_sees_no_attach_buttons(login, make_claim, make_source, staff):
    make_source("Carney and Xi agreed to reset bilateral ties after years of strain.")
    claim = make_claim(state="in_review", statement="Carney and Xi agreed to reset ties.")
    page = login(staff.reporter).get(f"/admin/desk/claim/{claim.pk}/candidates/").content.decode()
    assert "reset bilateral ties" in page
    assert 'name="stance"' not in page and "a verifier changes it now" in page
    assert 'name="stance"' in login(staff.verifier).get(f"/admin/desk/claim/{claim.pk}/candidates/").content.decode()
