"""Agreements, meetings, people, parties, topics and corrections: the editors' records."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from .. import services
from ..models import (
    Agreement,
    AgreementStatusChange,
    Correction,
    Meeting,
    Participation,
    Party,
    Person,
    Role,
    Topic,
)
from .base import EditorialAdmin, RecordAdmin


class PublishableAdmin(EditorialAdmin):
    """A record published by an admin action that calls the workflow service."""

    actions = ["publish_selected"]

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

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm(f"desk.publish_{self.opts.model_name}")


class StatusChangeInline(admin.TabularInline):
    model = AgreementStatusChange
    extra = 1
    fields = ("date", "date_precision", "status", "source", "note")
    autocomplete_fields = ("source",)
    ordering = ("date", "id")


@admin.register(Agreement)
class AgreementAdmin(PublishableAdmin):
    list_display = ("title", "kind", "binding", "current_status", "status_since", "state")
    list_filter = ("state", "kind", "binding", "current_status", "topics")
    search_fields = ("title", "slug", "summary")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("parties", "topics")
    readonly_fields = ("current_status", "status_since")
    inlines = [StatusChangeInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.refresh_status()  # a deleted step does not pass through the model's save


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 1
    autocomplete_fields = ("person", "role")


@admin.register(Meeting)
class MeetingAdmin(PublishableAdmin):
    list_display = ("title", "start_date", "end_date", "place", "format", "host", "state")
    list_select_related = ("host",)
    list_filter = ("state", "format", "topics")
    search_fields = ("title", "slug", "place", "occasion")
    date_hierarchy = "start_date"
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("host", "counterparts", "outcome_agreements", "topics", "sources")
    inlines = [ParticipationInline]


class RoleInline(admin.TabularInline):
    model = Role
    extra = 1
    fields = ("title", "party", "start_date", "end_date")
    autocomplete_fields = ("party",)


@admin.register(Person)
class PersonAdmin(PublishableAdmin):
    list_display = ("name", "party", "state")
    list_select_related = ("party",)
    list_filter = ("state", "party")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("party",)
    inlines = [RoleInline]


@admin.register(Role)
class RoleAdmin(RecordAdmin):
    """Registered for the participants' role picker; roles are edited on their person."""

    list_display = ("title", "person", "party", "start_date", "end_date")
    list_select_related = ("person", "party")
    search_fields = ("title", "person__name")

    def has_module_permission(self, request):
        return False


@admin.register(Party)
class PartyAdmin(RecordAdmin):
    list_display = ("name", "code", "kind")
    list_filter = ("kind",)
    search_fields = ("name", "code")


@admin.register(Topic)
class TopicAdmin(RecordAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Correction)
class CorrectionAdmin(RecordAdmin):
    """Corrections are made by the workflow (correct, retract); here they are read and their
    wording fixed, never deleted: they are public."""

    list_display = ("created_at", "kind", "record", "note", "created_by")
    list_select_related = ("claim", "agreement", "meeting", "source", "created_by")
    list_filter = ("kind",)
    search_fields = ("note",)
    readonly_fields = ("kind", "claim", "agreement", "meeting", "source", "created_at", "created_by")
    fields = ("kind", "claim", "agreement", "meeting", "source", "note", "created_at", "created_by")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
