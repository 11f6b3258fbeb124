"""Sources: adding one (paste or upload, duplicates caught), and reading it to mark passages."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from .. import services
from ..choices import State
from ..forms import AttachEvidenceForm, MarkClaimForm, SourceForm
from ..models import Claim, Source
from .base import PublishableAdmin
from .guards import numeric_id
from .reading import highlighted_text, source_spans


def claims_open_to(user) -> "Q":
    """Which claims `user` may attach evidence to (services.evidence_attach decides for sure)."""
    if user.has_perm("desk.correct_claim"):
        return Q(state__in=[State.DRAFT, State.IN_REVIEW, State.PUBLISHED])
    if user.has_perm("desk.review_claim"):
        return Q(state__in=[State.DRAFT, State.IN_REVIEW])
    return Q(state=State.DRAFT, drafted_by=user)


def apply_service_error(form, exc: ValidationError) -> None:
    """Show a service's refusal on the form: on the quote when it is about the quote."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@admin.register(Source)
class SourceAdmin(PublishableAdmin):
    form = SourceForm
    change_form_template = "admin/desk/source/change_form.html"
    list_display = ("title", "publisher", "kind", "reliability", "published_on", "state", "claim_count")
    list_filter = ("state", "kind", "reliability", "language")
    search_fields = ("title", "publisher", "url", "slug")
    actions = ["publish_selected"]
    fieldsets = [
        (None, {"fields": ["title", "publisher", "kind", "reliability", "url", "slug"]}),
        ("Dates", {"fields": ["published_on", "published_precision", "retrieved_on", "language"]}),
        ("Archived text", {"fields": ["upload", "text"]}),
        ("Workflow", {"fields": ["state", "first_published_at", "updated_at", "version"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_claims=Count("claims", distinct=True))

    @admin.display(description="claims", ordering="n_claims")
    def claim_count(self, obj) -> int:
        return obj.n_claims

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        if allowed and obj is not None and obj.state != State.DRAFT:
            # Editing a published text re-anchors its evidence and can send claims back to review.
            return request.user.has_perm("desk.publish_source")
        return allowed

    def save_model(self, request, obj, form, change):
        if not obj.slug:
            obj.slug = services.unique_slug(Source, obj.title)
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        if "_continue" in request.POST or "_addanother" in request.POST or "_popup" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        self.message_user(request, f"Archived “{obj}”. Select a passage to mark a claim in it.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:desk_source_read", args=[obj.pk]))

    def get_urls(self):
        return [
            path(
                "<path:object_id>/read/",
                self.admin_site.admin_view(numeric_id(self.read_view)),
                name="desk_source_read",
            ),
            *super().get_urls(),
        ]

    def read_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        source = get_object_or_404(Source, pk=object_id)
        if not self.has_view_permission(request, source):
            raise PermissionDenied
        user = request.user
        open_claims = Claim.objects.filter(claims_open_to(user)).order_by("-updated_at")
        claim_form = MarkClaimForm(prefix="claim", initial={"claimant": source.publisher})
        evidence_form = AttachEvidenceForm(
            prefix="evidence", claims=open_claims, initial={"claim": request.GET.get("claim"), "stance": "supports"}
        )
        if request.method == "POST" and "mark_claim" in request.POST:
            claim_form = MarkClaimForm(request.POST, prefix="claim")
            if claim_form.is_valid():
                data = claim_form.cleaned_data
                try:
                    claim = services.claim_create_draft(
                        by=user,
                        source=source,
                        quote=data["quote"],
                        near=data["near"],
                        statement=data["statement"],
                        claimant=data["claimant"],
                    )
                except ValidationError as exc:
                    apply_service_error(claim_form, exc)
                else:
                    self.message_user(request, "Claim drafted. Add its evidence, then submit it for review.")
                    return HttpResponseRedirect(reverse("admin:desk_claim_change", args=[claim.pk]))
        elif request.method == "POST" and "attach_evidence" in request.POST:
            evidence_form = AttachEvidenceForm(request.POST, prefix="evidence", claims=open_claims)
            if evidence_form.is_valid():
                data = evidence_form.cleaned_data
                try:
                    services.evidence_attach(
                        claim=data["claim"],
                        by=user,
                        source=source,
                        quote=data["quote"],
                        near=data["near"],
                        stance=data["stance"],
                        note=data["note"],
                    )
                except ValidationError as exc:
                    apply_service_error(evidence_form, exc)
                else:
                    self.message_user(request, f"Evidence attached to “{data['claim']}”.")
                    return HttpResponseRedirect(reverse("admin:desk_claim_change", args=[data["claim"].pk]))
        spans = source_spans(source)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": source.title,
            "source": source,
            "text_html": highlighted_text(source.text, spans),
            "spans": spans,
            "claim_form": claim_form,
            "evidence_form": evidence_form,
            "can_mark": user.has_perm("desk.add_claim"),
            "can_attach": user.has_perm("desk.add_evidence"),
            "has_change_permission": self.has_change_permission(request, source),
        }
        return TemplateResponse(request, "admin/desk/source/read.html", context)
