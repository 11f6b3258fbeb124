"""Memento (RFC 7089) for claim, agreement and source pages, as the web archives do it.

- The record's page is the Original Resource (URI-R). Its `Link` header names its
  TimeGate and TimeMap, and it links "Earlier versions" (the versions page).
- The TimeGate (URI-G, `<page>timegate/`) answers a request with `Accept-Datetime`
  by a 302 to the memento readers saw at that moment (the first one for a moment
  before it), without the header by a 302 to the latest; `Vary: accept-datetime`.
  It is never kept by the response cache or any other cache (`no-store`): its answer
  depends on a header no cache key here holds.
- The TimeMap (`<page>timemap/link/` in application/link-format, `<page>timemap/json/`)
  lists every published version.
- Each Memento (URI-M, `<page>versions/<event id>/`) is the page as readers saw it
  right after that event, read from the event log's state (versions.py), with
  `Memento-Datetime` and `Link` headers (original, timegate, timemap, first, last,
  prev and next memento). Its address holds the version, so it is kept like any page.

Only while the record is published: a retracted record's versions are gone (410)
like its page, a withdrawn one's are not shown.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import http_date, parse_http_date
from django.views.decorators.http import require_safe

from tracker.desk.choices import RELIABILITY_DEFINITIONS
from tracker.desk.models import Agreement, Claim, Source
from tracker.parameters import reads

from . import passages, versions
from .caching import public_page
from .record_feeds import feed_link
from .records import RecordGone, published_or_gone

MODELS = {"claim": Claim, "agreement": Agreement, "source": Source}


def _record(kind: str, slug: str):
    model = MODELS[kind]
    return published_or_gone(model.objects.all(), slug=slug)


def _uri(request: HttpRequest, kind: str, name: str, slug: str, *args) -> str:
    suffix = f"-{name}" if name else ""
    return request.build_absolute_uri(reverse(f"public:{kind}{suffix}", args=[slug, *args]))


def _when(version: versions.Version) -> str:
    return http_date(version.at.timestamp())


def original_links(request: HttpRequest, kind: str, slug: str) -> str:
    """The `Link` header of an Original Resource: its TimeGate and TimeMap."""
    return (
        f'<{_uri(request, kind, "timegate", slug)}>; rel="timegate", '
        f'<{_uri(request, kind, "timemap-link", slug)}>; rel="timemap"; type="application/link-format"'
    )


def _memento_links(request: HttpRequest, kind: str, slug: str, all_versions, index: int) -> str:
    links = [
        f'<{_uri(request, kind, "", slug)}>; rel="original"',
        f'<{_uri(request, kind, "timegate", slug)}>; rel="timegate"',
        f'<{_uri(request, kind, "timemap-link", slug)}>; rel="timemap"; type="application/link-format"',
    ]
    shown: dict[int, list[str]] = {0: ["first"]}
    shown.setdefault(len(all_versions) - 1, []).append("last")
    if index > 0:
        shown.setdefault(index - 1, []).append("prev")
    if index < len(all_versions) - 1:
        shown.setdefault(index + 1, []).append("next")
    shown.setdefault(index, [])
    for position in sorted(shown):
        rel = " ".join([*shown[position], "memento"])
        version = all_versions[position]
        uri = _uri(request, kind, "version", slug, version.event_id)
        links.append(f'<{uri}>; rel="{rel}"; datetime="{_when(version)}"')
    return ", ".join(links)


@require_safe
def timegate(request: HttpRequest, kind: str, slug: str) -> HttpResponse:
    try:
        record = _record(kind, slug)
    except RecordGone as gone:
        return render(request, "public/gone.html", {"gone": gone}, status=410)
    all_versions = versions.versions_of(record)
    if not all_versions:
        raise Http404("No published version of this record is recorded.")
    raw = request.headers.get("Accept-Datetime")
    chosen = all_versions[-1]
    if raw is not None:
        try:
            moment = parse_http_date(raw)
        except ValueError:
            response = HttpResponse(
                "Accept-Datetime must be an HTTP date (RFC 7231), for example: Tue, 03 Nov 2025 12:00:00 GMT.\n",
                status=400,
                content_type="text/plain; charset=utf-8",
            )
            response["Vary"] = "accept-datetime"
            response["Cache-Control"] = "no-store"
            return response
        earlier = [version for version in all_versions if version.at.timestamp() <= moment]
        chosen = earlier[-1] if earlier else all_versions[0]
    response = HttpResponseRedirect(_uri(request, kind, "version", slug, chosen.event_id))
    response.status_code = 302
    response["Vary"] = "accept-datetime"
    response["Cache-Control"] = "no-store"
    response["Link"] = (
        f'<{_uri(request, kind, "", slug)}>; rel="original", '
        f'<{_uri(request, kind, "timemap-link", slug)}>; rel="timemap"; type="application/link-format"'
    )
    return response


def _timemap_entries(request: HttpRequest, kind: str, slug: str):
    record = _record(kind, slug)
    all_versions = versions.versions_of(record)
    if not all_versions:
        raise Http404("No published version of this record is recorded.")
    return record, all_versions


@require_safe
def timemap_link(request: HttpRequest, kind: str, slug: str) -> HttpResponse:
    _, all_versions = _timemap_entries(request, kind, slug)
    lines = [
        f'<{_uri(request, kind, "", slug)}>; rel="original"',
        f'<{_uri(request, kind, "timegate", slug)}>; rel="timegate"',
        f'<{_uri(request, kind, "timemap-link", slug)}>; rel="self"; type="application/link-format"; '
        f'from="{_when(all_versions[0])}"; until="{_when(all_versions[-1])}"',
        f'<{_uri(request, kind, "timemap-json", slug)}>; rel="timemap"; type="application/json"',
    ]
    for index, version in enumerate(all_versions):
        rel = ["memento"]
        if index == 0:
            rel.insert(0, "first")
        if index == len(all_versions) - 1:
            rel.insert(0, "last")
        uri = _uri(request, kind, "version", slug, version.event_id)
        lines.append(f'<{uri}>; rel="{" ".join(rel)}"; datetime="{_when(version)}"')
    return HttpResponse(",\n".join(lines) + "\n", content_type="application/link-format; charset=utf-8")


def _iso(version: versions.Version) -> str:
    return version.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@require_safe
def timemap_json(request: HttpRequest, kind: str, slug: str) -> HttpResponse:
    """The JSON TimeMap in the shape the Memento aggregators (Time Travel) answer."""
    _, all_versions = _timemap_entries(request, kind, slug)

    def entry(version):
        return {"datetime": _iso(version), "uri": _uri(request, kind, "version", slug, version.event_id)}

    body = {
        "original_uri": _uri(request, kind, "", slug),
        "timegate_uri": _uri(request, kind, "timegate", slug),
        "timemap_uri": {
            "link_format": _uri(request, kind, "timemap-link", slug),
            "json_format": _uri(request, kind, "timemap-json", slug),
        },
        "mementos": {
            "first": entry(all_versions[0]),
            "last": entry(all_versions[-1]),
            "list": [entry(version) for version in all_versions],
        },
    }
    return HttpResponse(json.dumps(body, indent=2) + "\n", content_type="application/json")


@require_safe
def versions_page(request: HttpRequest, kind: str, slug: str) -> HttpResponse:
    """Earlier versions: every public change of the record, newest first, each at
    `#event-N` (where its feed entry links); a version readers saw links its memento."""
    record = _record(kind, slug)
    with_state = {version.event_id for version in versions.versions_of(record)}
    listed = [
        {
            "event": event,
            "url": reverse(f"public:{kind}-version", args=[slug, event.pk]) if event.pk in with_state else None,
        }  # fmt: skip
        for event in versions.events_of(record)
    ]
    context = {
        "record": record,
        "kind": record._meta.verbose_name,
        "listed": listed,
        "current": next((item["event"].pk for item in listed if item["url"]), None),
        "timemap_url": reverse(f"public:{kind}-timemap-link", args=[slug]),
        "timemap_json_url": reverse(f"public:{kind}-timemap-json", args=[slug]),
        "noindex": True,
    }
    response = render(request, "public/versions.html", context)
    response["Link"] = original_links(request, kind, slug)
    return response


def _claim_memento(request, record, version):
    from .views import claim_version_context

    return render(request, "public/claim_detail.html", claim_version_context(request, record, version))


def _agreement_memento(request, record, version):
    from .views import agreement_version_context

    return render(request, "public/agreement_detail.html", agreement_version_context(request, record, version))


def _source_memento(request, record, version):
    from .views import version_page

    then = versions.source_then(record, version)
    context = {
        "source": then,
        "record_feed": feed_link(record),
        "memento": version,
        "reliability_definition": RELIABILITY_DEFINITIONS[then.reliability],
        "passages": [],
        "text_html": passages.render_text(then.text, []),
        "corrections": versions.public_corrections_then(version.state, then),
        **version_page(request, record, version),
    }
    return render(request, "public/source_detail.html", context)


RENDER: dict[str, Callable] = {"claim": _claim_memento, "agreement": _agreement_memento, "source": _source_memento}


@require_safe
def memento(request: HttpRequest, kind: str, slug: str, event_id: int) -> HttpResponse:
    record = _record(kind, slug)
    all_versions = versions.versions_of(record)
    index = next((i for i, version in enumerate(all_versions) if version.event_id == event_id), None)
    if index is None:
        raise Http404("This record has no published version at this address.")
    version = all_versions[index]
    response = RENDER[kind](request, record, version)
    response["Memento-Datetime"] = _when(version)
    response["Link"] = _memento_links(request, kind, slug, all_versions, index)
    return response


def memento_urls(kind: str, prefix: str) -> list:
    """The Memento addresses of one kind of record page."""
    from django.urls import path

    def cached(view):
        return reads()(public_page(view))

    return [
        path(f"{prefix}/<slug:slug>/versions/", cached(versions_page), {"kind": kind}, name=f"{kind}-versions"),
        path(
            f"{prefix}/<slug:slug>/versions/<int:event_id>/",
            cached(memento),
            {"kind": kind},
            name=f"{kind}-version",
        ),
        path(f"{prefix}/<slug:slug>/timegate/", reads()(timegate), {"kind": kind}, name=f"{kind}-timegate"),
        path(
            f"{prefix}/<slug:slug>/timemap/link/",
            cached(timemap_link),
            {"kind": kind},
            name=f"{kind}-timemap-link",
        ),
        path(
            f"{prefix}/<slug:slug>/timemap/json/",
            cached(timemap_json),
            {"kind": kind},
            name=f"{kind}-timemap-json",
        ),
    ]
