"""Earlier checks: published and in-progress claims that say much the same thing as a
claim, so a reporter links a repeat to the earlier check instead of starting over.

Two cheap pre-selections, then one ranking. Published claims come from the public
search index (PostgreSQL text search or SQLite FTS5, any of the statement's words);
claims in progress (draft, in review) from their statements containing the rarest
words. Both are bounded, so the cost does not grow with the record. The candidates are
ranked by rapidfuzz's token-set similarity of statements.

Which words are rarest: on PostgreSQL, the planner's own statistics of the search
index (the most common lexemes and their shares, kept by ANALYZE) say, longest first
among equals; on SQLite, and before any ANALYZE, the longest words are taken as the
rarest-looking.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Q
from rapidfuzz import fuzz, utils

from tracker.search.models import SearchDocument

from .candidates import query_terms
from .choices import State
from .models import Claim

PRESELECT = 60
RANKED = 500
MIN_SCORE = 50.0


@dataclass
class Similar:
    claim: Claim
    score: float


# The share of search documents with each of the words, for those among the most common
# lexemes of the index's statistics (pg_stats); a word not among them is rarer than all.
# And whether the word is a stop word of the index's configuration (no lexeme at all).
_SHARES_SQL = f"""
    SELECT w.word, MAX(s.share), length(to_tsvector('english', w.word)) = 0
    FROM unnest(%s::text[]) AS w(word)
    LEFT JOIN (
        SELECT e.lexeme, e.share
        FROM pg_stats,
        LATERAL unnest(most_common_elems::text::text[], most_common_elem_freqs) AS e(lexeme, share)
        WHERE schemaname = current_schema() AND tablename = '{SearchDocument._meta.db_table}'
          AND attname = 'search_vector'
    ) s ON s.lexeme = ANY(tsvector_to_array(to_tsvector('english', w.word)))
    GROUP BY w.word
