"""Candidate evidence: passages of other sources ranked by relevance to a claim.

Each source's archived text is cut into sentences (`Passage` rows, rebuilt when the
text changes), and the passages are ranked by full-text relevance to the claim's
statement: PostgreSQL's `ts_rank` over `to_tsvector('english', ...)` (with a GIN
index on that expression), SQLite's FTS5 `bm25()` over a porter-stemmed index kept in
step by triggers (migration 0003). Both are made in that migration, for their backend only.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection

from .choices import State
from .models import Claim, Evidence, Passage, Source

# A sentence ends at . ! or ? (perhaps followed by a closing quote or bracket) before
# whitespace and a capital, digit or opening quote. Good enough for news prose.
_SENTENCE_END = re.compile(r"([.!?][\"'”’)\]]*)\s+(?=[\"'“‘(\[A-Z0-9])")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STOP_WORDS = frozenset(
    re.findall(
        r"\w+",
        """a an and are as at be been but by for from had has have he her his in into is it its of on or
        she that the their them they this to was were will with which who would also not no than then""",
    )
)
MIN_PASSAGE_CHARS = 25


def split_passages(text: str) -> Iterator[tuple[int, int]]:
    """Offsets (start, end) of each sentence of `text`, line by line."""
    for line in re.finditer(r"[^\n]+", text):
        spans, begin = [], 0
        for end in _SENTENCE_END.finditer(line.group()):
            spans.append((begin, end.end(1)))
            begin = end.end()
        spans.append((begin, len(line.group())))
        for start, stop in spans:
            piece = line.group()[start:stop]
            stripped = piece.strip()
            if len(stripped) >= MIN_PASSAGE_CHARS:
                at = line.start() + start + (len(piece) - len(piece.lstrip()))
                yield at, at + len(stripped)


def index_passages(source: Source) -> None:
    """Rebuild the passages of `source` from its current text."""
    Passage.objects.filter(source=source).delete()
    Passage.objects.bulk_create(
        [
            Passage(source=source, start=start, end=end, text=source.text[start:end])
            for start, end in split_passages(source.text)
        ]
    )


def query_terms(statement: str, limit: int = 24) -> list[str]:
    """The distinct meaningful words of a statement, in order."""
    terms: list[str] = []
    for word in _WORD.findall(statement.lower()):
        if len(word) > 2 and word not in _STOP_WORDS and word not in terms:
            terms.append(word)
    return terms[:limit]


@dataclass
class Candidate:
    passage: Passage
    score: float
    attached: bool


def _ranked_ids_postgresql(terms: list[str], exclude_source: int, limit: int) -> list[tuple[int, float]]:
    sql = """
        SELECT p.id, ts_rank(to_tsvector('english', p.text), q) AS rank
        FROM desk_passage p
        JOIN desk_source s ON s.id = p.source_id,
             to_tsquery('english', %s) q
        WHERE to_tsvector('english', p.text) @@ q
          AND p.source_id <> %s AND s.state <> %s
        ORDER BY rank DESC, p.id
        LIMIT %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [" | ".join(terms), exclude_source, State.RETRACTED, limit])
        return [(pk, float(rank)) for pk, rank in cursor.fetchall()]


def _ranked_ids_sqlite(terms: list[str], exclude_source: int, limit: int) -> list[tuple[int, float]]:
    sql = """
        SELECT p.id, bm25(desk_passage_fts) AS score
        FROM desk_passage_fts
        JOIN desk_passage p ON p.id = desk_passage_fts.rowid
        JOIN desk_source s ON s.id = p.source_id
        WHERE desk_passage_fts MATCH %s
          AND p.source_id <> %s AND s.state <> %s
        ORDER BY score, p.id
        LIMIT %s
    """
    match = " OR ".join(f'"{term}"' for term in terms)
    with connection.cursor() as cursor:
        cursor.execute(sql, [match, exclude_source, State.RETRACTED, limit])
        # bm25 is lower for better matches; turn it round so that higher is better everywhere.
        return [(pk, -float(score)) for pk, score in cursor.fetchall()]


def _stem(word: str) -> str:
    return word[:5]


def _rerank(
    ranked: list[tuple[int, float]], passages: dict, terms: list[str], statement_terms: list[str]
) -> list[tuple[int, float]]:
    """Order the database's matches by the claim's words each passage has (a crude
    stem: the first five letters), the statement's words counting twice the quote's,
    then by the database's own rank. Text-search ranks alone favour short passages that
    repeat a name ("Xi", "meeting") over the passage that says what the claim says."""
    weights = {_stem(term): 1 for term in terms}
    weights.update({_stem(term): 2 for term in statement_terms})
    top = max((abs(score) for _, score in ranked), default=1.0) or 1.0

    def shared(pk: int) -> int:
        words = {_stem(word) for word in _WORD.findall(passages[pk].text.lower())}
        return sum(weight for stem, weight in weights.items() if stem in words)

    # The rank breaks ties only: it stays below 1, one more shared word is worth 1 or 2.
    scored = [(pk, shared(pk) + 0.99 * (abs(score) / top)) for pk, score in ranked if pk in passages]
    return sorted(scored, key=lambda item: (-item[1], item[0]))


def find_candidates(claim: Claim, *, limit: int = 15) -> list[Candidate]:
    """Passages from sources other than the claim's own, best first."""
    terms = query_terms(claim.statement + " " + claim.quote)
    if not terms:
        return []
    rank = _ranked_ids_postgresql if connection.vendor == "postgresql" else _ranked_ids_sqlite
    ranked = rank(terms, claim.source_id, limit * 4)
    passages = Passage.objects.select_related("source").in_bulk([pk for pk, _ in ranked])
    ranked = _rerank(ranked, passages, terms, query_terms(claim.statement))[:limit]
    attached = set(Evidence.objects.filter(claim=claim).values_list("source_id", "start", "end"))
    return [
        Candidate(
            passage=passages[pk],
            score=score,
            attached=(passages[pk].source_id, passages[pk].start, passages[pk].end) in attached,
        )
        for pk, score in ranked
        if pk in passages
    ]
