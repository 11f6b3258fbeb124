"""DESIGN.md's rules as checks over the whole database and the public surfaces.

The property test (test_desk_rules.py) runs them after every step of its random desk;
tests/desk/test_generate_demo.py runs them over a generated demo record. Each raises
AssertionError saying which record breaks which rule.
"""

from django.core.cache import caches
from django.test import Client
from django.utils.html import escape

from tracker.desk.choices import AnchorMethod, CorrectionKind, State, Verdict
from tracker.desk.models import Claim, Correction, Evidence, Source
from tracker.events.models import Event
from tracker.search.models import SearchDocument

CONTENT = ("statement", "claimant", "claimant_person_id", "claimed_on", "source_id", "quote")


# History rows of quotes an edit of their source moved: a correction of the source, not
# authorship of the claim (the mover never confirms them: anchor_moved_by).
MOVED = ("Re-anchored after an edit of", "Orphaned: ")


def _wrote(row) -> bool:
    return bool(row.history_user_id) and not (row.history_change_reason or "").startswith(MOVED)


def authors(claim: Claim) -> set[int]:
    """Who wrote any of the claim's content or evidence, read off the history tables."""
    authors: set[int] = set()
    previous = None
    for row in Claim.history.filter(id=claim.pk).order_by("history_date", "history_id"):
        content = tuple(getattr(row, name) for name in CONTENT)
        if (previous is None or content != previous) and _wrote(row):
            authors.add(row.history_user_id)
        previous = content
    evidence_rows = Evidence.history.filter(claim_id=claim.pk).order_by("history_date", "history_id")
    last: dict[int, tuple] = {}
    for row in evidence_rows:
        words = (row.source_id, row.quote, row.stance, row.note)
        if (row.history_type in "+-" or last.get(row.id) != words) and _wrote(row):
            authors.add(row.history_user_id)
        last[row.id] = words
    return authors


def published_verdicts_rest_on_published_evidence() -> None:
    """Rule 3, stated here in its own words (not through tracker.desk.rules, the code
    under test): every verdict but "not yet rated" rests on at least one published
    quote, "accurate" on a supporting one, "inaccurate" on a contradicting one."""
    for claim in Claim.objects.published().select_related("source"):
        assert claim.source.state == State.PUBLISHED, f"{claim.slug}: published from an unpublished source"
        assert not claim.anchor_broken, claim
        stances = {e.stance for e in Evidence.objects.published().filter(claim=claim)}
        assert claim.verdict != Verdict.NOT_RATED and claim.rationale
        assert stances, f"{claim.slug}: a verdict of {claim.verdict} resting on no published quote"
        if claim.verdict == Verdict.ACCURATE:
            assert "supports" in stances, f"{claim.slug}: accurate without a supporting quote"
        if claim.verdict == Verdict.INACCURATE:
            assert "contradicts" in stances, f"{claim.slug}: inaccurate without a contradicting quote"


def a_claim_is_never_its_own_evidence() -> None:
    for item in Evidence.objects.select_related("claim"):
        if item.source_id == item.claim.source_id:
            assert item.stance == "context", item
            assert item.end <= item.claim.start or item.start >= item.claim.end, item


def the_publisher_wrote_none_of_it() -> None:
    for claim in Claim.objects.published():
        assert claim.reviewed_by_id not in authors(claim), f"{claim.slug}: its publisher wrote some of it"


def every_anchored_quote_is_where_its_offsets_say() -> None:
    for item in [*Evidence.objects.select_related("source"), *Claim.objects.select_related("source")]:
        if not item.anchor_broken:
            assert item.source.text[item.start : item.end] == item.quote, item


