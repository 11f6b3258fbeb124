"""The public pages' use of the shared response cache (tracker/caching/): conditional
GET, the kept page, and revalidate-always cache headers around a view, with a
retracted record answered 410 with its note."""

from collections.abc import Callable, Iterable
from functools import wraps

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.response import SimpleTemplateResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from tracker.caching import freshness, tags
from tracker.caching.responses import (
    check,
    keep,
    last_change,
    lookup,
    page_key,
    response_from,
    set_public_cache_headers,
    single_flight,
)
from tracker.desk import versioning

from .records import RecordGone


def public_page(view: Callable[..., HttpResponse] | None = None, *, lists: Iterable[str] | None = None):
    """Conditional GET, the shared response cache and revalidate-always cache headers
    around a public view. The page is kept with the keys of the records it loaded and
    what the view declares (tracker/caching/tags.py); `lists` declares the types of
    record it lists (a view can also declare for itself)."""
    if view is None:
        return lambda view: public_page(view, lists=lists)
    listed = tuple(lists) if lists is not None else None

    def build(request: HttpRequest, *args, **kwargs) -> tuple[HttpResponse, frozenset[str]]:
        with tags.collecting() as collector:
            if listed is not None:
                tags.lists(listed)
            try:
                response = view(request, *args, **kwargs)
            except RecordGone as gone:
                response = render(request, "public/gone.html", {"gone": gone}, status=410)
            if isinstance(response, SimpleTemplateResponse):
                response.render()  # its queries run here: their records are the page's too
        return response, collector.result()

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            version = versioning.current()
            check(version)
        except (OperationalError, InterfaceError):
            # The database is down (tracker/outage.py): a page that needs no record is
            # still served, undated and uncached; one that needs a record raises again
            # in the view and answers 503.
            return set_public_cache_headers(build(request, *args, **kwargs)[0])
        changed = last_change(version)
        not_modified = get_conditional_response(request, last_modified=int(changed.timestamp()))
        if not_modified is not None:
            return set_public_cache_headers(not_modified)
        key = page_key(request)
        entry = lookup(key)
        if entry is not None:
            response = response_from(request, entry)
        else:
            with single_flight(key) as built_meanwhile:
                if built_meanwhile is not None:
                    response = response_from(request, built_meanwhile)
                else:
                    response = _build_and_keep(key, build, request, *args, **kwargs)
        if response.status_code == 200 and int(timezone.now().timestamp()) > int(changed.timestamp()):
            response["Last-Modified"] = http_date(changed.timestamp())
        return set_public_cache_headers(response)

    return wrapper


def _build_and_keep(key: str, build, request: HttpRequest, *args, **kwargs) -> HttpResponse:
    stamp = freshness.log.stamp()  # before the view's own queries
    response, keys = build(request, *args, **kwargs)
    if response.status_code == 200 and not response.streaming:
        # Feeds and the sitemap date themselves by their newest item, which does not
        # move when an item is retracted; ours covers every change.
        del response["Last-Modified"]
        response["ETag"] = keep(key, request, response, keys=keys, stamp=stamp)
    return response
