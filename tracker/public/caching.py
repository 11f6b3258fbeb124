"""The public pages' use of the shared response cache (tracker/caching/responses.py):
conditional GET, the kept page, and revalidate-always cache headers around a view,
with a retracted record answered 410 with its note."""

from collections.abc import Callable
from functools import wraps

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.response import SimpleTemplateResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from tracker.caching.responses import keep, last_change, lookup, page_key, response_from, set_public_cache_headers
from tracker.desk import versioning

from .records import RecordGone


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Conditional GET, the shared response cache and revalidate-always cache headers
    around a public view."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            version = versioning.current()
        except (OperationalError, InterfaceError):
            # The database is down (tracker/outage.py): a page that needs no record is
            # still served, undated and uncached; one that needs a record raises again
            # in the view and answers 503.
            try:
                return set_public_cache_headers(view(request, *args, **kwargs))
            except RecordGone as gone:
                return set_public_cache_headers(render(request, "public/gone.html", {"gone": gone}, status=410))
        changed = last_change(version)
        not_modified = get_conditional_response(request, last_modified=int(changed.timestamp()))
        if not_modified is not None:
            return set_public_cache_headers(not_modified)
        key = page_key(request, version)
        entry = lookup(key)
        if entry is not None:
            response = response_from(request, entry)
        else:
            try:
                response = view(request, *args, **kwargs)
            except RecordGone as gone:
                response = render(request, "public/gone.html", {"gone": gone}, status=410)
            if response.status_code == 200 and not response.streaming:
                if isinstance(response, SimpleTemplateResponse):
                    response.render()
                # Feeds and the sitemap date themselves by their newest item, which does not
                # move when an item is retracted; ours covers every change.
                del response["Last-Modified"]
                response["ETag"] = keep(key, request, response)
        if response.status_code == 200 and int(timezone.now().timestamp()) > int(changed.timestamp()):
            response["Last-Modified"] = http_date(changed.timestamp())
        return set_public_cache_headers(response)

    return wrapper
