"""Only the query parameters a view reads reach it, and its cache key.

A cached page or API answer is kept under its address (tracker/public/caching.py,
`page_key`). Were the address taken as sent, every parameter a view ignores
(`?cb=<random>`, `utm_source=...`) would make a new entry of the same answer, and a
visitor could fill the cache with them; and as pages echo their query string into
their links (pagination, "email alerts for this list"), the entry kept for one
visitor's junk would be served to the next. So each cached view declares the
parameters it reads (`@reads(...)` on pages; DRF views derive them from their
FilterSet, pagination and search), and before the view runs the others are dropped
from the request itself, which is also put in one order: the view, its links and its
cache key see the same canonical address. The same rule holds on pages and in the
API: an unknown parameter is ignored, never an error and never a new cache entry.
"""

from collections.abc import Callable, Iterable

from django.http import HttpRequest, QueryDict


def reads(*names: str) -> Callable:
    """Declare the query parameters a view reads (none: it reads none)."""

    def declare(view: Callable) -> Callable:
        view.reads = frozenset(names)
        return view

    return declare


def filter_names(filterset_class) -> list[str]:
    return list(filterset_class.base_filters)


def _declared(view) -> Iterable[str] | None:
    names = getattr(view, "reads", None)
    if names is not None:
        return names
    cls = getattr(view, "cls", None)  # a DRF view: as_view() sets `cls`
    if cls is not None and hasattr(cls, "query_parameters"):
        return cls.query_parameters()
    return None


class KnownParametersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view, args, kwargs):
        if request.method not in ("GET", "HEAD") or not request.GET:
            return None
        names = _declared(view)
        if names is None:
            return None
        keys = list(request.GET)
        kept = sorted(key for key in keys if key in names)
        if kept == keys:
            return None  # the common case: nothing to drop, already in order
        canonical = QueryDict(mutable=True)
        for key in kept:
            canonical.setlist(key, request.GET.getlist(key))
        request.META["QUERY_STRING"] = canonical.urlencode()
        canonical._mutable = False
        request.GET = canonical
        return None
