"""Keyset ("cursor") pagination over a whitelisted ordering plus the primary key.

The next page is `WHERE (key, id) > (last key, last id) ORDER BY key, id LIMIT n`,
so a deep page costs what the first one does and no COUNT(*) is ever run. DRF's
own CursorPagination keys on one field and pages through ties with an OFFSET, and
cannot hold a NULL position (many claims have no verdict date); this one can.

A cursor is opaque to partners: base64 of the ordering and the last row's keys.
"""

import base64
import binascii
import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, IntegerField, Model, Q, QuerySet
from django.utils.http import urlencode
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from .errors import CursorNotFound, InvalidCursor, InvalidOrdering, InvalidQuery

ORDERING_PARAM = "ordering"
CURSOR_PARAM = "cursor"
PAGE_SIZE_PARAM = "page_size"
MAX_PAGE_SIZE = 200
MAX_ID = 2**63 - 1
MAX_CURSOR_LENGTH = 12_000
# What encode_cursor() writes: unpadded base64url.
CURSOR_PATTERN = r"^[A-Za-z0-9_-]+$"
CURSOR_SHAPE = re.compile(CURSOR_PATTERN)


@dataclass(frozen=True)
class Key:
    field: str
    descending: bool
    nullable: bool

    def order(self):
        expression = F(self.field)
        return expression.desc(nulls_last=True) if self.descending else expression.asc(nulls_last=True)

    def equal(self, value: Any) -> Q:
        return Q(**{f"{self.field}__isnull": True}) if value is None else Q(**{self.field: value})

    def after(self, value: Any) -> Q | None:
        """Rows that come after `value` in this key's order (nulls sort last both ways)."""
        if value is None:
            return None
        after = Q(**{f"{self.field}__{'lt' if self.descending else 'gt'}": value})
        return after | Q(**{f"{self.field}__isnull": True}) if self.nullable else after


CURSOR_DESCRIPTION = (
    "Opaque position from a previous page's `next` link. Not in a cursor's shape: 400; in that shape but "
    "naming no page of this list (not one this API gave out, or made for another ordering): 404."
)
CURSOR_SCHEMA = {"type": "string", "pattern": CURSOR_PATTERN, "maxLength": MAX_CURSOR_LENGTH}


def ordering_keys(model: type[Model], ordering: str) -> list[Key]:
    name = ordering.removeprefix("-")
    descending = ordering.startswith("-")
    field = model._meta.get_field(name)
    # The primary key breaks ties, in the same direction, so the order is total.
    return [Key(name, descending, field.null), Key("id", descending, False)]


def requested_ordering(request: Request, view) -> str:
    """The `ordering` parameter, checked against the view's whitelist."""
    value = request.query_params.get(ORDERING_PARAM) or view.ordering
    allowed = allowed_orderings(view)
    if value not in allowed:
        raise InvalidOrdering(
            f"Cannot order by “{value}”. Choose one of: {', '.join(allowed)}.",
            fields={ORDERING_PARAM: [f"Not one of: {', '.join(allowed)}."]},
        )
    return value


def allowed_orderings(view) -> list[str]:
    return [prefix + name for name in view.ordering_fields for prefix in ("", "-")]


def encode_cursor(ordering: str, values: list[Any]) -> str:
    plain = [value.isoformat() if isinstance(value, dt.date | dt.datetime) else value for value in values]
    raw = json.dumps({"o": ordering, "v": plain}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unknown_cursor() -> CursorNotFound:
    return CursorNotFound(
        "The cursor names no page of this list: it is not one this API gave out, or it was made for another "
        "ordering. Use the `next` link of a previous page, or start without a cursor.",
        fields={CURSOR_PARAM: ["Names no page of this list."]},
    )


def read_cursor(cursor: str) -> tuple[str, list]:
    """The ordering and the values inside a cursor. Not in a cursor's shape (base64url,
    at most MAX_CURSOR_LENGTH characters): a 400. In that shape but holding anything
    else: a 404, for it names no page (the schema can say what a cursor looks like,
    not which ones this API gave out).
    (A cursor this API writes is a few hundred characters; with a long title, a few
    thousand. The bound keeps a forged one from nesting JSON deeper than the parser goes.)"""
    if len(cursor) > MAX_CURSOR_LENGTH or not CURSOR_SHAPE.fullmatch(cursor):
        raise InvalidCursor(
            f"This is not a cursor: a cursor is at most {MAX_CURSOR_LENGTH:,} letters, digits, “-” and “_”. "
            "Use the `next` link of a previous page, or start without a cursor.",
            fields={CURSOR_PARAM: ["Not a cursor."]},
        )
    invalid = unknown_cursor()
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, RecursionError, binascii.Error):
        raise invalid from None
    if not (isinstance(data, dict) and isinstance(data.get("o"), str) and isinstance(data.get("v"), list)):
        raise invalid
    return data["o"], data["v"]