def nothing_unpublished_is_public() -> None:
    published = set(Claim.objects.published().values_list("slug", flat=True))
    public_sources = set(Source.objects.published().values_list("slug", flat=True))
    anonymous = Client()
    caches["rates"].clear()  # the API's anonymous rate would run out over a long run
    response = anonymous.get("/api/v1/claims/", {"page_size": 200})
    assert response.status_code == 200, response.content
    api = response.json()["results"]
    assert {row["slug"] for row in api} == published
    for row in api:
        assert row["source"] is None or row["source"]["slug"] in public_sources
        assert row["quote"] is None or row["source"] is not None
        assert {item["source"]["slug"] for item in row["evidence"]} <= public_sources
    page = anonymous.get("/claims/").content.decode()
    feed = anonymous.get("/feeds/verdicts/").content.decode()
    for claim in Claim.objects.exclude(state=State.PUBLISHED):
        response = anonymous.get(f"/claims/{claim.slug}/")
        if response.status_code == 200:
            # Withdrawn to review: its address says so under the title readers last saw,
            # and shows nothing of what it holds now (rule 6).
            shown = response.content.decode()
            seen = Event.objects.filter(record_type="claim", record_id=claim.pk).latest("id")
            assert claim.first_published_at and seen.kind == "withdrawn" and "Under review" in shown, claim.slug
            assert response["X-Robots-Tag"] == "noindex"
            for text in (claim.statement, claim.rationale):
                assert text in seen.title or escape(text) not in shown, (claim.slug, text)
        else:
            assert response.status_code in (404, 410)
        assert f"/claims/{claim.slug}/" not in page and f"/claims/{claim.slug}/" not in feed
    documents = SearchDocument.objects.filter(kind="claim")
    assert set(documents.values_list("slug", flat=True)) == published
    hidden = Claim.objects.published().exclude(source__state=State.PUBLISHED)
    for claim in hidden:
        assert claim.quote not in documents.get(object_id=claim.pk).body


def every_retraction_has_a_public_note() -> None:
    """Rule 5: retracting a record needs a public note."""
    notes = Correction.objects.filter(kind=CorrectionKind.RETRACTION).exclude(note="")
    for claim in Claim.objects.filter(state=State.RETRACTED):
        assert notes.filter(claim=claim).exclude(note__regex=r"^\s*$").exists(), f"{claim.slug}: retracted unannounced"
    for source in Source.objects.filter(state=State.RETRACTED):
        assert notes.filter(source=source).exclude(note__regex=r"^\s*$").exists(), (
            f"{source.slug}: retracted unannounced"
        )


RE_ANCHORED = "Re-anchored after an edit of"
CONFIRMED = "Quote confirmed after an edit of “"


def _quote_rows(model):
    rows: dict[int, list] = {}
    for row in model.history.order_by("history_date", "history_id"):
        rows.setdefault(row.id, []).append(row)
    return rows


def no_quote_is_silently_repointed() -> None:
    """Rule 2: a quote an edit of its source re-pointed to other words is flagged until
    a person confirms it (read off the history: the last change of its words was a
    person's, or it still needs a look)."""
    for model in (Claim, Evidence):
        current = {item.pk: item for item in model.objects.all()}
        for pk, rows in _quote_rows(model).items():
            item = current.get(pk)
            if (
                item is None
                or item.anchor_broken
                or item.anchor_method in (AnchorMethod.TOLERANT, AnchorMethod.APPROXIMATE)
            ):
                continue
            changed = [n for n in range(1, len(rows)) if rows[n].quote != rows[n - 1].quote]
            if changed and (rows[changed[-1]].history_change_reason or "").startswith(RE_ANCHORED):
                later = [row.history_change_reason or "" for row in rows[changed[-1] + 1 :]]
                assert any(reason.startswith(CONFIRMED) for reason in later), (
                    f"{item}: re-pointed to “{item.quote}” by an edit of its source, and not flagged"
                )


def moved_quotes_are_confirmed_by_someone_else() -> None:
    """Rule 5: a re-pointed or orphaned quote is confirmed by someone other than whoever
    made the edit that moved it."""
    for model in (Claim, Evidence):
        for rows in _quote_rows(model).values():
            for before, row in zip(rows, rows[1:], strict=False):
                if (row.history_change_reason or "").startswith(CONFIRMED):
                    assert before.anchor_moved_by_id != row.history_user_id, f"{row.instance}: confirmed by its mover"
