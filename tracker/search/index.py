"""Full-text search across the published claims, sources, agreements and meetings.

One index table (tracker.search.models.SearchDocument) holds a row per published
record, kept current by signals on save and delete: every change the desk's services
make is a save, so the index follows them. What each kind of record puts in the
index is declared by the app that owns it (tracker/desk/search.py, through indexes.py).
PostgreSQL searches it with its own text search (ranked by ts_rank, highlighted by
ts_headline); SQLite searches an FTS5 table that mirrors it through triggers (ranked
by bm25, highlighted by snippet).

The index only ever receives published records, and every query also joins back to
`Model.objects.published()`, so a record whose state changed without a save (a bulk
`update()`) still never appears in results.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_delete, post_save
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .indexes import models, registry
from .models import SearchDocument

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
# The most candidates a search checks by their ids in one query (SQLite allows 32,766
# parameters); the deepest page (500 x 20) takes about 20,000.
MAX_CANDIDATES = 25_000
FTS_TABLE = "public_searchdocument_fts"
# Highlight delimiters the database puts around matches: control characters that
# HTML-escaping leaves alone, swapped for <mark> only after the text is escaped.
_START, _STOP = "\x02", "\x03"
_TERM = re.compile(r"\w+", re.UNICODE)
# PostgreSQL's English stop words (the Snowball list of its `english` configuration): its
# text search leaves them out of every vector and query, so a search for "the" found
# nothing there, while SQLite's FTS5, which keeps every word, ranked all 125,000
# documents (130 ms). Both leave them out of the query now, and the page says so.
_ENGLISH_STOP_WORDS = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did doing
    a an the and but if or because as until while of at by for with about against between into
    through during before after above below to from up down in out on off over under again
    further then once here there when where why how all any both each few more most other some
    such no nor not only own same so than too very s t can will just don should now
"""
STOP_WORDS = frozenset(_ENGLISH_STOP_WORDS.split())

Kind = SearchDocument.Kind
MODELS = models  # kind -> model, as the apps declared them (indexes.py)


class SearchError(ValueError):
    """The query cannot be searched; the message says why, for the reader."""


def document_text(kind: str, record) -> tuple[str, str]:
    """The (title, body) a record is found by, as its app declares it (indexes.py)."""
    return registry[kind].document(record)


def index_record(kind: str, record, *, documents=SearchDocument.objects) -> None:
    """Add, refresh or drop one record's row: only a published record has one."""
    index = registry[kind]
    if not index.indexed(record):
        if index.may_have_document(record):
            documents.filter(kind=kind, object_id=record.pk).delete()
        return
    title, body = document_text(kind, record)
    documents.update_or_create(
        kind=kind,
        object_id=record.pk,
        defaults={"slug": record.slug, "title": title, "body": body, "updated_at": record.updated_at},
    )


def fill_index(batch: int = 2000) -> int:
    """Replace every row of the index, written in batches (minutes at 100,000 records
    where a row at a time took hours). Sources' texts are read a batch at a time.
    Call it in a transaction with whatever else must move with the index (the record
    version, so cached search pages go with the old index)."""
    SearchDocument.objects.all().delete()
    for kind, index in registry.items():
        rows = []
        for record in index.queryset().order_by("pk").iterator(chunk_size=batch):
            title, body = index.document(record)
            rows.append(
                SearchDocument(
                    kind=kind,
                    object_id=record.pk,
                    slug=record.slug,
                    title=title,
                    body=body,
                    updated_at=record.updated_at,
                )
            )
            if len(rows) >= batch:
                SearchDocument.objects.bulk_create(rows)
                rows = []
        SearchDocument.objects.bulk_create(rows)
    return SearchDocument.objects.count()


def _on_save(sender, instance, **kwargs) -> None:
    kind = _kind_of(sender)
    index_record(kind, instance)
    for dependent_kind, dependent in registry[kind].dependents(instance):
        index_record(dependent_kind, dependent)


def _on_delete(sender, instance, **kwargs) -> None:
    SearchDocument.objects.filter(kind=_kind_of(sender), object_id=instance.pk).delete()


def _kind_of(model) -> str:
    return next(kind for kind, index in registry.items() if index.model is model)


def connect_signals() -> None:
    """Index every declared kind of record on save (the apps' `search` modules are
    imported first: SearchConfig.ready)."""
    for model in MODELS.values():
        post_save.connect(_on_save, sender=model, dispatch_uid=f"search-index-save-{model.__name__}")
        post_delete.connect(_on_delete, sender=model, dispatch_uid=f"search-index-delete-{model.__name__}")


@dataclass(frozen=True)
class Hit:
    kind: str
    title: SafeString
    snippet: SafeString
    url: str
    updated_at: datetime

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label


@dataclass(frozen=True)
class Results:
    terms: list[str]  # the words searched for
    hits: list[Hit]
    more: bool  # whether more matches follow this page (they are never all counted)
    left_out: tuple[str, ...] = ()  # words of the query too common to search for (STOP_WORDS)


