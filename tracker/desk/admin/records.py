"""Agreements, meetings, people, parties, topics and corrections: the editors' records."""

from django import forms
from django.contrib import admin

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
from .base import PublicNoteForm, PublishableAdmin, ReadOnlyAdmin, ServiceAdmin, SlugOptionalForm


class StatusChangeInline(admin.TabularInline):
    model = AgreementStatusChange
    extra = 1
    fields = ("date", "date_precision", "status", "source", "note")
    autocomplete_fields = ("source",)
    ordering = ("date", "id")


@admin.register(Agreement)
class AgreementAdmin(PublishableAdmin):
    form = PublicNoteForm
    row_fields = {"status_history": ("date", "date_precision", "status", "source", "note")}
    list_display = ("title", "kind", "binding", "current_status", "status_since", "state")
    list_filter = ("state", "kind", "binding", "current_status", "topics")
    search_fields = ("title", "slug", "summary")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("parties", "topics")
    readonly_fields = ("current_status", "status_since")
    inlines = [StatusChangeInline]


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 1
    fields = ("person", "role")
    autocomplete_fields = ("person", "role")


@admin.register(Meeting)
class MeetingAdmin(PublishableAdmin):
    form = PublicNoteForm
    row_fields = {"participants": ("person", "role")}
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
    form = SlugOptionalForm
    row_fields = {"roles": ("title", "party", "start_date", "end_date")}
    list_display = ("name", "party", "state")
    list_select_related = ("party",)
    list_filter = ("state", "party")
    search_fields = ("name", "slug")
    prepopulated_on_add = {"slug": ("name",)}
    autocomplete_fields = ("party",)
    inlines = [RoleInline]


@admin.register(Role)
class RoleAdmin(ReadOnlyAdmin):
    """Registered for the participants' role picker; roles are edited on their person."""

    list_display = ("title", "person", "party", "start_date", "end_date")
    list_select_related = ("person", "party")
    search_fields = ("title", "person__name")

    def has_module_permission(self, request):
        return False


class ReferenceAdmin(ServiceAdmin):
    """Parties and topics: every one is public, and its code or slug is its address."""

    key = "slug"
    # Only when adding: the key is read-only afterwards. Not `prepopulated_fields`, which
    # simple-history's past-version page reads directly, for a field its form lacks (a 500).
    prepopulated_on_add: dict[str, tuple[str, ...]] = {}

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, self.key] if obj is not None else readonly

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj is not None else dict(self.prepopulated_on_add)


class PartyForm(forms.ModelForm):
    def clean_code(self):
        return (self.cleaned_data.get("code") or "").strip().upper()  # "kr" is Korea's KR


@admin.register(Party)
class PartyAdmin(ReferenceAdmin):
    form = PartyForm
    key = "code"
    list_display = ("name", "code", "kind")
    list_filter = ("kind",)
    search_fields = ("name", "code")


@admin.register(Topic)
class TopicAdmin(ReferenceAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_on_add = {"slug": ("name",)}


@admin.register(Correction)
class CorrectionAdmin(ReadOnlyAdmin):
    """Corrections are made by the workflow (correct, retract) and are public: here they
    are read, never changed or deleted. A wrong correction is corrected by another."""

    list_display = ("created_at", "kind", "record", "note", "created_by")
    list_select_related = ("claim", "agreement", "meeting", "source", "created_by")
    list_deferred = ("source__text",)
    list_filter = ("kind",)
    search_fields = ("note",)
    readonly_fields = ("kind", "claim", "agreement", "meeting", "source", "created_at", "created_by")
    fields = ("kind", "claim", "agreement", "meeting", "source", "note", "created_at", "created_by")
