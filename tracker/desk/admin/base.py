"""What every desk admin shares: change history, lists that stay fast, no deleting
what was published (rule 6), and refusing stale forms (rule 7)."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from ..forms import VersionedForm
from ..models import PublishedRecordDeletion


class RecordAdmin(SimpleHistoryAdmin):
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


def state_badge(obj) -> str:
    return obj.get_state_display()


admin.site.site_header = "Policy desk"
admin.site.site_title = "Policy desk admin"
admin.site.index_title = "The desk"
