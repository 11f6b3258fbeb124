"""What every desk admin shares: change history, lists that stay fast, and saving
through the services (rule 9).

The admin never saves a record itself. Its forms and inline formsets are turned into
one call of a service (`apply_changes`), which checks the person's role and their
right to this record, and writes the change with its history in one transaction. A
refusal from the service is shown on the form, like any validation error, and
nothing is saved.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from simple_history.admin import SimpleHistoryAdmin

from tracker.newsroom.panels import hand_off

from .. import services
from ..choices import State
from ..forms import NoteForm, VersionedForm
from .guards import Refused, RefusesBadInput, numeric_id
from .review import ReviewTools


def apply_service_error(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's refusal on the form: on a field when it is about that field."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class _Refused(Exception):
    """A service refused the change the form asked for; carries its ValidationError."""

    def __init__(self, error: ValidationError):
        self.error = error
        super().__init__(error)


def _refusing(form_class: type[forms.BaseForm], error: ValidationError) -> type[forms.BaseForm]:
    """`form_class`, validating with `error` added: the form is shown again with it."""

    class RefusedForm(form_class):
        def clean(self):
            cleaned = super().clean()
            apply_service_error(self, error)
            return cleaned

    RefusedForm.__name__ = form_class.__name__
    return RefusedForm


def formset_rows(formset, fields: tuple[str, ...]) -> services.Rows:
    """What an inline formset asks for: rows to add, change and remove."""
    rows = services.Rows()
    for form in formset.forms:
        cleaned = getattr(form, "cleaned_data", None)
        if not cleaned:
            continue
        pk = form.instance.pk if cleaned.get("id") is not None else None
        if formset.can_delete and formset._should_delete_form(form):
            if pk is not None:
                rows.remove.append(pk)
            continue
        if pk is None:
            if form.has_changed():
                rows.add.append({name: cleaned.get(name) for name in fields})
        elif any(name in form.changed_data for name in fields):
            rows.change[pk] = {name: cleaned.get(name) for name in form.changed_data if name in fields}
    # The admin's change message reads these; the service did the saving.
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    return rows


class RecordAdmin(RefusesBadInput, ReviewTools, SimpleHistoryAdmin):
    """History on every record, in words, with compare, revert and preview (ReviewTools);
    lists skip the full count and page at 50."""

    show_full_result_count = False
    list_per_page = 50
    object_history_template = "admin/desk/object_history.html"
    object_history_list_template = "admin/desk/object_history_list.html"
    # Large fields of the records a list joins (list_select_related) that it never shows:
    # a source's archived text is tens of kilobytes, fifty times a page.
    list_deferred: tuple[str, ...] = ()

    def get_changelist(self, request, **kwargs):
        changelist = super().get_changelist(request, **kwargs)
        deferred = self.list_deferred
        if not deferred:
            return changelist

        class LighterChangeList(changelist):
            def apply_select_related(self, qs):
                return super().apply_select_related(qs).defer(*deferred)

        return LighterChangeList

    def revert_disabled(self, request, obj=None) -> bool:
        # Reverting from the history page would bypass the workflow and the version check.
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history saves a POST to a past version's page whether or not the Revert
        # button is shown: past versions are read here, never restored.
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied("Past versions are read, never restored: make the change on the record's page.")
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyAdmin(RecordAdmin):
    """Records made and changed elsewhere (by the workflow, or on another record's page):
    here they are listed and read, never added, changed or deleted."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceAdmin(RecordAdmin):
    """Saves and deletes through the services. Subclasses say how (`apply_changes`,
    `delete_record`) and who may (`change_refusal`)."""

    # Inline relation -> the fields of its rows the form edits.
    row_fields: dict[str, tuple[str, ...]] = {}

    def apply_changes(self, request: HttpRequest, form, formsets, change: bool) -> models.Model:
        """Agreements, meetings, people, parties, topics: services.record_create / record_edit."""
        kind = services.records.KINDS[self.model]
        rows = {
            formset.fk.remote_field.related_name: formset_rows(
                formset, self.row_fields[formset.fk.remote_field.related_name]
            )
            for formset in formsets
        }
        links = {name: list(form.cleaned_data[name]) for name in kind.links if name in form.cleaned_data}
        if not change:
            fields = {name: form.cleaned_data.get(name) for name in kind.fields if name in form.cleaned_data}
            return services.record_create(model=self.model, by=request.user, fields=fields, links=links, rows=rows)
        return services.record_edit(
            record=form.instance,
            by=request.user,
            fields=self.changed_fields(form, kind.fields),
            links={name: value for name, value in links.items() if name in form.changed_data},
            rows=rows,
            note=form.cleaned_data.get("public_note", ""),
            seen_version=form.cleaned_data.get("seen_version"),
        )

    def delete_record(self, request: HttpRequest, obj: models.Model) -> None:
        services.record_delete(record=obj, by=request.user)

    def change_refusal(self, request: HttpRequest, obj: models.Model) -> str:
        return services.record_edit_refusal(obj, request.user)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or not self.change_refusal(request, obj)

    # Turning the admin's save into one service call.

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _Refused as refused:
            # The transaction of the first attempt was rolled back; validate the same
            # POST again with the refusal added, so the form is shown with it.
            request._desk_refusal = refused.error
            return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None and obj.pk and request.method == "POST":
            # The refused form changed `obj` in memory; the heading names the record as saved.
            saved = type(obj)._default_manager.filter(pk=obj.pk).first()
            if saved is not None:
                context.update(subtitle=str(saved), original=saved)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, "_desk_refusal", None)
        return _refusing(form_class, refusal) if refusal is not None else form_class

    def save_model(self, request, obj, form, change):
        pass  # saved with its related records in save_related, by one service call

    def save_related(self, request, form, formsets, change):
        try:
            record = self.apply_changes(request, form, formsets, change)
        except ValidationError as exc:
            raise _Refused(exc) from None
        obj = form.instance
        for field in obj._meta.concrete_fields:
            setattr(obj, field.attname, getattr(record, field.attname))
        obj._state.adding, obj._state.db = False, record._state.db

    def delete_model(self, request, obj):
        try:
            self.delete_record(request, obj)
        except ValidationError as exc:
            raise PermissionDenied(" ".join(exc.messages)) from None

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            try:
                self.delete_record(request, obj)
            except ValidationError as exc:
                self.message_user(request, f"{obj}: {' '.join(exc.messages)}", messages.ERROR)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is not None and getattr(obj, "first_published_at", None) is not None:
            return False
        return super().has_delete_permission(request, obj)

    @staticmethod
    def changed_fields(form, names) -> dict[str, Any]:
        return {name: form.cleaned_data.get(name) for name in names if name in form.changed_data}