def parse_query(query: str) -> list[str]:
    """The words searched for. Raises SearchError for a query we will not run."""
    query = query.strip()
    if len(query) > MAX_QUERY_LENGTH:
        raise SearchError(
            f"Your search is {len(query)} characters long; searches are limited to {MAX_QUERY_LENGTH}. "
            "Try a few distinctive words."
        )
    terms = [term.lower() for term in _TERM.findall(query)]
    if query and not terms:
        raise SearchError("Your search has no letters or digits in it. Try a word or a name.")
    if len(terms) > MAX_TERMS:
        raise SearchError(f"Your search has {len(terms)} words; use at most {MAX_TERMS}.")
    return terms


def _visible(kinds: list[str]) -> Q:
    visible = Q(pk__in=[])
    for kind in kinds:
        visible |= Q(kind=kind, object_id__in=MODELS[kind].objects.published().values("pk"))
    return visible


def _visible_rows(kinds: list[str]) -> Q:
    """The same documents as _visible, checked row by row (a correlated EXISTS): for a
    few candidates, not for ranking the whole index."""
    visible = Q(pk__in=[])
    for kind in kinds:
        published = MODELS[kind].objects.published().filter(pk=OuterRef("object_id"))
        visible |= Q(kind=kind) & Exists(published)
    return visible


def _highlighted(text: str) -> SafeString:
    marked = escape(text).replace(_START, "<mark>").replace(_STOP, "</mark>")
    return mark_safe(marked)  # noqa: S308 - escaped above; only our own <mark> tags are added


def _hit(kind: str, slug: str, title: str, snippet: str, updated_at: datetime) -> Hit:
    return Hit(
        kind=kind,
        title=_highlighted(title),
        snippet=_highlighted(snippet),
        url=reverse(registry[kind].url_name, args=[slug]),
        updated_at=updated_at,
    )


def search(query: str, *, kinds: list[str] | None = None, offset: int = 0, limit: int = 20) -> Results:
    """Published records matching every word of `query`, best first: one query for the
    page (and one row past it, to tell whether more follow) whatever the size of the
    page or the index. Matches are never counted in full."""
    parsed = parse_query(query)
    terms = [term for term in parsed if term not in STOP_WORDS]
    left_out = tuple(dict.fromkeys(term for term in parsed if term in STOP_WORDS))
    kinds = [kind for kind in (kinds or list(MODELS)) if kind in MODELS]
    if not terms:
        return Results(terms=[], hits=[], more=False, left_out=left_out)
    search_page = _search_postgresql if connection.vendor == "postgresql" else _search_sqlite
    hits = search_page(kinds, terms, offset, limit + 1)
    return Results(terms=terms, hits=hits[:limit], more=len(hits) > limit, left_out=left_out)


def _search_postgresql(kinds: list[str], terms: list[str], offset: int, limit: int) -> list[Hit]:
    """On the stored, GIN-indexed `search_vector` column (migration 0003_search_vector),
    in the three steps of the SQLite search below: rank the index alone, keep the ranked
    candidates that are visible (checked row by row), then highlight only the page.
    Checking every match against the published records instead hashed every published
    claim's id on each search (65 of 210 ms for a word in 17,000 documents). When too
    few candidates are visible, the visible documents are ranked in one query."""
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField

    query = SearchQuery(" ".join(terms), search_type="plain", config="english")
    vector = RawSQL(f"{SearchDocument._meta.db_table}.search_vector", [], output_field=SearchVectorField())
    window = 2 * (offset + limit) + 20
    ranked = list(
        SearchDocument.objects.filter(kind__in=kinds)
        .annotate(document=vector)
        .filter(document=query)
        .annotate(rank=SearchRank(vector, query))
        .order_by("-rank", "-updated_at", "pk")
        .values_list("pk", flat=True)[:window]
    )
    visible = set(SearchDocument.objects.filter(_visible_rows(kinds), pk__in=ranked).values_list("pk", flat=True))
    candidates = [pk for pk in ranked if pk in visible]
    if len(ranked) < window or len(candidates) >= offset + limit:
        page = candidates[offset : offset + limit]
        if not page:
            return []
        rows = _headlines(SearchDocument.objects.filter(pk__in=page), query)
        order = {pk: position for position, pk in enumerate(page)}
        return [_hit(*row[1:]) for row in sorted(rows, key=lambda row: order[row[0]])]
    return _rank_visible_postgresql(kinds, query, vector, offset, limit)


def _headlines(documents, query, start: int = 0, stop: int | None = None) -> list[tuple]:
    from django.contrib.postgres.search import SearchHeadline

    headline = {"config": "english", "start_sel": _START, "stop_sel": _STOP}
    marked = documents.annotate(
        title_marked=SearchHeadline("title", query, highlight_all=True, **headline),
        snippet=SearchHeadline("body", query, max_words=40, min_words=15, max_fragments=2, **headline),
    )
    return list(marked.values_list("pk", "kind", "slug", "title_marked", "snippet", "updated_at")[start:stop])


