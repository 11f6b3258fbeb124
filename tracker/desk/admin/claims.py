"""Claims: the change page with its workflow buttons, candidate evidence, and the review queue."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from .. import services
from ..candidates import find_candidates
from ..choices import NEEDS_A_LOOK, Stance, State, Verdict
from ..forms import (
    ChoosesRepeat,
    CommentForm,
    CorrectionForm,
    NoteForm,
    ReasonForm,
    RepublishForm,
    VerdictForm,
    VersionedForm,
    repeats_field,
)
from ..models import Claim, ClaimForReview, Evidence, Passage, Source, short_text
from ..similar import likely_repeats
from ..text import strip_control_chars
from .base import EditorialAdmin, ReadOnlyAdmin, RecordAdmin, apply_service_error, formset_rows
from .guards import is_record_id, numeric_id
from .intake import earlier_checks

DONE = {
    "submit": "Submitted for review.",
    "send_back": "Sent back to the reporter with your comment.",
    "publish": "Published.",
    "correct": "Corrected; the note is published as a correction.",
    "retract": "Retracted; the note is published as a retraction.",
    "withdraw": "Withdrawn to review; its page says so, with your reason, until it is published again.",
}
EVIDENCE_FIELDS = ("source", "quote", "stance", "note")
# action -> (button label, form class or None, permission it needs, states it applies to)
WORKFLOW = {
    "submit": ("Submit for review", None, "submit_claim", {State.DRAFT}),
    "send_back": ("Send back…", CommentForm, "review_claim", {State.IN_REVIEW}),
    "publish": ("Publish…", VerdictForm, "publish_claim", {State.IN_REVIEW}),
    "correct": ("Correct the verdict…", CorrectionForm, "correct_claim", {State.PUBLISHED}),
    "withdraw": ("Withdraw to review…", ReasonForm, "withdraw_claim", {State.PUBLISHED}),
    "retract": ("Retract…", NoteForm, "retract_claim", {State.PUBLISHED}),
}


def run_transition(action: str, claim: Claim, user, data: dict) -> Claim:
    if action == "submit":
        return services.claim_submit(claim=claim, by=user)
    if action == "send_back":
        return services.claim_send_back(claim=claim, by=user, comment=data["comment"])
    if action == "publish":
        return services.claim_publish(
            claim=claim, by=user, verdict=data["verdict"], rationale=data["rationale"], note=data.get("note", "")
        )
    if action == "correct":
        return services.claim_correct(
            claim=claim, by=user, note=data["note"], verdict=data["verdict"], rationale=data["rationale"]
        )
    if action == "retract":
        return services.claim_retract(claim=claim, by=user, note=data["note"])
    if action == "withdraw":
        return services.claim_withdraw(claim=claim, by=user, reason=data["reason"])
    raise Http404


class ClaimForm(ChoosesRepeat, VersionedForm):
    correction_note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
        help_text="This claim is published: a change readers would see (statement, claimant, quote, evidence, "
        "stance) is saved only with a note saying what changed and why, published as a correction.",
    )
    repeats = repeats_field()  # on the add form only (ClaimAdmin.get_fieldsets)

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
            self.fields["slug"].help_text = "Made from the statement when left empty; permanent once published."
        if "quote" in self.fields:
            self.fields["quote"].required = False
            self.fields["quote"].label = "Passage where the claim is made"


class FlaggedEvidenceFilter(admin.SimpleListFilter):
    title = "flagged quotes"
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [("yes", "A quote was orphaned or re-pointed by a source edit"), ("no", "All quotes anchored")]

    def queryset(self, request, queryset):
        flagged = Q(anchor_method__in=NEEDS_A_LOOK) | Exists(
            Evidence.objects.filter(claim=OuterRef("pk"), anchor_method__in=NEEDS_A_LOOK)
        )
        if self.value() == "yes":
            return queryset.filter(flagged)
        if self.value() == "no":
            return queryset.exclude(flagged)
        return queryset


class EvidenceForm(forms.ModelForm):
    class Meta:
        model = Evidence
        fields = ["source", "quote", "stance", "note"]
        labels = {"quote": "Evidence passage"}
        widgets = {"quote": forms.Textarea(attrs={"rows": 4}), "note": forms.Textarea(attrs={"rows": 3})}


class EvidenceInline(admin.TabularInline):
    """The claim's evidence, edited with the claim and saved by the same service call."""

    model = Evidence
    form = EvidenceForm
    extra = 0
    fields = ("source", "quote", "stance", "note", "anchoring")
    readonly_fields = ("anchoring",)
    autocomplete_fields = ("source",)
    show_change_link = False

    def _editable(self, request, obj) -> bool:
        return obj is None or not services.claim_edit_refusal(obj, request.user)

    @admin.display(description="in its source")
    def anchoring(self, obj) -> str:
        if obj is None or obj.pk is None:
            return ""
        if obj.anchor_broken:
            return "⚠ Orphaned: no longer in its source's text. Confirm or detach it in the orphaned-quotes queue."
        if obj.needs_a_look:
            return "⚠ Re-pointed by an edit of its source: waiting for someone to confirm it."
        return f"Anchored at characters {obj.start}–{obj.end}"

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._editable(request, obj)


