"""What every desk admin shares: change history, lists that stay fast, no deleting
what was published (rule 6), and refusing stale forms (rule 7)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from simple_history.admin import SimpleHistoryAdmin

from .. import services
from ..choices import State
from ..forms import NoteForm, VersionedForm
from ..models import Person, PublishedRecordDeletion
from .guards import RefusesBadInput, numeric_id


class RecordAdmin(RefusesBadInput, SimpleHistoryAdmin):
    """History on every record; lists skip the full count and page at 50."""

    show_full_result_count = False
    list_per_page = 50
    # simple-history's own list, less an inline style the Content-Security-Policy blocks.
    object_history_list_template = "admin/desk/object_history_list.html"

    def revert_disabled(self, request, obj=None) -> bool:
        # Reverting from the history page would bypass the workflow and the version check.
        return True


class EditorialAdmin(RecordAdmin):
    """Records with a state and a version (sources, claims, agreements, meetings, people)."""

    form = VersionedForm
    workflow_fields = ("state", "first_published_at", "updated_at", "version")

    def get_fields(self, request, obj=None):
        return [f for f in super().get_fields(request, obj) if f != "seen_version"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = [(name, dict(options)) for name, options in super().get_fieldsets(request, obj)]
        fields = [f for _, options in fieldsets for f in options["fields"]]
        if obj is not None and "seen_version" not in fields and self.has_change_permission(request, obj):
            first = fieldsets[0][1]
            first["fields"] = [*first["fields"], "seen_version"]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *self.workflow_fields]

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is not None and obj.first_published_at is not None:
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        try:
            super().delete_queryset(request, queryset)
        except PublishedRecordDeletion as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)


class PublishableAdmin(EditorialAdmin):
    """A source, agreement, meeting or person: published (and retracted, with a public
    note) by buttons and an action that call the workflow services."""

    change_form_template = "admin/desk/record_change_form.html"
    actions = ["publish_selected"]

    def _can_retract(self) -> bool:
        return self.model is not Person  # a person is corrected, not retracted

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm(f"desk.publish_{self.opts.model_name}")

    @admin.action(description="Publish the selected records", permissions=["publish"])
    def publish_selected(self, request, queryset):
        done = 0
        for record in queryset:
            try:
                services.record_publish(record=record, by=request.user)
                done += 1
            except ValidationError as exc:
                self.message_user(request, f"{record}: {' '.join(exc.messages)}", messages.WARNING)
        if done:
            self.message_user(request, f"Published {done} record(s).", messages.SUCCESS)

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_workflow"
        view = self.admin_site.admin_view(numeric_id(self.record_workflow_view))
        return [path("<path:object_id>/workflow/<str:action>/", view, name=name), *super().get_urls()]

    def record_buttons(self, request, record) -> list[dict]:
        if not self.has_publish_permission(request):
            return []
        name = f"admin:{self.opts.app_label}_{self.opts.model_name}_workflow"
        buttons = []
        if record.state in (State.DRAFT, State.IN_REVIEW):
            buttons.append({"label": "Publish", "url": reverse(name, args=[record.pk, "publish"])})
        if record.state == State.PUBLISHED and self._can_retract():
            buttons.append({"label": "Retract…", "url": reverse(name, args=[record.pk, "retract"])})
        return buttons

    def change_view(self, request, object_id, form_url="", extra_context=None):
        record = self.get_object(request, object_id)
        extra = {"record_buttons": self.record_buttons(request, record)} if record else {}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def record_workflow_view(self, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
        if action not in ("publish", "retract") or (action == "retract" and not self._can_retract()):
            raise Http404
        record = get_object_or_404(self.model, pk=object_id)
        if not (self.has_view_permission(request, record) and self.has_publish_permission(request)):
            raise PermissionDenied
        data = request.POST if request.method == "POST" else None
        form = NoteForm(data) if action == "retract" else forms.Form(data)
        if request.method == "POST" and form.is_valid():
            try:
                if action == "publish":
                    record = services.record_publish(record=record, by=request.user)
                else:
                    record = services.record_retract(record=record, by=request.user, note=form.cleaned_data["note"])
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                self.message_user(request, f"{record}: {record.get_state_display().lower()}.", messages.SUCCESS)
                return HttpResponseRedirect(reverse(f"admin:desk_{self.opts.model_name}_change", args=[record.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{action.capitalize()} this {self.opts.verbose_name}",
            "record": record,
            "form": form,
            "label": action.capitalize(),
        }
        return TemplateResponse(request, "admin/desk/record_workflow.html", context)


admin.site.site_header = "Policy desk"
admin.site.site_title = "Policy desk admin"
admin.site.index_title = "The desk"
