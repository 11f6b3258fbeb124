"""Kept API answers served before DRF's dispatch, with the checks DRF would make.

A hit is the bytes kept when the answer was built (CachedAnswersMixin in views.py). On
PostgreSQL, DRF's own work around a hit (wrapping the request, negotiating the format,
running `initial()`, finalising the response) cost more than everything else a hit does
(docs/benchmarks.md). So a GET the cache can answer is answered here, and anything
else goes to DRF, which answers as it always has:

1. The format, only where DRF's negotiation has a single answer: the first renderer when
   neither `?format=` nor Accept asks for anything else (no Accept, `*/*`, or exactly
   its media type), or `?format=<a renderer's format>` with no Accept beyond `*/*`.
2. Authentication, by the view's own authenticators. A bad key goes to DRF (401).
3. The kept answer, if still fresh at the current public record version. A miss goes
   to DRF, which builds it: nothing has been counted against the client's rate yet, so
   it is counted once.
4. The view's rate (its one throttle). A refusal goes to DRF, which checks again (a
   refused request is not counted) and answers 429 with Retry-After.
5. The kept response, with the headers DRF added when it built it (Allow, Vary,
   Cache-Control): what DRF would have served for the same hit, header for header
   (tests/api/test_fast_hits.py compares the two).

The database or the cache failing on the way also goes to DRF, which answers 503.
Views whose checks this does not reproduce (another authenticator, a permission, more
than one throttle, a renderer without a format) are not wrapped at all.
"""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from rest_framework.exceptions import APIException
from rest_framework.permissions import AllowAny
from rest_framework.settings import api_settings

from tracker.caching import responses as caching
from tracker.desk import versioning
from tracker.outage import CACHE_ERRORS, DATABASE_ERRORS

from .authentication import APIKeyAuthentication

# The headers DRF's finalize_response adds to an answer, kept with it.
DRF_HEADERS = ("allow", "vary", "cache-control")
# Set on a request whose hit check learnt the public changes, so the build on a miss
# does not read the version again (views.CachedAnswersMixin).
CHECKED_ATTRIBUTE = "_api_version_checked"


def answer_key(request: HttpRequest, renderer_format: str, media_type: str) -> str:
    """The cache key of an API answer in this format, negotiated as this media type
    (with its parameters)."""
    return caching.page_key(request, prefix=f"answer.{renderer_format}", variant=media_type)


class _Checked:
    """What DRF's throttles and authenticators read of a request, and nothing more:
    an attribute they read that is missing here is an error, not a silent None."""

    __slots__ = ("_request", "META", "auth", "user")

    def __init__(self, request: HttpRequest):
        self._request, self.META, self.auth, self.user = request, request.META, None, None


def _eligible(view_class) -> bool:
    return (
        list(view_class.authentication_classes) == [APIKeyAuthentication]
        and all(permission is AllowAny for permission in view_class.permission_classes)
        and len(view_class.throttle_classes) <= 1
        and all(getattr(renderer, "format", None) for renderer in view_class.renderer_classes)
    )


def _format(request: HttpRequest, renderers: list):
    """The renderer DRF's negotiation would choose, where it can only choose one."""
    accept = request.META.get("HTTP_ACCEPT", "*/*")  # DRF's default; an empty header accepts nothing
    override = request.GET.get(api_settings.URL_FORMAT_OVERRIDE) if api_settings.URL_FORMAT_OVERRIDE else None
    if override:
        if accept == "*/*":
            return next((renderer for renderer in renderers if renderer.format == override), None)
        return None
    first = renderers[0]
    return first if accept in ("*/*", first.media_type) else None


def serving_hits(view: Callable[..., HttpResponse], view_class) -> Callable[..., HttpResponse]:
    """`view` (what as_view() made), answering kept hits itself where it can."""
    if not _eligible(view_class):
        return view
    renderers = list(view_class.renderer_classes)
    throttles = list(view_class.throttle_classes)

    def hit(request: HttpRequest) -> HttpResponse | None:
        renderer = _format(request, renderers)
        if renderer is None:
            return None
        checked = _Checked(request)
        try:
            authenticated = APIKeyAuthentication().authenticate(checked)
        except APIException:
            return None
        if authenticated is not None:
            checked.user, checked.auth = authenticated
        caching.check(versioning.current())
        setattr(request, CHECKED_ATTRIBUTE, True)
        # What DRF negotiates then: the renderer's own media type, without parameters.
        entry = caching.lookup(answer_key(request, renderer.format, renderer.media_type))
        if entry is None:
            return None
        for throttle in throttles:
            if not throttle().allow_request(checked, None):
                return None
        return caching.response_from(request, entry)

    @wraps(view)  # keeps cls, initkwargs, actions and csrf_exempt, which the schema and Django read
    def serving(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "GET":
            try:
                response = hit(request)
            except (*DATABASE_ERRORS, *CACHE_ERRORS):
                response = None
            if response is not None:
                return response
        return view(request, *args, **kwargs)

    serving.serves_hits = True
    return serving
