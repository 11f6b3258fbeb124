"""Limits on a request's line and headers, refused in the site's own words.

gunicorn refuses a request line or a header over its limits itself, with a bare HTML
page, before Django sees the request: a partner's client, promised JSON errors under
/api/, could not read it. So gunicorn's limits are raised (gunicorn.conf.py) and the
limits clients meet are kept here, lower: a 414 (the address) or a 431 (the headers)
with the API's error shape under /api/, and the site's error page elsewhere.

The limits sit well above any request the API's schema allows (a search is at most
200 characters, a cursor at most 12,000), so a partner only meets them by mistake.
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

# The request line: method, address with its query string, protocol.
MAX_REQUEST_LINE = 32 * 1024
# One header (name, ": ", value), all of them together, and how many.
MAX_HEADER_FIELD = 16 * 1024
MAX_HEADERS_TOTAL = 64 * 1024
MAX_HEADER_FIELDS = 100

URI_TOO_LONG = (
    414,
    "uri_too_long",
    f"The address is too long: over {MAX_REQUEST_LINE:,} bytes. Shorten it.",
)
HEADERS_TOO_LARGE = (
    431,
    "headers_too_large",
    f"The request's headers are too large: at most {MAX_HEADER_FIELD:,} bytes each, {MAX_HEADERS_TOTAL:,} "
    f"in all, and {MAX_HEADER_FIELDS} of them.",
)


def request_line_length(request: HttpRequest) -> int:
    """The request line's length in bytes, as the client sent it when the server says
    (gunicorn's RAW_URI), else as Django rebuilds it (percent-encoded, so the same)."""
    meta = request.META
    uri = meta.get("RAW_URI") or request.get_full_path()
    protocol = meta.get("SERVER_PROTOCOL", "HTTP/1.1")
    return len(request.method or "") + 1 + len(uri.encode("latin-1", "replace")) + 1 + len(protocol)


def _headers(request: HttpRequest) -> list[int]:
    """The size of each header, as `Name: value` (the WSGI server has already joined repeats)."""
    sizes = []
    for key, value in request.META.items():
        if key.startswith("HTTP_") or key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            name = key.removeprefix("HTTP_")
            sizes.append(len(name) + 2 + len(str(value)))
    return sizes


def refusal(request: HttpRequest) -> tuple[int, str, str] | None:
    if request_line_length(request) > MAX_REQUEST_LINE:
        return URI_TOO_LONG
    sizes = _headers(request)
    if len(sizes) > MAX_HEADER_FIELDS or sum(sizes) > MAX_HEADERS_TOTAL or max(sizes, default=0) > MAX_HEADER_FIELD:
        return HEADERS_TOO_LARGE
    return None


def refused(request: HttpRequest, status: int, code: str, detail: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        from tracker.api.errors import error_body

        response = JsonResponse(error_body(status, code, detail), status=status)
    else:
        page = render_to_string("400.html", {"message": detail, "status": status}, request=request)
        response = HttpResponse(page, status=status)
    response["Cache-Control"] = "no-store"
    return response


class RequestLimitsMiddleware:
    """Near the top of the stack: a refused request reaches no session, database or view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusing = refusal(request)
        if refusing is not None:
            return refused(request, *refusing)
        return self.get_response(request)
