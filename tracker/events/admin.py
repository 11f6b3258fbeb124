"""'Claims to re-check' in the admin: the open flags, and an action to clear them."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from tracker.desk import services

from .models import RecheckFlag
from .recheck import may_recheck, to_recheck


@admin.register(RecheckFlag)
class RecheckFlagAdmin(admin.ModelAdmin):
    list_display = ("claim_link", "why", "flagged")
    list_display_links = None
    list_per_page = 100
    actions = ["mark_rechecked"]

    def get_queryset(self, request):
        return to_recheck(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return may_recheck(request.user)

    def has_module_permission(self, request) -> bool:
        return may_recheck(request.user)

    def has_recheck_permission(self, request) -> bool:
        return may_recheck(request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="claim")
    def claim_link(self, flag: RecheckFlag) -> str:
        url = reverse("admin:desk_claim_change", args=[flag.claim_id])
        return format_html('<a href="{}">{}</a>', url, flag.claim.statement)

    @admin.display(description="what changed")
    def why(self, flag: RecheckFlag) -> str:
        return flag.why

    @admin.display(description="flagged", ordering="created_at")
    def flagged(self, flag: RecheckFlag) -> str:
        return timezone.localtime(flag.created_at).strftime("%-d %b %Y %H:%M")

    @admin.action(description="Mark the selected claims re-checked", permissions=["recheck"])
    def mark_rechecked(self, request, queryset):
        try:
            done = services.claim_mark_rechecked(flags=[flag.pk for flag in queryset], by=request.user)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return
        self.message_user(request, f"{done} claim(s) marked re-checked.", messages.SUCCESS)
