"""Claims: the change page with its workflow buttons, candidate evidence, and the review queue."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from .. import services
from ..candidates import find_candidates
from ..choices import Stance, State
from ..forms import CommentForm, CorrectionForm, NoteForm, VerdictForm, VersionedForm
from ..models import Claim, ClaimForReview, Evidence, Passage
from .base import EditorialAdmin, RecordAdmin
from .guards import is_record_id, numeric_id
from .sources import apply_service_error

DONE = {
    "submit": "Submitted for review.",
    "send_back": "Sent back to the reporter with your comment.",
    "publish": "Published.",
    "correct": "Corrected; the note is published as a correction.",
    "retract": "Retracted; the note is published as a retraction.",
}
# action -> (button label, form class or None, permission it needs, states it applies to)
WORKFLOW = {
    "submit": ("Submit for review", None, "submit_claim", {State.DRAFT}),
    "send_back": ("Send back…", CommentForm, "review_claim", {State.IN_REVIEW}),
    "publish": ("Publish…", VerdictForm, "publish_claim", {State.IN_REVIEW}),
    "correct": ("Correct the verdict…", CorrectionForm, "correct_claim", {State.PUBLISHED}),
    "retract": ("Retract…", NoteForm, "retract_claim", {State.PUBLISHED}),
}


def run_transition(action: str, claim: Claim, user, data: dict) -> Claim:
    if action == "submit":
        return services.claim_submit(claim=claim, by=user)
    if action == "send_back":
        return services.claim_send_back(claim=claim, by=user, comment=data["comment"])
    if action == "publish":
        return services.claim_publish(claim=claim, by=user, verdict=data["verdict"], rationale=data["rationale"])
    if action == "correct":
        return services.claim_correct(
            claim=claim, by=user, note=data["note"], verdict=data["verdict"], rationale=data["rationale"]
        )
    if action == "retract":
        return services.claim_retract(claim=claim, by=user, note=data["note"])
    raise Http404


class ClaimForm(VersionedForm):
    class Meta:
        model = Claim
        fields = [
            "statement", "claimant", "claimant_person", "source", "quote", "claimed_on", "slug",
            "agreements", "meetings", "people", "parties", "topics",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = "Made from the statement when left empty."


class FlaggedEvidenceFilter(admin.SimpleListFilter):
    title = "flagged quotes"
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [("yes", "A quote no longer matches its source"), ("no", "All quotes anchored")]

    def queryset(self, request, queryset):
        flagged = Q(anchor_broken=True) | Exists(Evidence.objects.filter(claim=OuterRef("pk"), anchor_broken=True))
        if self.value() == "yes":
            return queryset.filter(flagged)
        if self.value() == "no":
            return queryset.exclude(flagged)
        return queryset


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ("source", "quote", "stance", "note", "anchor_broken")
    readonly_fields = ("anchor_broken",)
    autocomplete_fields = ("source",)
    show_change_link = False

    def _claim_editable(self, request, obj) -> bool:
        if obj is None:
            return True
        if obj.state == State.RETRACTED:
            return False
        if obj.state == State.PUBLISHED:
            return request.user.has_perm("desk.correct_claim")
        return True

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._claim_editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._claim_editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (
            super().has_delete_permission(request, obj)
            and self._claim_editable(request, obj)
            and (obj is None or obj.first_published_at is None)
        )


@admin.register(Claim)
class ClaimAdmin(EditorialAdmin):
    form = ClaimForm
    change_form_template = "admin/desk/claim/change_form.html"
    list_display = ("short_statement", "state", "verdict", "source", "drafted_by", "updated_at")
    list_select_related = ("source", "drafted_by")
    list_filter = ("state", "verdict", FlaggedEvidenceFilter, "topics")
    search_fields = ("statement", "claimant", "quote", "slug")
    date_hierarchy = None
    autocomplete_fields = ("source", "claimant_person", "agreements", "meetings", "people", "parties", "topics")
    inlines = [EvidenceInline]
    actions = ["submit_selected"]
    workflow_fields = (
        "state",
        "verdict",
        "rationale",
        "drafted_by",
        "reviewed_by",
        "submitted_at",
        "verdict_published_at",
        "first_published_at",
        "quote_status",
        "version",
    )
    fieldsets = [
        (None, {"fields": ["statement", "claimant", "claimant_person", "source", "quote", "claimed_on", "slug"]}),
        ("What it is about", {"fields": ["agreements", "meetings", "people", "parties", "topics"]}),
        ("Verdict and workflow", {"fields": list(workflow_fields)}),
    ]

    @admin.display(description="statement", ordering="statement")
    def short_statement(self, obj) -> str:
        return obj.statement[:120]

    @admin.display(description="quote")
    def quote_status(self, obj) -> str:
        if obj.anchor_broken:
            return "Flagged: the quote no longer occurs in the source's text"
        return f"Anchored at characters {obj.start}–{obj.end} of the source"

    def view_on_site(self, obj) -> str | None:
        return obj.get_absolute_url() if obj.state == State.PUBLISHED else None

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        if obj is None:
            return True
        user = request.user
        if obj.state == State.DRAFT:
            return obj.drafted_by_id in (None, user.pk) or user.has_perm("desk.review_claim")
        if obj.state == State.IN_REVIEW:
            return user.has_perm("desk.review_claim")
        if obj.state == State.PUBLISHED:
            return user.has_perm("desk.correct_claim")
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            obj.drafted_by = request.user
        if not obj.slug:
            obj.slug = services.unique_slug(Claim, obj.statement)
        super().save_model(request, obj, form, change)
        if not change:
            obj.events.create(action="drafted", by=request.user)

    def save_formset(self, request, form, formset, change):
        for evidence in formset.save(commit=False):
            if evidence.created_by_id is None:
                evidence.created_by = request.user
            evidence.save()
        for evidence in formset.deleted_objects:
            evidence.delete()
        formset.save_m2m()

    @admin.action(description="Submit the selected claims for review", permissions=["submit"])
    def submit_selected(self, request, queryset):
        done = 0
        for claim in queryset:
            try:
                services.claim_submit(claim=claim, by=request.user)
                done += 1
            except ValidationError as exc:
                self.message_user(request, f"“{claim}”: {' '.join(exc.messages)}", messages.WARNING)
        if done:
            self.message_user(request, f"Submitted {done} claim(s) for review.", messages.SUCCESS)

    def has_submit_permission(self, request) -> bool:
        return request.user.has_perm("desk.submit_claim")

    def get_urls(self):
        def view(method):
            return self.admin_site.admin_view(numeric_id(method))

        return [
            path("<path:object_id>/workflow/<str:action>/", view(self.workflow_view), name="desk_claim_workflow"),
            path("<path:object_id>/candidates/", view(self.candidates_view), name="desk_claim_candidates"),
            *super().get_urls(),
        ]

    def workflow_buttons(self, request, claim: Claim) -> list[dict]:
        return [
            {"action": action, "label": label, "needs_form": form_class is not None}
            for action, (label, form_class, codename, states) in WORKFLOW.items()
            if claim.state in states and request.user.has_perm(f"desk.{codename}")
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        claim = self.get_object(request, object_id)
        extra = {}
        if claim is not None:
            extra = {
                "workflow_buttons": self.workflow_buttons(request, claim),
                "events": claim.events.select_related("by")[:20],
                "can_attach": not services.evidence_refusal(claim, request.user),
            }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def _claim_for(self, request, object_id) -> Claim:
        claim = get_object_or_404(Claim.objects.select_related("source", "drafted_by"), pk=object_id)
        if not self.has_view_permission(request, claim):
            raise PermissionDenied
        return claim

    def workflow_view(self, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
        if action not in WORKFLOW:
            raise Http404
        claim = self._claim_for(request, object_id)
        label, form_class, codename, _states = WORKFLOW[action]
        if not request.user.has_perm(f"desk.{codename}"):
            raise PermissionDenied
        initial = {"verdict": claim.verdict, "rationale": claim.rationale} if action == "correct" else {}
        data = request.POST if request.method == "POST" else None
        form = form_class(data, initial=initial) if form_class else forms.Form(data)
        if request.method == "POST" and form.is_valid():
            try:
                claim = run_transition(action, claim, request.user, form.cleaned_data)
            except ValidationError as exc:
                apply_service_error(form, exc)
            else:
                self.message_user(request, f"{DONE[action]} “{claim}”", messages.SUCCESS)
                if action in ("publish", "send_back") and request.user.has_perm("desk.view_claimforreview"):
                    return HttpResponseRedirect(reverse("admin:desk_claimforreview_changelist"))
                return HttpResponseRedirect(reverse("admin:desk_claim_change", args=[claim.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": label.rstrip("…"),
            "claim": claim,
            "action": action,
            "label": label.rstrip("…"),
            "form": form,
            "evidence": claim.evidence.select_related("source"),
        }
        return TemplateResponse(request, "admin/desk/claim/workflow.html", context)

    def candidates_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        claim = self._claim_for(request, object_id)
        if request.method == "POST":
            passage_id = request.POST.get("passage", "")
            if not is_record_id(passage_id):  # pk="abc" is a ValueError: a 500
                raise Http404("There is no such passage.")
            passage = get_object_or_404(Passage.objects.select_related("source"), pk=passage_id)
            try:
                services.evidence_attach(
                    claim=claim,
                    by=request.user,
                    source=passage.source,
                    quote=passage.text,
                    near=passage.start,
                    stance=request.POST.get("stance", ""),
                )
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(request, f"Attached the passage from “{passage.source}”.", messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:desk_claim_candidates", args=[claim.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Candidate evidence",
            "claim": claim,
            "candidates": find_candidates(claim),
            "stances": Stance.choices,
            "evidence": claim.evidence.select_related("source"),
        }
        return TemplateResponse(request, "admin/desk/claim/candidates.html", context)


@admin.register(ClaimForReview)
class ReviewQueueAdmin(RecordAdmin):
    """Claims in review that the current user did not draft, oldest first."""

    list_display = ("statement_link", "source_title", "drafted_by", "submitted", "evidence_count", "flagged")
    list_display_links = None
    list_select_related = ("source", "drafted_by")
    list_filter = ("agreements", "meetings", ("source", admin.RelatedOnlyFieldListFilter), "verdict", "topics",
                   FlaggedEvidenceFilter)  # fmt: skip
    search_fields = ("statement", "claimant", "quote", "source__title")
    ordering = ("submitted_at", "pk")
    actions = None

    class Media:
        css = {"all": ["desk/desk.css"]}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(state=State.IN_REVIEW)
            .exclude(drafted_by=request.user)
            .annotate(
                n_evidence=Count("evidence", distinct=True),
                n_flagged=Count("evidence", filter=Q(evidence__anchor_broken=True), distinct=True),
            )
        )

    @admin.display(description="claim", ordering="statement")
    def statement_link(self, obj) -> str:
        return format_html('<a href="{}">{}</a>', reverse("admin:desk_claim_change", args=[obj.pk]), obj.statement)

    @admin.display(description="submitted", ordering="submitted_at")
    def submitted(self, obj) -> str:
        return timezone.localtime(obj.submitted_at).strftime("%-d %b %H:%M") if obj.submitted_at else "–"

    @admin.display(description="source", ordering="source__title")
    def source_title(self, obj) -> str:
        title = obj.source.title
        return title if len(title) <= 45 else title[:44] + "…"

    @admin.display(description="evidence", ordering="n_evidence")
    def evidence_count(self, obj) -> int:
        return obj.n_evidence

    @admin.display(description="flagged quotes")
    def flagged(self, obj) -> str:
        count = obj.n_flagged + (1 if obj.anchor_broken else 0)
        return f"⚠ {count}" if count else ""

    def changelist_view(self, request, extra_context=None):
        extra = {"title": "Claims awaiting your review, oldest first"}
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("admin:desk_claim_change", args=[object_id]))


@admin.register(Evidence)
class EvidenceAdmin(RecordAdmin):
    list_display = ("__str__", "claim", "source", "stance", "anchor_broken", "created_by")
    list_select_related = ("claim", "source", "created_by")
    list_filter = ("stance", "anchor_broken")
    search_fields = ("quote", "note", "claim__statement", "source__title")
    autocomplete_fields = ("claim", "source")
    readonly_fields = ("start", "end", "prefix", "suffix", "anchor_broken", "created_by", "created_at")

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.claim.state in (State.PUBLISHED, State.RETRACTED):
            return request.user.has_perm("desk.correct_claim") and obj.claim.state == State.PUBLISHED
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.claim.first_published_at is not None:
            return False
        return super().has_delete_permission(request, obj)

    def has_add_permission(self, request):
        # Evidence is added from its claim, the source's reading page or candidate evidence.
        return False
