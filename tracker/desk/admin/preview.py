"""Preview: a record's public page as it will look once published (or corrected), for
the staff who may see the record in the desk.

The page is the public one: the same context builders (tracker/public/views.py) and
templates, fed with the record as it stands in the desk rather than as readers last
saw it. A claim shows its statement, verdict and rationale as drafted, and the
evidence its verdict would rest on: its anchored quotes from published sources and
from the draft sources that publishing the claim publishes with it
(services.sources_published_with). Those sources are marked published in memory,
as they will be, so their passages link like any other; nothing here is saved.

A source, agreement or meeting shows its own values; what it is linked to appears as
it does today (only published claims, meetings and people), since publishing the
record publishes nothing else.

The page is marked "Preview — not published", is `noindex`, answers
`Cache-Control: private, no-store`, and never passes through the public response
cache (tracker/public/caching.py): nothing of it can reach a reader.
"""

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control

from tracker.public import views as public
from tracker.public.records import SOURCE_WITHOUT_TEXT

from ..choices import State
from ..models import Agreement, Claim, Evidence, Meeting, Source

# States whose sources a claim's publication publishes with it (services.sources_published_with).
PUBLISHED_WITH_IT = (State.DRAFT, State.IN_REVIEW)


def _as_published(source: Source) -> Source:
    if source.state in PUBLISHED_WITH_IT:
        source.state = State.PUBLISHED  # in memory only: the preview saves nothing
    return source


def claim_preview(request: HttpRequest, claim: Claim) -> dict:
    claim = Claim.objects.select_related("source", "claimant_person").defer("source__text").get(pk=claim.pk)
    _as_published(claim.source)
    # A published claim quotes only published sources; a draft's verdict may also rest
    # on the draft sources published with it (services.counted_evidence).
    states = (State.PUBLISHED,) if claim.state == State.PUBLISHED else (State.PUBLISHED, *PUBLISHED_WITH_IT)
    evidence = list(
        Evidence.objects.filter(claim=claim, anchor_broken=False, source__state__in=states).prefetch_related(
            SOURCE_WITHOUT_TEXT
        )
    )
    for item in evidence:
        _as_published(item.source)
    return public.claim_context(request, claim, evidence=evidence)


def source_preview(request: HttpRequest, source: Source) -> dict:
    quoted_by_published = Evidence.objects.filter(source=source, claim__state=State.PUBLISHED, anchor_broken=False)
    evidence = quoted_by_published.select_related("claim")
    appearances = Claim.objects.published().filter(source=source, anchor_broken=False)
    return public.source_context(source, evidence=evidence, appearances=appearances)


def agreement_preview(request: HttpRequest, agreement: Agreement) -> dict:
    return public.agreement_context(request, agreement)


def meeting_preview(request: HttpRequest, meeting: Meeting) -> dict:
    meeting = Meeting.objects.select_related("host").get(pk=meeting.pk)
    return public.meeting_context(meeting)


PREVIEWS = {
    Claim: (claim_preview, "public/claim_detail.html"),
    Source: (source_preview, "public/source_detail.html"),
    Agreement: (agreement_preview, "public/agreement_detail.html"),
    Meeting: (meeting_preview, "public/meeting_detail.html"),
}


def render_preview(request: HttpRequest, record: models.Model) -> HttpResponse:
    build, template = PREVIEWS[type(record)]
    opts = record._meta
    context = build(request, record)
    context["preview"] = {
        "state": record.get_state_display(),
        "published": record.state == State.PUBLISHED,
        "what": opts.verbose_name,
        "back": reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk]),
    }
    context["public_template"] = template
    response = render(request, "admin/desk/preview.html", context)
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
