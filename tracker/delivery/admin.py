"""Webhook endpoints and their delivery log, for editors.

Registering an endpoint shows its signing secret once. The log lists every delivery
with its status, attempts, last response code and next attempt; an editor replays a
delivery or resumes a paused endpoint, which only queues work for the worker.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.html import format_html

from tracker.desk.admin.guards import is_record_id

from . import events, webhooks
from .models import Delivery, DeliveryAttempt, DeliveryStatus, Endpoint


def _require_id(object_id: str) -> None:
    if not is_record_id(object_id):
        raise Http404("There is no record with this id.")


class _Guarded:
    """Hostile ids and NULs in the address are a 404 or the admin's "invalid lookup"."""

    refuses_bad_input = True  # AdminInputMiddleware leaves its lists' NULs to it

    def change_view(self, request, object_id, form_url="", extra_context=None):
        _require_id(object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        _require_id(object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        _require_id(object_id)
        return super().history_view(request, object_id, extra_context)

    def get_changelist_instance(self, request):
        if any("\x00" in key + "".join(values) for key, values in request.GET.lists()):
            raise IncorrectLookupParameters("A NUL character in the address.")
        return super().get_changelist_instance(request)

    def warn_about_paused(self, request: HttpRequest) -> None:
        for endpoint in Endpoint.objects.exclude(paused_at=None):
            messages.warning(
                request,
                f"The webhook endpoint {endpoint.url} is paused since {endpoint.paused_at:%Y-%m-%d %H:%M} UTC "
                f"({endpoint.paused_reason}). Its deliveries are held; resume it once the receiver works.",
            )


class EndpointForm(forms.ModelForm):
    event_types = forms.MultipleChoiceField(
        choices=events.TYPE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose none to receive every event.",
    )

    class Meta:
        model = Endpoint
        fields = ["api_key", "url", "description", "event_types", "contact_email", "is_active"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            webhooks.check_url(url)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc
        return url


@admin.register(Endpoint)
class EndpointAdmin(_Guarded, admin.ModelAdmin):
    form = EndpointForm
    list_display = ["url", "api_key", "state", "consecutive_failures", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["url", "description", "api_key__name"]
    readonly_fields = ["state", "paused_reason", "consecutive_failures", "created_by", "created_at"]
    actions = ["resume_endpoints"]

    @admin.display(description="state")
    def state(self, endpoint: Endpoint) -> str:
        if endpoint.paused_at:
            return f"paused since {endpoint.paused_at:%Y-%m-%d %H:%M}"
        return "active" if endpoint.is_active else "off"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        messages.warning(
            request,
            format_html(
                "The signing secret of this endpoint is <code>{}</code>. Give it to the partner now: "
                "it is not shown again. They verify each delivery with it (Standard Webhooks).",
                obj.secret,
            ),
        )
        return super().response_add(request, obj, post_url_continue)

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            self.warn_about_paused(request)
        return super().changelist_view(request, extra_context)

    @admin.action(description="Resume the selected endpoints and send what they held", permissions=["change"])
    def resume_endpoints(self, request: HttpRequest, queryset: QuerySet) -> None:
        queued = sum(webhooks.resume(endpoint, by=request.user) for endpoint in queryset.exclude(paused_at=None))
        self.message_user(request, f"Resumed; {queued} held deliveries queued.", messages.SUCCESS)


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ["number", "at", "succeeded", "status_code", "error", "duration_ms"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(_Guarded, admin.ModelAdmin):
    list_display = [
        "event_id",
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "event_type", "endpoint"]
    list_select_related = ["endpoint"]
    search_fields = ["message_id", "event_type", "endpoint__url"]
    fields = [
        "endpoint",
        "event_id",
        "event_type",
        "message_id",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "next_attempt_at",
        "created_at",
        "delivered_at",
        "payload",
    ]
    readonly_fields = fields
    inlines = [AttemptInline]
    actions = ["replay_deliveries"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            self.warn_about_paused(request)
        return super().changelist_view(request, extra_context)

    @admin.action(description="Replay the selected deliveries", permissions=["change"])
    def replay_deliveries(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = 0
        for delivery in queryset:
            webhooks.replay(delivery, by=request.user)
            count += 1
        held = queryset.filter(status=DeliveryStatus.HELD).count()
        note = f" {held} wait for their paused endpoint." if held else ""
        self.message_user(request, f"{count} deliveries queued to be sent again.{note}", messages.SUCCESS)
