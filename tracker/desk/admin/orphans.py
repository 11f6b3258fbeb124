"""The orphaned-quotes queue: quotes an edit of their source could not find again
(orphaned) or re-pointed to other words (tolerantly or approximately). A person
confirms the new passage, or detaches the evidence; both through the services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from .. import services
from ..home import claim_quotes_to_look_at, quotes_to_look_at
from ..models import Claim, Evidence
from ..services.checkers import names, quote_confirm_refusal, staff_with
from .guards import is_record_id

LIMIT = 50
CONTEXT = 80


def _row(item: Claim | Evidence, claim: Claim, user) -> dict:
    text = item.source.text
    orphaned = item.anchor_broken
    start, end = (item.suggested_start, item.suggested_end) if orphaned else (item.start, item.end)
    has_passage = start is not None and end is not None
    return {
        "kind": "evidence" if isinstance(item, Evidence) else "claim",
        "item": item,
        "claim": claim,
        "orphaned": orphaned,
        "passage": text[start:end] if has_passage else "",
        "before": text[max(0, start - CONTEXT) : start] if has_passage else "",
        "after": text[end : end + CONTEXT] if has_passage else "",
        "start": start,
        "end": end,
        "score": item.anchor_score,
        "refusal": quote_confirm_refusal(claim, item, user),
        "confirmers": "" if not item.anchor_moved_by_id else _others(claim, item),
    }


def _others(claim: Claim, item: Claim | Evidence) -> str:
    """Who else may confirm the quote: the source's editor moved it."""
    codename = "correct_claim" if claim.state == "published" else "review_claim"
    return names(staff_with(codename).exclude(pk=item.anchor_moved_by_id)[:5])


def orphaned_quotes_view(request: HttpRequest) -> HttpResponse:
    from django.contrib import admin

    user = request.user
    if not (user.has_perm("desk.add_claim") or user.has_perm("desk.review_claim")):
        raise Http404
    if request.method == "POST":
        return _act(request)
    own = list(claim_quotes_to_look_at(user)[:LIMIT])
    evidence = list(quotes_to_look_at(user)[:LIMIT])
    rows = [_row(c, c, user) for c in own] + [_row(e, e.claim, user) for e in evidence]
    context = {
        **admin.site.each_context(request),
        "title": "Orphaned quotes",
        "rows": rows,
        "limit": LIMIT,
        "truncated": len(own) == LIMIT or len(evidence) == LIMIT,
    }
    return TemplateResponse(request, "admin/desk/orphaned_quotes.html", context)


def _act(request: HttpRequest) -> HttpResponse:
    action, kind = request.POST.get("action", ""), request.POST.get("kind", "")
    claim_id, evidence_id = request.POST.get("claim", ""), request.POST.get("evidence", "")
    if action not in ("confirm", "detach") or kind not in ("claim", "evidence") or not is_record_id(claim_id):
        raise Http404("There is no such quote.")
    if kind == "evidence" and not is_record_id(evidence_id):
        raise Http404("There is no such quote.")
    claim = get_object_or_404(Claim, pk=claim_id)
    ev = int(evidence_id) if kind == "evidence" else None
    try:
        if action == "confirm":
            services.quote_confirm(
                claim=claim, by=request.user, evidence_id=ev, quote=request.POST.get("quote", ""),
                reason=request.POST.get("reason", ""),
            )  # fmt: skip
            done = "Confirmed the new passage"
        elif ev is None:
            raise Http404("A claim's own quote is confirmed, not detached.")
        else:
            services.evidence_detach(claim=claim, by=request.user, evidence_id=ev, note=request.POST.get("note", ""))
            done = "Detached the quote"
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{done} of “{claim}”.")
    return HttpResponseRedirect(reverse("admin:desk_orphaned_quotes"))
