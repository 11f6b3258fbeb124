"""The newsroom's admin pages: assign and hand off, comment, the inbox, my submissions.

Every POST is CSRF-protected (the admin's views are) and names its record by kind and
id; a refusal is a message on the page it came from, or the desk's styled 403 for a
record the person cannot see. Nothing is changed by a refused request.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from tracker.desk.choices import State
from tracker.desk.models import Claim, ClaimEvent, Evidence, Source

from . import services
from .models import Comment, MailMode, Notification


def admin_urls(site) -> list:
    def view(function):
        return site.admin_view(function)

    return [
        path("newsroom/assign/", view(assign_view), name="newsroom_assign"),
        path("newsroom/comment/", view(comment_view), name="newsroom_comment"),
        path("newsroom/comment/resolve/", view(resolve_view), name="newsroom_comment_resolve"),
        path("newsroom/inbox/", view(inbox_view), name="newsroom_inbox"),
        path("newsroom/submissions/", view(submissions_view), name="newsroom_submissions"),
    ]


def _record(request: HttpRequest):
    record = services.record_for(request.POST.get("kind", ""), request.POST.get("id", ""))
    if record is None:
        raise Http404("There is no such claim or source.")
    if not services.can_see(request.user, record):
        raise PermissionDenied("You cannot see this record, so you cannot change who works on it or comment on it.")
    return record


def _back(request: HttpRequest, record, anchor: str = "") -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) or not target.startswith("/"):
        target = reverse(f"admin:desk_{services.kind_of(record)}_change", args=[record.pk])
    return HttpResponseRedirect(target + anchor if "#" not in target else target)


def assign_view(request: HttpRequest) -> HttpResponse:
    """POST kind, id, to (a user id, or "me" to take it), next."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    record = _record(request)
    wanted = request.POST.get("to", "")
    if wanted == "me":
        to = request.user
    else:
        known = wanted.isascii() and wanted.isdigit() and len(wanted) < 12
        to = get_user_model().objects.filter(pk=int(wanted)).first() if known else None
    try:
        changed = services.assign(record=record, to=to, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if to.pk == request.user.pk:
            done = "You took it." if changed else "It is already yours."
        else:
            who = services.checkers.display_name(to)
            done = f"Handed to {who}; they have been told." if changed else f"It is already {who}'s."
        messages.success(request, done)
    return _back(request, record)


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Internal: only the desk sees it. Mention someone with @username to tell them.",
    )  # fmt: skip
    field = forms.CharField(required=False, max_length=40)
    evidence = forms.CharField(required=False, max_length=20)


def comment_view(request: HttpRequest) -> HttpResponse:
    """POST kind, id, body, field (optional), evidence (optional): a comment in the thread."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    record = _record(request)
    form = CommentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        evidence = None
        if data["evidence"]:
            evidence = Evidence.objects.filter(pk=int(data["evidence"])).first() if data["evidence"].isdigit() else None
            if evidence is None:
                form.add_error("evidence", "There is no such evidence row.")
        if form.is_valid():
            try:
                services.comment_add(
                    record=record, by=request.user, body=data["body"], field=data["field"], evidence=evidence
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(request, "Comment added.")
                return _back(request, record, "#comments")
    context = {
        **_each(request),
        "title": "Your comment was not added",
        "form": form,
        "kind": services.kind_of(record),
        "record": record,
        "next": request.POST.get("next", ""),
    }
    return TemplateResponse(request, "newsroom/comment_refused.html", context, status=400)


def resolve_view(request: HttpRequest) -> HttpResponse:
    """POST comment (its id), resolved (1 or 0), next."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    pk = request.POST.get("comment", "")
    if not (pk.isascii() and pk.isdigit() and len(pk) < 19):
        raise Http404("There is no such comment.")
    comment = get_object_or_404(Comment.objects.select_related("claim", "source"), pk=pk)
    if not services.can_see(request.user, comment.record):
        raise PermissionDenied("You cannot see this record's comments.")
    resolved = request.POST.get("resolved", "1") != "0"
    services.comment_resolve(comment=comment, by=request.user, resolved=resolved)
    messages.success(request, "Comment resolved." if resolved else "Comment reopened.")
    return _back(request, comment.record, "#comments")


