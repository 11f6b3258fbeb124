"""One shape for every error the API returns.

    {"error": {"status": 400, "code": "invalid_filter", "detail": "...", "fields": {"verdict": ["..."]}}}

`fields` is present only when the problem is tied to named query parameters.
"""

from typing import Any

from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class InvalidQuery(exceptions.APIException):
    """A query parameter the API cannot use: names the parameter and says why."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_query"
    default_detail = "A query parameter is not valid."

    def __init__(self, detail: str, fields: dict[str, list[str]] | None = None, code: str | None = None):
        super().__init__(detail, code or self.default_code)
        self.code = code or self.default_code
        self.fields = fields or {}


class InvalidFilter(InvalidQuery):
    default_code = "invalid_filter"


class InvalidOrdering(InvalidQuery):
    default_code = "invalid_ordering"


class InvalidCursor(InvalidQuery):
    default_code = "invalid_cursor"


class UnknownRecord(InvalidQuery):
    """A filter that names, in the right shape, a record that is not published: a 404,
    as the record's own address would answer."""

    status_code = status.HTTP_404_NOT_FOUND
    default_code = "unknown_record"


class CursorNotFound(InvalidCursor):
    """A cursor in the right shape that names no page of this list (not one this API
    gave out, or one made for another ordering): a 404, as Django answers a page number
    past the end."""

    status_code = status.HTTP_404_NOT_FOUND


class EmptyParameter(InvalidQuery):
    default_code = "empty_parameter"


def error_body(status_code: int, code: str, detail: str, fields: dict | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"status": status_code, "code": code, "detail": detail}
    if fields:
        error["fields"] = fields
    return {"error": error}


def _messages(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    if isinstance(value, dict):
        return [f"{key}: {message}" for key, items in value.items() for message in _messages(items)]
    return [str(value)]


def _first_code(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    while isinstance(codes, dict | list):
        if not codes:
            return exc.default_code
        codes = next(iter(codes.values())) if isinstance(codes, dict) else codes[0]
    return str(codes)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler (it sets WWW-Authenticate and Retry-After), then our body."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # not an API error: a bug, left to Django's 500 handling and logging
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    fields = None
    if isinstance(exc, InvalidQuery):
        code, detail, fields = exc.code, str(exc.detail), exc.fields
    elif isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, dict):
        fields = {str(key): _messages(value) for key, value in exc.detail.items()}
        code = "invalid"
        detail = "; ".join(f"{key}: {' '.join(messages)}" for key, messages in fields.items())
    else:
        code, detail = _first_code(exc), " ".join(_messages(exc.detail))
    response.data = error_body(response.status_code, code, detail, fields)
    return response


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """A JSON 404 for any path under /api/ that no endpoint matches."""
    return JsonResponse(
        error_body(404, "not_found", f"There is no API endpoint at {request.path}."),
        status=404,
    )


def server_error(request: HttpRequest) -> JsonResponse:
    """The API's own 500: a partner's client parses JSON, never the site's HTML page."""
    return JsonResponse(
        error_body(500, "server_error", "The server failed to answer this request. It has been logged."),
        status=500,
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """A request Django refuses before any view runs (too many parameters, for one)."""
    return JsonResponse(
        error_body(400, "bad_request", "The request could not be read: it may have too many parameters."),
        status=400,
    )
