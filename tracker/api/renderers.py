"""CSV for lists (`?format=csv` or `Accept: text/csv`): one row per record, flat columns.

Nested objects become dotted columns (`source.slug`); lists of references become
their slugs (or party codes) joined with "; "; lists of richer objects (evidence,
status history, corrections) are written as JSON in one cell, so nothing is lost.
The next page's link travels in the `Link` header.
"""

import csv
import io
import json
from typing import Any

import orjson
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.utils import encoders


def columns_for(serializer: serializers.Serializer, prefix: str = "") -> list[str]:
    """The CSV columns of a serializer: the same on every page, even when a nested object is null."""
    columns = []
    for name, field in serializer.fields.items():
        if isinstance(field, serializers.Serializer):
            columns += columns_for(field, prefix=f"{prefix}{name}.")
        else:
            columns.append(f"{prefix}{name}")
    return columns


def flatten(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    row: dict[str, Any] = {}
    for name, value in record.items():
        column = f"{prefix}{name}"
        if isinstance(value, dict):
            row.update(flatten(value, prefix=f"{column}."))
        elif isinstance(value, list):
            if all(not isinstance(item, dict | list) for item in value):
                row[column] = "; ".join("" if item is None else str(item) for item in value)
            elif all(isinstance(item, dict) and _identifier(item) for item in value):
                row[column] = "; ".join(_identifier(item) for item in value)
            else:
                row[column] = json.dumps(value, ensure_ascii=False)
        else:
            row[column] = value
    return row


def _identifier(reference: dict) -> str | None:
    """A reference to another record (a slug, or a party's code) and nothing more to say."""
    if set(reference) <= {"slug", "code", "name", "title", "url", "public_url"}:
        return reference.get("slug") or reference.get("code")
    return None


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    # Spreadsheets run a cell that starts like a formula: neutralise it (CSV injection).
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        if isinstance(data, dict) and "results" in data:
            records = data["results"]
        elif isinstance(data, list):
            records = data
        else:
            records = [data]
        rows = [flatten(record) for record in records]
        view = (renderer_context or {}).get("view")
        if view is not None and hasattr(view, "get_serializer"):
            columns = columns_for(view.get_serializer())
        else:
            columns = list(dict.fromkeys(column for row in rows for column in row))
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(column)) for column in columns])
        return out.getvalue().encode(self.charset)


class NDJSONRenderer(JSONRenderer):
    """Declares the bulk export's media type; the export streams its own lines."""

    media_type = "application/x-ndjson"
    format = "jsonl"


class FastJSONRenderer(JSONRenderer):
    """JSON written by orjson (several times faster than the standard library on a
    page of claims), byte for byte what DRF's JSONRenderer writes for our data:
    compact, UTF-8, U+2028/U+2029 escaped for pages that embed it. An `indent` asked
    for in the Accept header still goes through DRF's own renderer."""

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        if self.get_indent(accepted_media_type or "", renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        content = orjson.dumps(data, default=_default, option=orjson.OPT_UTC_Z)
        return content.replace("\u2028".encode(), b"\\u2028").replace("\u2029".encode(), b"\\u2029")


def _default(value: Any) -> Any:
    """What orjson does not know natively, as DRF's encoder writes it."""
    return encoders.JSONEncoder().default(value)