class MailModeForm(forms.Form):
    mode = forms.ChoiceField(label="Mail", choices=MailMode.choices, widget=forms.RadioSelect)


def inbox_view(request: HttpRequest) -> HttpResponse:
    """My notifications, newest first, unread marked; mark read; choose how mail comes."""
    user = request.user
    form = MailModeForm(initial={"mode": services.mail_mode(user)})
    if request.method == "POST":
        if "mode" in request.POST:
            form = MailModeForm(request.POST)
            if form.is_valid():
                services.set_mail_mode(user=user, mode=form.cleaned_data["mode"])
                messages.success(request, "Saved: " + MailMode(form.cleaned_data["mode"]).label.lower() + ".")
                return HttpResponseRedirect(reverse("admin:newsroom_inbox"))
        else:
            ids = [pk for pk in request.POST.getlist("read") if pk.isascii() and pk.isdigit() and len(pk) < 19]
            everything = "all" in request.POST or not ids
            done = services.mark_read(user=user, ids=None if everything else ids)
            messages.success(request, f"Marked {done} as read.")
            return HttpResponseRedirect(reverse("admin:newsroom_inbox"))
    notifications = Notification.objects.filter(recipient=user).select_related("actor").order_by("-created_at", "-pk")
    page = Paginator(notifications, 50).get_page(request.GET.get("page"))
    context = {
        **_each(request),
        "title": "Inbox",
        "page": page,
        "unread": Notification.objects.filter(recipient=user, read_at__isnull=True).count(),
        "form": form,
    }
    return TemplateResponse(request, "newsroom/inbox.html", context)


FATES = {
    State.DRAFT: "Draft",
    State.IN_REVIEW: "In review",
    State.PUBLISHED: "Published",
    State.RETRACTED: "Retracted",
}


def _fate(record, last_action: str | None, last_comment: str | None) -> tuple[str, str]:
    """What became of a submission, in words, and the reason given when there is one."""
    if record.state == State.DRAFT and last_action == ClaimEvent.Action.SENT_BACK:
        return "Sent back", last_comment or ""
    if record.state == State.IN_REVIEW and last_action in (ClaimEvent.Action.WITHDRAWN, ClaimEvent.Action.RETURNED):
        return "Withdrawn to review", last_comment or ""
    return FATES.get(record.state, record.get_state_display()), ""


def submissions_view(request: HttpRequest) -> HttpResponse:
    """My submissions: every claim I drafted and source I archived, with its fate."""
    user = request.user
    last = ClaimEvent.objects.filter(claim=OuterRef("pk")).order_by("-created_at", "-id")
    claims = (
        Claim.objects.filter(drafted_by=user)
        .annotate(last_action=Subquery(last.values("action")[:1]), last_comment=Subquery(last.values("comment")[:1]))
        .only("pk", "statement", "state", "verdict", "updated_at", "slug")
        .order_by("-updated_at", "-pk")
    )
    page = Paginator(claims, 50).get_page(request.GET.get("page"))
    rows = [(claim, *_fate(claim, claim.last_action, claim.last_comment)) for claim in page]
    sources = Source.objects.filter(created_by=user).only("pk", "title", "state", "updated_at").order_by("-updated_at")
    context = {
        **_each(request),
        "title": "My submissions",
        "page": page,
        "rows": rows,
        "sources": [(source, FATES.get(source.state, "")) for source in sources[:50]],
    }
    return TemplateResponse(request, "newsroom/submissions.html", context)


def _each(request: HttpRequest) -> dict:
    from django.contrib import admin

    return admin.site.each_context(request)
