"""Sources: adding one (paste or upload, duplicates caught), and reading it to mark passages."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from tracker.newsroom.filters import AssigneeFilter
from tracker.newsroom.panels import record_panel

from .. import services
from ..choices import State
from ..forms import AttachEvidenceForm, MarkClaimForm, SourceForm
from ..models import Claim, Source
from .base import PublishableAdmin, apply_service_error
from .guards import is_record_id, numeric_id
from .reading import highlighted_text, source_spans


def claims_open_to(user) -> "Q":
    """Which claims `user` may attach evidence to from a reading page: drafts and claims
    in review (a published claim's evidence changes on its own page, with a correction
    note). services.evidence_attach decides for sure."""
    if user.has_perm("desk.review_claim"):
        return Q(state__in=[State.DRAFT, State.IN_REVIEW])
    return Q(state=State.DRAFT, drafted_by=user)


@admin.register(Source)
class SourceAdmin(PublishableAdmin):
    form = SourceForm
    change_form_template = "admin/desk/source/change_form.html"
    list_display = ("title", "publisher", "kind", "reliability", "published_on", "state", "claim_count")
    list_filter = ("state", AssigneeFilter, "kind", "reliability", "language")
    search_fields = ("title", "publisher", "url", "slug")
    actions = ["publish_selected"]
    fieldsets = [
        (None, {"fields": ["title", "publisher", "kind", "reliability", "url", "slug"]}),
        ("Dates", {"fields": ["published_on", "published_precision", "retrieved_on", "language"]}),
        ("Archived text", {"fields": ["upload", "text", "impact_seen"]}),
        ("Workflow", {"fields": ["state", "first_published_at", "updated_at", "version"]}),
    ]

    def get_queryset(self, request):
        # Counted per row shown (a correlated subquery), not by grouping every source
        # with every claim; and the archived texts stay out of the list.
        claims = Claim.objects.filter(source=OuterRef("pk")).order_by().values("source").annotate(n=Count("pk"))
        queryset = super().get_queryset(request).annotate(n_claims=Coalesce(Subquery(claims.values("n")), 0))
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name and match.url_name.endswith("_changelist"):
            queryset = queryset.defer("text")
        return queryset

    @admin.display(description="claims", ordering="n_claims")
    def claim_count(self, obj) -> int:
        return obj.n_claims

    def change_refusal(self, request: HttpRequest, obj: Source) -> str:
        return services.source_edit_refusal(obj, request.user)

    def delete_record(self, request: HttpRequest, obj: Source) -> None:
        services.source_delete(source=obj, by=request.user)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        if not super().has_delete_permission(request, obj):
            return False
        user = request.user
        return obj is None or obj.created_by_id == user.pk or user.has_perm("desk.correct_source")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and obj.state == State.PUBLISHED and self.has_change_permission(request, obj):
            fieldsets = [*fieldsets[:3], ("Correction", {"fields": ["correction_note"]}), *fieldsets[3:]]
        return fieldsets

    def apply_changes(self, request, form, formsets, change):
        data = form.cleaned_data
        names = [name for name in services.sources.FIELDS if name in form.fields]
        try:
            if not change:
                values = {name: data.get(name) for name in names}
                return services.source_create(by=request.user, **values)
            fields = self.changed_fields(form, names)
            if data.get("text") != form.initial.get("text"):
                fields["text"] = data["text"]
            return services.source_edit(
                source=form.instance,
                by=request.user,
                fields=fields,
                note=data.get("correction_note", ""),
                seen_version=data.get("seen_version"),
            )
        except services.DuplicateSource as duplicate:
            raise SourceForm.duplicate_error(duplicate) from None

    def change_view(self, request, object_id, form_url="", extra_context=None):
        source = self.get_object(request, object_id)
        extra = record_panel(request, source) if source is not None else {}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def publish_refusal(self, request: HttpRequest, record: Source) -> tuple[str, list]:
        refusal = services.source_publish_refusal(record, request.user)
        return refusal, services.source_publishers(record) if refusal else []

    def claims_affected(self, record) -> list:
        return list(services.sources.claims_resting_on(record).order_by("statement")[:100])

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

    def _link_earlier(self, request: HttpRequest, claim: Claim, earlier: Claim | None) -> None:
        """The repeat chosen while typing the statement (admin/intake.py)."""
        if earlier is None:
            return
        try:
            services.claim_link_earlier(claim=claim, by=request.user, earlier=earlier)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.WARNING)
        else:
            self.message_user(request, f"Linked as a repeat of “{earlier}”.")

    def read_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        source = get_object_or_404(Source, pk=object_id)
        if not self.has_view_permission(request, source):
            raise PermissionDenied
        user = request.user
        open_claims = Claim.objects.filter(claims_open_to(user)).order_by("-updated_at")
        asked = request.GET.get("claim") or request.POST.get("evidence-claim") or ""
        fixed = open_claims.filter(pk=asked).first() if is_record_id(asked) else None
        claim_form = MarkClaimForm(prefix="claim", initial={"claimant": source.publisher})
        evidence_form = AttachEvidenceForm(
            prefix="evidence", claims=open_claims, fixed_claim=fixed, initial={"stance": "supports"}
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
                    self._link_earlier(request, claim, data.get("repeats"))
                    return HttpResponseRedirect(reverse("admin:desk_claim_change", args=[claim.pk]))
        elif request.method == "POST" and "attach_evidence" in request.POST:
            evidence_form = AttachEvidenceForm(request.POST, prefix="evidence", claims=open_claims, fixed_claim=fixed)
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
            "fixed_claim": fixed,
            "can_mark": user.has_perm("desk.add_claim"),
            "can_attach": user.has_perm("desk.add_evidence"),
            "has_change_permission": self.has_change_permission(request, source),
        }
        return TemplateResponse(request, "admin/desk/source/read.html", context)