@admin.register(Claim)
class ClaimAdmin(EditorialAdmin):
    form = ClaimForm
    change_form_template = "admin/desk/claim/change_form.html"
    list_display = ("short_statement", "state", "verdict", "source", "drafted_by", "updated_at")
    list_select_related = ("source", "drafted_by")
    list_deferred = ("source__text",)
    list_filter = ("state", "verdict", FlaggedEvidenceFilter, "topics")
    search_fields = ("statement", "claimant", "quote", "slug")
    date_hierarchy = None
    # Along the updated_at index: the verdict-date order sorted all 100,000 claims.
    ordering = ("-updated_at", "-pk")
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
        (
            None,
            {
                "fields": [
                    "statement",
                    "claimant",
                    "claimant_person",
                    "source",
                    "quote",
                    "claimed_on",
                    "slug",
                    "correction_note",
                ]
            },
        ),  # fmt: skip
        ("What it is about", {"fields": ["agreements", "meetings", "people", "parties", "topics"]}),
        ("Verdict and workflow", {"fields": list(workflow_fields)}),
    ]

    @admin.display(description="statement", ordering="statement")
    def short_statement(self, obj) -> str:
        return short_text(obj.statement, 120)

    @admin.display(description="anchoring of its passage")
    def quote_status(self, obj) -> str:
        if obj.anchor_broken:
            return "Flagged: the quote no longer occurs in the source's text"
        return f"Anchored at characters {obj.start}–{obj.end} of the source"

    def view_on_site(self, obj) -> str | None:
        return obj.get_absolute_url() if obj.state == State.PUBLISHED else None

    def change_refusal(self, request: HttpRequest, obj: Claim) -> str:
        return services.claim_edit_refusal(obj, request.user)

    def get_search_results(self, request, queryset, search_term):
        """The claim picker of a reading page (evidence's `claim` field) offers only the
        claims this person may attach evidence to there, never one it would then refuse."""
        if request.GET.get("model_name") == "evidence" and request.GET.get("field_name") == "claim":
            from .sources import claims_open_to

            queryset = queryset.filter(claims_open_to(request.user))
        return super().get_search_results(request, queryset, search_term)

    def delete_record(self, request: HttpRequest, obj: Claim) -> None:
        services.claim_delete(claim=obj, by=request.user)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        if not super().has_delete_permission(request, obj):
            return False
        # A draft, by whoever drafted it or an editor (services.claim_delete decides for sure).
        user = request.user
        return obj is None or (
            obj.state == State.DRAFT and (obj.drafted_by_id == user.pk or user.has_perm("desk.correct_claim"))
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or obj.state != State.PUBLISHED or not self.has_change_permission(request, obj):
            fieldsets = [(name, {**options, "fields": [f for f in options["fields"] if f != "correction_note"]})
                         for name, options in fieldsets]  # fmt: skip
        if obj is None:  # the repeat chosen while typing (admin/intake.py); afterwards, the page's own list
            first = fieldsets[0][1]
            first["fields"] = [*first["fields"], "repeats"]
        return fieldsets

    def apply_changes(self, request, form, formsets, change):
        data = form.cleaned_data
        links = {name: list(data[name]) for name in services.claims.LINK_FIELDS if name in data}
        evidence = next((f for f in formsets if f.model is Evidence), None)
        rows = formset_rows(evidence, EVIDENCE_FIELDS) if evidence is not None else services.Rows()
        add = [services.EvidenceAdd(source=row["source"], quote=row["quote"] or "", stance=row["stance"] or "",
                                    note=row["note"] or "") for row in rows.add]  # fmt: skip
        if not change:
            claim = services.claim_create_draft(
                by=request.user, source=data["source"], quote=data.get("quote") or "", statement=data["statement"],
                claimant=data.get("claimant") or "", claimed_on=data.get("claimed_on"),
                claimant_person=data.get("claimant_person"), slug=data.get("slug") or "", links=links, evidence=add,
            )  # fmt: skip
            if data.get("repeats"):  # in the admin's transaction: refused, nothing is saved
                claim = services.claim_link_earlier(claim=claim, by=request.user, earlier=data["repeats"])
            return claim
        return services.claim_edit(
            claim=form.instance,
            by=request.user,
            fields=self.changed_fields(form, services.claims.EDITABLE_FIELDS),
            links={name: value for name, value in links.items() if name in form.changed_data},
            add=add,
            change=[services.EvidenceChange(evidence_id=pk, **values) for pk, values in rows.change.items()],
            remove=rows.remove,
            note=data.get("correction_note", ""),
            seen_version=data.get("seen_version"),
        )

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
            path("earlier-checks/", self.admin_site.admin_view(earlier_checks), name="desk_claim_earlier_checks"),
            path("<path:object_id>/workflow/<str:action>/", view(self.workflow_view), name="desk_claim_workflow"),
            path("<path:object_id>/candidates/", view(self.candidates_view), name="desk_claim_candidates"),
            path("<path:object_id>/earlier/", view(self.earlier_view), name="desk_claim_earlier"),
            path("<path:object_id>/quote-from/", view(self.quote_from_view), name="desk_claim_quote_from"),
            *super().get_urls(),
        ]

    def workflow_buttons(self, request, claim: Claim) -> list[dict]:
        """The steps this person may take now. Publish and Correct are left out, with the
        reason, for someone who wrote the claim's content (maker-checker)."""
        buttons = []
        for action, (label, form_class, codename, states) in WORKFLOW.items():
            if claim.state not in states or not request.user.has_perm(f"desk.{codename}"):
                continue
            refusal = ""
            if action in ("publish", "correct"):
                refusal = services.publish_refusal(claim, request.user, doing=action)
            buttons.append({"action": action, "label": label, "needs_form": form_class is not None, "refusal": refusal})
        return buttons

    def change_view(self, request, object_id, form_url="", extra_context=None):
        claim = self.get_object(request, object_id)
        extra = {}
        if claim is not None:
            extra = {
                "workflow_buttons": self.workflow_buttons(request, claim),
                "events": claim.events.select_related("by")[:20],
                "can_attach": not services.evidence_refusal(claim, request.user),
                # One ranked list above a threshold, one choice (not the check it already repeats).
                "similar": [
                    item
                    for item in likely_repeats(claim.statement, exclude=claim.pk)
                    if item.claim.pk != claim.earlier_check_id
                ],
                "can_link_earlier": not services.claim_edit_refusal(claim, request.user),
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
            who = services.names(services.checkers.staff_with(codename).exclude(pk=request.user.pk)[:5])
            then = f" {who} can." if who else ""
            raise PermissionDenied(f"Your role on the desk does not include this step ({label.rstrip('…')}).{then}")
        if claim.state not in WORKFLOW[action][3]:
            self.message_user(request, f"This claim is {claim.get_state_display().lower()}: it cannot be "
                              f"{label.rstrip('…').lower()} now.", messages.WARNING)  # fmt: skip
            return HttpResponseRedirect(reverse("admin:desk_claim_change", args=[claim.pk]))
        initial = {}
        if action in ("publish", "correct"):
            # After a withdrawal the form starts from what was published, not blank.
            verdict = claim.verdict if claim.verdict != Verdict.NOT_RATED else ""
            initial = {"verdict": verdict, "rationale": claim.rationale}
        republishing = action == "publish" and claim.first_published_at is not None
        if republishing:
            form_class = RepublishForm
            initial["note"] = initial["drafted"] = services.republication_note(
                claim, verdict=claim.verdict, rationale=claim.rationale
            )
        refusal = (
            services.publish_refusal(claim, request.user, doing=action) if action in ("publish", "correct") else ""
        )
        data = request.POST if request.method == "POST" and not refusal else None
        form = form_class(data, initial=initial) if form_class else forms.Form(data)
        if request.method == "POST" and republishing and form.is_valid():
            # A note left as drafted follows the verdict and rationale settled on here.
            form.redraft(
                services.republication_note(claim, **{k: form.cleaned_data[k] for k in ("verdict", "rationale")})
            )
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
            "refusal": refusal,
            "sources_published_with": services.sources_published_with(claim) if action == "publish" else [],
            "republication_changes": services.republication_changes(
                claim, verdict=claim.verdict, rationale=claim.rationale
            )
            if republishing
            else [],
            "confirmed_below_threshold": [
                item for item in [claim, *claim.evidence.select_related("source")] if item.anchor_confirm_note
            ],
        }
        return TemplateResponse(request, "admin/desk/claim/workflow.html", context)

    def quote_from_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Choose another source to quote for this claim; its reading page keeps the claim."""
        claim = self._claim_for(request, object_id)
        query = " ".join(strip_control_chars(request.GET.get("q", "")).split())[:200]  # no NUL for PostgreSQL
        sources = Source.objects.exclude(state=State.RETRACTED).exclude(pk=claim.source_id).order_by("title")
        if query:
            sources = sources.filter(Q(title__icontains=query) | Q(publisher__icontains=query))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Quote from another source",
            "claim": claim,
            "query": query,
            "sources": sources.only("pk", "title", "publisher", "state", "kind")[:50],
        }
        return TemplateResponse(request, "admin/desk/claim/quote_from.html", context)

    def earlier_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Link the claim as a repeat of an earlier check (POST earlier=<id>), or unlink it (earlier=)."""
        claim = self._claim_for(request, object_id)
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:desk_claim_change", args=[claim.pk]))
        earlier_id = request.POST.get("earlier", "")
        if earlier_id and not is_record_id(earlier_id):
            raise Http404("There is no such claim.")
        earlier = get_object_or_404(Claim, pk=earlier_id) if earlier_id else None
        try:
            services.claim_link_earlier(claim=claim, by=request.user, earlier=earlier)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        else:
            done = f"Linked as a repeat of “{earlier}”." if earlier else "Unlinked from its earlier check."
            self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:desk_claim_change", args=[claim.pk]))

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
            # No attach buttons for someone the service would refuse; they read the candidates only.
            "attach_refusal": services.evidence_refusal(claim, request.user),
            "evidence": claim.evidence.select_related("source"),
        }
        return TemplateResponse(request, "admin/desk/claim/candidates.html", context)


