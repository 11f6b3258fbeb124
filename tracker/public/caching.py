"""Cache headers and conditional GET for the public pages.

Pages may be stored by browsers and CDNs but must be revalidated on every use
(`no-cache`), so a record that is retracted or unpublished disappears on the very
next request, never after a max-age. Revalidation is cheap:

- Last-Modified is the latest change anywhere in the desk's tables (one query), so
  an unchanged page is answered 304 without rendering. HTTP dates count whole
  seconds, so it is only sent once the second of that change is over: a client can
  never hold a date that a later change in the same second would share.
- The ETag is a hash of the page with its per-request CSP nonce left out (the nonce
  would otherwise make every ETag unique); ConditionalGetMiddleware compares it.
"""

import datetime as dt
import hashlib
from collections.abc import Callable
from functools import wraps

from django.db import InterfaceError, OperationalError, connections, router
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.response import SimpleTemplateResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date, quote_etag

from tracker.desk.models import Claim

from .records import RecordGone

# Editorial tables carry updated_at (also bumped by touch() when embedded records
# change); every save, delete and many-to-many change writes a history row.
_UPDATED = ["desk_claim", "desk_source", "desk_agreement", "desk_meeting", "desk_person"]
_HISTORY = [
    "desk_historicalclaim",
    "desk_historicalsource",
    "desk_historicalagreement",
    "desk_historicalmeeting",
    "desk_historicalperson",
    "desk_historicalparty",
    "desk_historicaltopic",
    "desk_historicalrole",
    "desk_historicalevidence",
    "desk_historicalparticipation",
    "desk_historicalagreementstatuschange",
    "desk_historicalcorrection",
]


def _as_datetime(value) -> dt.datetime:
    """A raw MAX() comes back as text on SQLite and as a datetime on PostgreSQL."""
    if isinstance(value, str):
        value = parse_datetime(value)
    return timezone.make_aware(value, dt.UTC) if timezone.is_naive(value) else value


def last_change() -> dt.datetime:
    """The latest change to anything a public page can show, and never earlier than
    the start of today (pages such as "upcoming meetings" change at midnight)."""
    parts = [f"SELECT MAX(updated_at) AS at FROM {table}" for table in _UPDATED]
    parts += [f"SELECT MAX(history_date) AS at FROM {table}" for table in _HISTORY]
    # From the database the page itself reads (the replica, if any: tracker/routers.py),
    # so that a lagging replica never pairs old content with a newer date.
    with connections[router.db_for_read(Claim)].cursor() as cursor:
        cursor.execute(f"SELECT MAX(at) FROM ({' UNION ALL '.join(parts)}) AS changes")
        value = cursor.fetchone()[0]
    latest = _as_datetime(value) if value else None
    today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    return max(latest, today) if latest else today


def _etag_without_nonce(request: HttpRequest, content: bytes) -> str:
    nonce = getattr(request, "_csp_nonce", None)
    if nonce:  # only true once the page has used it
        content = content.replace(str(nonce).encode(), b"")
    return quote_etag(hashlib.md5(content, usedforsecurity=False).hexdigest())


def set_public_cache_headers(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, public=True, no_cache=True, max_age=0)
    return response


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Conditional GET and revalidate-always cache headers around a public view."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            changed = last_change()
        except (OperationalError, InterfaceError):
            # The database is down (tracker/outage.py): a page that needs no record is
            # still served, undated; one that needs a record raises again in the view.
            changed = None
        if changed is not None:
            not_modified = get_conditional_response(request, last_modified=int(changed.timestamp()))
            if not_modified is not None:
                return set_public_cache_headers(not_modified)
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
            if changed is not None and int(timezone.now().timestamp()) > int(changed.timestamp()):
                response["Last-Modified"] = http_date(changed.timestamp())
            response["ETag"] = _etag_without_nonce(request, response.content)
        return set_public_cache_headers(response)

    return wrapper