def is_text(value: Any) -> bool:
    """A string a database can compare: no NUL (PostgreSQL refuses it) and no lone
    surrogate (JSON's "\\ud800" escape makes one, and it is not UTF-8)."""
    if not isinstance(value, str) or "\x00" in value:
        return False
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def decode_cursor(cursor: str, ordering: str, model: type[Model], keys: list[Key]) -> list[Any]:
    stored, raw_values = read_cursor(cursor)
    invalid = unknown_cursor()
    if stored != ordering:
        raise CursorNotFound(
            f"This cursor was made for ordering={stored[:40]}; repeat that ordering or start again without a cursor.",
            fields={CURSOR_PARAM: [f"Made for ordering={stored[:40]}."]},
        )
    if len(raw_values) != len(keys):
        raise invalid
    values = []
    for key, raw in zip(keys, raw_values, strict=True):
        field = model._meta.get_field(key.field)
        if raw is None and key.nullable:
            values.append(None)
        elif isinstance(field, IntegerField):  # the id; bool is an int to Python, and not an id
            if type(raw) is not int or not 0 <= raw <= MAX_ID:
                raise invalid
            values.append(raw)
        elif not is_text(raw):  # every other key is written as a string
            raise invalid
        else:
            values.append(_cursor_value(field, raw, invalid))
    return values


def _cursor_value(field, raw: str, invalid: InvalidCursor) -> Any:
    try:
        value = field.to_python(raw)
        if isinstance(value, dt.datetime):
            if value.tzinfo is None:
                raise ValueError("naive")
            value = value.astimezone(dt.UTC)  # a forged cursor could hold any offset
    except (ValidationError, OverflowError, ValueError):
        raise invalid from None
    return value


def keyset_filter(keys: list[Key], values: list[Any]) -> Q:
    """(k1, k2) after (v1, v2): k1 after v1, or k1 = v1 and k2 after v2."""
    condition = Q(pk__in=[])
    prefix = Q()
    for key, value in zip(keys, values, strict=True):
        after = key.after(value)
        if after is not None:
            condition |= prefix & after
        prefix &= key.equal(value)
    return condition


def page_size(request: Request) -> int:
    raw = request.query_params.get(PAGE_SIZE_PARAM)
    if raw is None or raw == "":
        return api_settings.PAGE_SIZE
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4) or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise InvalidQuery(
            f"page_size must be a whole number from 1 to {MAX_PAGE_SIZE}.",
            fields={PAGE_SIZE_PARAM: [f"A whole number from 1 to {MAX_PAGE_SIZE}."]},
        )
    return int(raw)


class KeysetPagination(BasePagination):
    """Orders the list (the view declares `ordering` and `ordering_fields`) and cuts a page."""

    def paginate_queryset(self, queryset: QuerySet, request: Request, view=None) -> list:
        self.request = request
        self.ordering = requested_ordering(request, view)
        keys = ordering_keys(queryset.model, self.ordering)
        size = page_size(request)
        queryset = queryset.order_by(*(key.order() for key in keys))
        cursor = request.query_params.get(CURSOR_PARAM)
        if cursor:
            queryset = queryset.filter(keyset_filter(keys, decode_cursor(cursor, self.ordering, queryset.model, keys)))
        rows = list(queryset[: size + 1])
        self.next_cursor = None
        if len(rows) > size:
            rows = rows[:size]
            last = rows[-1]
            self.next_cursor = encode_cursor(self.ordering, [getattr(last, key.field) for key in keys])
        return rows

    def next_link(self) -> str | None:
        if self.next_cursor is None:
            return None
        params = {k: v for k, v in self.request.query_params.lists() if k != CURSOR_PARAM}
        params[CURSOR_PARAM] = [self.next_cursor]
        return self.request.build_absolute_uri(self.request.path + "?" + urlencode(params, doseq=True))

    def get_paginated_response(self, data) -> Response:
        next_url = self.next_link()
        headers = {"Link": f'<{next_url}>; rel="next"'} if next_url else None
        return Response({"next": next_url, "results": data}, headers=headers)

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": 'The next page, or null on the last page. Also sent as a `Link: rel="next"` header.',
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": CURSOR_PARAM,
                "in": "query",
                "required": False,
                "description": CURSOR_DESCRIPTION,
                "schema": CURSOR_SCHEMA,
            },
            {
                "name": PAGE_SIZE_PARAM,
                "in": "query",
                "required": False,
                "description": f"Rows per page, 1 to {MAX_PAGE_SIZE} (default {api_settings.PAGE_SIZE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
            {
                "name": ORDERING_PARAM,
                "in": "query",
                "required": False,
                "description": f"Sort order (default `{view.ordering}`); `-` for descending. "
                "Ties are broken by the record's id, so paging is stable. Any other value is a 400.",
                "schema": {"type": "string", "enum": allowed_orderings(view)},
            },
        ]