def _evidence_count(**conditions):
    quotes = Evidence.objects.filter(claim=OuterRef("pk"), **conditions).order_by().values("claim")
    return Coalesce(Subquery(quotes.annotate(n=Count("pk")).values("n")[:1]), 0)


class BusiestRelatedFilter(admin.RelatedOnlyFieldListFilter):
    """The related records the most claims in the list use, not every one they use: the
    queue's 3,000 claims cite thousands of sources (a 570 KB sidebar). The search box
    finds the others; a chosen one is always listed."""

    shown = 15

    def field_choices(self, field, request, model_admin):
        listed = getattr(model_admin, "queue", model_admin.get_queryset)(request).order_by()  # without row counts
        if connection.vendor == "postgresql":
            # Grouped over the list itself: PostgreSQL answered `pk IN (the list)` by
            # scanning every claim (72 ms), where this reads the queue's rows (4-7 ms).
            in_list = listed
        else:
            # SQLite grouped the list itself along the related record's index, visiting
            # every claim (150 ms); `pk IN (the list)` starts from the queue.
            in_list = model_admin.model.objects.filter(pk__in=listed.values("pk"))
        busiest = (
            in_list.filter(**{f"{self.field_path}__isnull": False})
            .values(f"{self.field_path}__pk")
            .annotate(n=Count("pk"))
            .order_by("-n", f"{self.field_path}__pk")
        )
        keys = [row[f"{self.field_path}__pk"] for row in busiest[: self.shown]]
        chosen = [value for value in (self.lookup_val or []) if str(value).isdigit()]
        related = field.remote_field.model._default_manager.filter(pk__in=[*keys, *chosen])
        return sorted(((record.pk, str(record)) for record in related), key=lambda choice: choice[1].lower())