def _rank_visible_postgresql(kinds: list[str], query, vector, offset: int, limit: int) -> list[Hit]:
    """The page of the visible documents, ranked in one query (the slower way, always
    right; also what the three steps above must agree with)."""
    from django.contrib.postgres.search import SearchRank

    matches = SearchDocument.objects.filter(_visible(kinds)).annotate(document=vector).filter(document=query)
    ranked = matches.annotate(rank=SearchRank(vector, query)).order_by("-rank", "-updated_at", "pk")
    rows = _headlines(ranked, query, offset, offset + limit)
    return [_hit(*row[1:]) for row in rows]


def _search_sqlite(kinds: list[str], terms: list[str], offset: int, limit: int) -> list[Hit]:
    """Three steps, so that a word matching 17,000 documents costs about what the page
    costs: rank in the FTS5 index alone (bm25, no join), keep the ranked candidates that
    are visible (checked row by row), then highlight only the page, found by rowid and
    put in the order the first step gave (ordering it by bm25 again made FTS5 walk every
    match of each word once more: 50 of 130 ms for a word in every document). When too
    few of the candidates are visible (drafts, or one kind asked for), the visible
    documents are ranked in one query instead (the slower way, always right)."""
    match = _fts_match(terms)
    window = 2 * (offset + limit) + 20
    ranked = _bm25(match, "ORDER BY 2 LIMIT %s", [window])
    candidates = _visible_in_order(kinds, ranked)
    if len(ranked) >= window:
        if len(candidates) < offset + limit:
            return _rank_visible_sqlite(kinds, terms, offset, limit)
        # The index orders equal ranks its own way, not newest first: when the page ends
        # on the last rank taken, the matches of that rank left out may belong before it.
        last = max(ranked.values())
        if ranked[candidates[offset + limit - 1]] == last:
            ranked = _bm25(match, f"AND bm25({FTS_TABLE}, 4.0, 1.0) <= %s", [last])
            if len(ranked) > MAX_CANDIDATES:  # thousands of equal documents: rank them in one query
                return _rank_visible_sqlite(kinds, terms, offset, limit)
            candidates = _visible_in_order(kinds, ranked)
    page = candidates[offset : offset + limit]
    if not page:
        return []
    rows = _sqlite_hits(match, f"{FTS_TABLE}.rowid IN ({', '.join(['%s'] * len(page))})", page)
    order = {pk: position for position, pk in enumerate(page)}
    return [hit for _pk, hit in sorted(rows, key=lambda row: order[row[0]])]


def _bm25(match: str, rest: str, params: list) -> dict[int, float]:
    """{rowid: rank} of the index's matches, from the index alone (lower ranks first)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid, bm25({FTS_TABLE}, 4.0, 1.0) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s {rest}",
            [match, *params],
        )
        return dict(cursor.fetchall())


def _visible_in_order(kinds: list[str], ranked: dict[int, float]) -> list[int]:
    """The visible documents among `ranked`, in the one-query ranking's order: rank,
    then the newest first."""
    visible = SearchDocument.objects.filter(_visible_rows(kinds), pk__in=list(ranked))
    rows = sorted(visible.values_list("pk", "updated_at"), key=lambda r: (ranked[r[0]], -r[1].timestamp(), r[0]))
    return [pk for pk, _updated in rows]


def _rank_visible_sqlite(kinds: list[str], terms: list[str], offset: int, limit: int) -> list[Hit]:
    """The page of the visible documents, ranked in one query (the slower way, always
    right; also what the three steps above must agree with)."""
    everything = SearchDocument.objects.filter(_visible(kinds)).values("id")
    visible_sql, visible_params = everything.query.sql_with_params()
    order = f"ORDER BY bm25({FTS_TABLE}, 4.0, 1.0), d.updated_at DESC, d.id LIMIT %s OFFSET %s"
    rows = _sqlite_hits(_fts_match(terms), f"d.id IN ({visible_sql})", [*visible_params], order, [limit, offset])
    return [hit for _pk, hit in rows]


def _fts_match(terms: list[str]) -> str:
    return " ".join(f'"{term}"' for term in terms)


def _sqlite_hits(match: str, where: str, params: list, order: str = "", order_params=()) -> list[tuple[int, Hit]]:
    """(id, hit) of the matching documents that `where` keeps, highlighted."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.id, d.kind, d.slug, highlight({FTS_TABLE}, 0, %s, %s), "
            f"snippet({FTS_TABLE}, 1, %s, %s, '…', 40), d.updated_at "
            f"FROM {FTS_TABLE} JOIN public_searchdocument d ON d.id = {FTS_TABLE}.rowid "
            f"WHERE {FTS_TABLE} MATCH %s AND {where} {order}",
            [_START, _STOP, _START, _STOP, match, *params, *order_params],
        )
        rows = cursor.fetchall()
    to_datetime = connection.ops.convert_datetimefield_value
    return [
        (pk, _hit(kind, slug, title, snippet, to_datetime(updated, None, connection)))
        for pk, kind, slug, title, snippet, updated in rows
    ]