"""


def rarest_first(terms: list[str]) -> list[str]:
    """The statement's words, the rarest in the record first (longest first among
    equals). "According" is in 95% of the demo's documents; a GIN AND of it and two
    other common words read 20,000 postings (120 ms).

    On PostgreSQL a stop word of the index ("out", "same") is left out: it is in no
    document's vector, so its share reads as none, and it came first. The search
    then ignored it, and the in-progress tier matched `%out%` in every "about"."""
    longest = sorted(terms, key=len, reverse=True)
    if connection.vendor != "postgresql" or not terms:
        return longest
    with connection.cursor() as cursor:
        cursor.execute(_SHARES_SQL, [longest])
        rows = cursor.fetchall()
    shares = {word: share or 0.0 for word, share, _ in rows}
    stop = {word for word, _, is_stop in rows if is_stop}
    kept = [word for word in longest if word not in stop]
    return sorted(kept, key=lambda word: shares.get(word, 0.0))  # stable: longest among equals


def _two_tiers(terms: list[str], limit: int, find) -> list[int]:
    """The claims with all of the statement's three rarest words, then, to fill up,
    those with any of its six rarest: `find(words, every=...)`, `terms` rarest first.
    An OR of every word matched nearly every claim ("according", "said"): 0.3-0.6 s."""
    ids = find(terms[:3], every=True)
    if len(ids) < limit:
        ids += [pk for pk in find(terms[:6], every=False) if pk not in ids]
    return ids[:limit]


def _published_ids(terms: list[str], limit: int) -> list[int]:
    """Published claims, from the public search index: all three words ranked, the
    fill-up unranked (rapidfuzz ranks all candidates)."""
    return _two_tiers(terms, limit, lambda words, every: _matching(words, every=every, limit=limit))


def _matching(terms: list[str], *, every: bool, limit: int) -> list[int]:
    documents = SearchDocument.objects.filter(kind=SearchDocument.Kind.CLAIM)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
        from django.db.models.expressions import RawSQL

        # The stored, indexed vector; only title words (`:A`, a claim's statement).
        query = SearchQuery(
            (" & " if every else " | ").join(f"{term}:A" for term in terms), search_type="raw", config="english"
        )
        vector = RawSQL(f"{SearchDocument._meta.db_table}.search_vector", [], output_field=SearchVectorField())
        matches = documents.annotate(document=vector).filter(document=query).order_by()
        if every:  # ranked, among the first RANKED found: ts_rank on 20,000 matches took 0.2 s
            # (Two queries: the vector is raw SQL naming the table, which a subquery renames.)
            first = list(matches.values_list("pk", flat=True)[:RANKED])
            matches = (
                documents.filter(pk__in=first).annotate(rank=SearchRank(vector, query)).order_by("-rank", "-updated_at")
            )
        return list(matches.values_list("object_id", flat=True)[:limit])
    match = (" AND " if every else " OR ").join(f'title : "{term}"' for term in terms)
    order = "bm25(public_searchdocument_fts)" if every else "f.rowid DESC"  # rowid order: streamed
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.object_id FROM public_searchdocument_fts f "
            "JOIN public_searchdocument d ON d.id = f.rowid "
            f"WHERE public_searchdocument_fts MATCH %s AND d.kind = %s ORDER BY {order} LIMIT %s",
            [match, SearchDocument.Kind.CLAIM, limit],
        )
        return [row[0] for row in cursor.fetchall()]


def _in_progress_ids(terms: list[str], limit: int) -> list[int]:
    """Drafts and claims in review, by their statements (on PostgreSQL the trigram
    indexes of migration 0015 answer both tiers)."""
    in_progress = Claim.objects.filter(state__in=(State.DRAFT, State.IN_REVIEW)).order_by("-updated_at")

    def find(words: list[str], *, every: bool) -> list[int]:
        if not every:
            wanted = reduce(or_, (Q(statement__icontains=word) for word in words))
            return list(in_progress.filter(wanted).values_list("pk", flat=True)[:limit])
        # Few claims have all three words: fetched unordered and sorted here, since an
        # ORDER BY made SQLite walk every claim in date order looking for them (120 ms).
        every_word = in_progress.filter(*(Q(statement__icontains=word) for word in words)).order_by()
        return [pk for _, pk in sorted(every_word.values_list("updated_at", "pk")[: 4 * limit], reverse=True)]

    return _two_tiers(terms, limit, find)


def similar_claims(claim: Claim, *, limit: int = 8) -> list[Similar]:
    """Published and in-progress claims most like `claim`, best first (not itself,
    not retracted ones). A fixed number of queries, whatever the size of the record."""
    terms = rarest_first(query_terms(claim.statement))
    if not terms:
        return []
    ids = set(_published_ids(terms, PRESELECT)) | set(_in_progress_ids(terms, PRESELECT))
    ids.discard(claim.pk)
    candidates = Claim.objects.filter(pk__in=ids, state__in=(State.DRAFT, State.IN_REVIEW, State.PUBLISHED))
    mine = utils.default_process(claim.statement)
    ranked = [
        Similar(other, fuzz.token_set_ratio(mine, utils.default_process(other.statement)))
        for other in candidates.select_related("drafted_by")
    ]
    ranked = [item for item in ranked if item.score >= MIN_SCORE]
    ranked.sort(key=lambda item: (-item.score, item.claim.state != State.PUBLISHED, -item.claim.pk))
    return ranked[:limit]


def related_checks(claim: Claim) -> list[Claim]:
    """For readers: the published earlier check this claim repeats, and the published
    claims that repeat it."""
    # Two indexed lookups on this table (not `repeats=claim`, a join that made the
    # database walk every published claim to find them: 1.5 s at 100,000 claims).
    links = Q(earlier_check_id=claim.pk)
    if claim.earlier_check_id is not None:
        links |= Q(pk=claim.earlier_check_id)
    linked = Claim.objects.filter(links).values("pk")  # found by those indexes first
    related = Claim.objects.published().filter(pk__in=linked).exclude(pk=claim.pk)
    return list(related.select_related("source").order_by("-verdict_published_at")[:20])


# A repeat is offered to a reporter only above this: token-set similarity of 70 or more
# is the same claim in other words ("Canada and Korea signed..." / "Korea and Canada have
# signed..."); in the 50-70 band sit claims that share a subject, not a statement.
REPEAT_THRESHOLD = 70.0
REPEATS_SHOWN = 5


def likely_repeats(statement: str, *, exclude: int | None = None, limit: int = REPEATS_SHOWN) -> list[Similar]:
    """The few claims a statement most likely repeats, best first: one ranked list above
    REPEAT_THRESHOLD (the intake as a reporter types, and the claim's page after saving)."""
    draft = Claim(pk=exclude, statement=statement)
    ranked = similar_claims(draft, limit=limit)
    return [item for item in ranked if item.score >= REPEAT_THRESHOLD]