@admin.register(ClaimForReview)
class ReviewQueueAdmin(RecordAdmin):
    """Claims in review that the current user did not write any of, oldest first."""

    list_display = ("statement_link", "source_title", "drafted_by", "submitted", "evidence_count", "flagged")
    list_display_links = None
    list_select_related = ("source", "drafted_by")
    list_deferred = ("source__text",)
    # The sidebar offers only the agreements, meetings and sources the queue's claims
    # use, not every one on record (thousands, at the desk's size).
    list_filter = (
        ("agreements", BusiestRelatedFilter),
        ("meetings", BusiestRelatedFilter),
        ("source", BusiestRelatedFilter),
        "verdict",
        "topics",
        FlaggedEvidenceFilter,
    )
    search_fields = ("statement", "claimant", "quote", "source__title")
    ordering = ("submitted_at", "pk")
    actions = None

    class Media:
        css = {"all": ["desk/desk.css"]}

    def queue(self, request):
        """The claims in the queue, without the counts each row shows."""
        return (
            super()
            .get_queryset(request)
            .filter(state=State.IN_REVIEW)
            .exclude(drafted_by=request.user)
            # Nor those they wrote some of: someone else publishes them (maker-checker).
            .exclude(contributors=request.user)
        )

    def get_queryset(self, request):
        # Counted per row shown (a correlated subquery), not by joining every queued
        # claim's evidence and grouping them all.
        return self.queue(request).annotate(n_evidence=_evidence_count(), n_flagged=_evidence_count(anchor_broken=True))

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
class EvidenceAdmin(ReadOnlyAdmin):
    """Every evidence quote, to search and read. Evidence is added and changed on its
    claim (or from a source's reading page, or candidate evidence), never here."""

    list_display = ("__str__", "claim", "source", "stance", "anchor_broken", "created_by")
    list_select_related = ("claim", "source", "created_by")
    list_deferred = ("source__text", "claim__rationale")
    # Newest first, along the primary key: the model's order (claim, start) sorted all
    # 200,000 quotes for each page.
    ordering = ("-pk",)
    list_filter = ("stance", "anchor_broken")
    search_fields = ("quote", "note", "claim__statement", "source__title")
    readonly_fields = ("claim", "source", "quote", "stance", "note", "start", "end", "prefix", "suffix",
                       "anchor_broken", "created_by", "created_at")  # fmt: skip
