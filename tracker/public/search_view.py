"""/search/: full-text search across the published record (tracker/search/index.py)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from tracker.caching import tags
from tracker.parameters import reads
from tracker.search import index as fulltext

from .caching import public_page
from .lists import page_number

PER_PAGE = 20
MAX_PAGE = 500


@require_safe
@reads("q", "kind", "page")
@public_page
def search(request: HttpRequest) -> HttpResponse:
    # Results come from the index, not from loaded records: any change of an indexed
    # record may move them.
    tags.depends_on(*(f"changed:{kind}" for kind in fulltext.MODELS))
    query = request.GET.get("q", "")
    kinds = request.GET.getlist("kind")
    page = page_number(request.GET.get("page"), last=MAX_PAGE)
    errors = []
    unknown = [kind for kind in kinds if kind not in fulltext.MODELS]
    if unknown:
        errors.append(
            f"Kind: “{unknown[0][:40]}” is not something we search; choose claims, sources, agreements or meetings."
        )
    if page is None:
        errors.append(f"Page: the page number must be a whole number from 1 to {MAX_PAGE}.")
    terms, results = [], None
    if not errors:
        try:
            offset = (page - 1) * PER_PAGE
            results = fulltext.search(query, kinds=kinds or None, offset=offset, limit=PER_PAGE)
        except fulltext.SearchError as exc:
            errors.append(str(exc))
    context = {
        "query": query[: fulltext.MAX_QUERY_LENGTH],
        "kinds": kinds,
        "kind_choices": fulltext.Kind.choices,
        "results": results,
        "errors": errors,
        "page": page if not errors else 1,
        "per_page": PER_PAGE,
    }
    if results is not None:
        terms = results.terms
        start = (page - 1) * PER_PAGE + 1
        context.update(
            start=start,
            end=start + len(results.hits) - 1,
            terms=terms,
            has_next=results.more and page < MAX_PAGE,
            has_previous=page > 1,
        )
    return render(request, "public/search.html", context, status=400 if errors else 200)