class EditorialAdmin(ServiceAdmin):
    """Records with a state and a version (sources, claims, agreements, meetings, people)."""

    form = VersionedForm
    workflow_fields = ("state", "first_published_at", "updated_at", "version")

    def get_fields(self, request, obj=None):
        return [f for f in super().get_fields(request, obj) if f != "seen_version"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = [(name, dict(options)) for name, options in super().get_fieldsets(request, obj)]
        if obj is None:
            # Nothing about the workflow exists before the first save: the add form leaves it out.
            for _, options in fieldsets:
                options["fields"] = [f for f in options["fields"] if f not in self.workflow_fields]
            fieldsets = [(name, options) for name, options in fieldsets if options["fields"]]
        fields = [f for _, options in fieldsets for f in options["fields"]]
        if obj is not None and "seen_version" not in fields and self.has_change_permission(request, obj):
            first = fieldsets[0][1]
            first["fields"] = [*first["fields"], "seen_version"]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = [*super().get_readonly_fields(request, obj), *self.workflow_fields]
        if obj is not None and obj.first_published_at is not None and "slug" not in readonly:
            readonly.append("slug")  # a published address is permanent
        return readonly

    def get_prepopulated_fields(self, request, obj=None):
        if obj is not None and obj.first_published_at is not None:
            return {}
        return super().get_prepopulated_fields(request, obj)


class PublishableAdmin(EditorialAdmin):
    """A source, agreement, meeting or person: published (and retracted, with a public
    note) by buttons and an action that call the workflow services. Edits, links and
    inline rows are saved by services.record_create and record_edit."""

    change_form_template = "admin/desk/record_change_form.html"
    actions = ["publish_selected"]

    def view_on_site(self, obj) -> str | None:
        # Only a published record has a public page.
        return obj.get_absolute_url() if obj.state == State.PUBLISHED else None

    def _can_retract(self) -> bool:
        return self.model in services.records.RETRACTABLE

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm(f"desk.publish_{self.opts.model_name}")

    def has_retract_permission(self, request) -> bool:
        return self._can_retract() and request.user.has_perm(f"desk.retract_{self.opts.model_name}")

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
        name = f"admin:{self.opts.app_label}_{self.opts.model_name}_workflow"
        buttons = []
        if record.state in (State.DRAFT, State.IN_REVIEW) and self.has_publish_permission(request):
            buttons.append({"label": "Publish", "url": reverse(name, args=[record.pk, "publish"])})
        if record.state == State.PUBLISHED and self.has_retract_permission(request):
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
        allowed = self.has_publish_permission(request) if action == "publish" else self.has_retract_permission(request)
        if not self.has_view_permission(request, record):
            raise PermissionDenied
        refusal, able = self.publish_refusal(request, record) if action == "publish" else ("", [])
        if not allowed:  # the desk's 403, offering the record to who can (tracker/urls.py)
            raise Refused(refusal or "Your role on the desk does not include this step.", record=record, able=able)
        offers = hand_off(request, record, able) if refusal else {}
        data = request.POST if request.method == "POST" and not refusal else None
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
            "resting_claims": self.claims_affected(record) if action == "retract" else [],
            "refusal": refusal,
            "hand_off": offers,
        }
        return TemplateResponse(request, "admin/desk/record_workflow.html", context)

    def claims_affected(self, record) -> list:
        return []

    def publish_refusal(self, request: HttpRequest, record) -> tuple[str, list]:
        """Why this person may not publish `record` (a source's maker-checker), and who
        may instead, to hand it to; the services decide for sure."""
        return "", []


class SlugOptionalForm(VersionedForm):
    """The slug is made from the title when left empty (services.unique_slug)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields[
                "slug"
            ].help_text = "Its address. Made from the title when left empty; permanent once published."


class PublicNoteForm(SlugOptionalForm):
    """An agreement's or meeting's form: an edit of a published one may carry a public note."""

    public_note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
        help_text="Only for a published record: if this edit corrects something readers saw, say what and "
        "why. It is published as a correction.",
    )
