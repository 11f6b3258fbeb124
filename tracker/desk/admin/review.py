"""Reading a record's past in the desk: its history in words, two versions compared,
a draft reverted to an earlier version, and the public page previewed.

Every desk record with a history gets these pages through `ReviewTools`, a part of
RecordAdmin:

- History (simple-history's page, its list rewritten): each version with its time to
  the minute, who made it by name, what the change was, and its differences from the
  version before in words (tracker/desk/versions.py); two versions picked to compare.
- Compare (`<id>/compare/?from=<version>&to=<version>`; `from=published` is the last
  published version): every field side by side with the differences marked, whole
  texts, a source's text word by word, links, and the rows the record holds (a
  claim's evidence, an agreement's status steps, a meeting's participants).
- Revert (`<id>/revert/<version>/`): what the draft would become, then
  services.record_revert on confirmation.
- Preview (`<id>/preview/`): tracker/desk/admin/preview.py.
"""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from .. import services, versions
from ..choices import State
from . import preview
from .guards import is_record_id, numeric_id

VERSIONS_LISTED = 200  # the newest versions offered in the compare page's pickers


class RevertForm(forms.Form):
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReviewTools:
    """History in words, compare, revert and preview for a ModelAdmin with history."""

    def _has_history(self) -> bool:
        return not self.opts.proxy and hasattr(self.opts, "simple_history_manager_attribute")

    def _url_name(self, page: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_{page}"

    def get_urls(self):
        urls = super().get_urls()
        if not self._has_history():
            return urls

        def view(method):
            return self.admin_site.admin_view(numeric_id(method))

        mine = [path("<path:object_id>/compare/", view(self.compare_view), name=self._url_name("compare"))]
        if self.model in services.revert.REVERTIBLE:
            mine.append(
                path("<path:object_id>/revert/<str:version_id>/", view(self.revert_view), name=self._url_name("revert"))
            )
        if self.model in preview.PREVIEWS:
            mine.append(path("<path:object_id>/preview/", view(self.preview_view), name=self._url_name("preview")))
        return mine + urls

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None and obj.pk and self._has_history():
            context.update(self.review_links(obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def review_links(self, record) -> dict:
        """The change page's links: Preview, and for a claim back in review after it was
        published, a comparison with the version readers last saw."""
        links = {}
        if self.model in preview.PREVIEWS:
            links["preview_url"] = reverse(f"admin:{self._url_name('preview')}", args=[record.pk])
        if getattr(record, "state", None) == State.IN_REVIEW and record.first_published_at is not None:
            compare = reverse(f"admin:{self._url_name('compare')}", args=[record.pk])
            links["compare_published_url"] = f"{compare}?from=published"
        return links

    # Which record, and may this person read it

    def _record(self, request: HttpRequest, object_id: str):
        record = get_object_or_404(self.model._default_manager.all(), pk=object_id)
        if not self.has_view_permission(request, record):
            raise PermissionDenied
        return record

    def _history(self, record):
        return versions.history_model(self.model).objects.filter(id=record.pk)

    # The history page

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        # Not simple-history's select_related of every tracked foreign key (a source's
        # whole archived text per row): versions.Names reads the names in bulk.
        return history_manager.filter(**{pk_name: object_id}).select_related("history_user")

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """Each listed version's changes from the one before, in words (versions.py)."""
        rows = list(historical_records)
        if not rows:
            return
        oldest = rows[-1]
        before = (
            versions.history_model(self.model)
            .objects.filter(id=oldest.id, history_date__lt=oldest.history_date)
            .select_related("history_user")
            .order_by("-history_date", "-history_id")
            .first()
        )
        loaded = versions.load(self.model, rows + ([before] if before else []))
        names = versions.Names(self.model, loaded)
        sentences = versions.changes_in_words(self.model, loaded, names)
        for row, version in zip(rows, loaded, strict=False):
            row.desk_version = version
            row.history_delta_changes = sentences.get(row.history_id, [])

    def history_view(self, request, object_id, extra_context=None):
        extra = {}
        if is_record_id(object_id) and self._has_history():
            record = self.model._default_manager.filter(pk=object_id).first()
            if record is not None:
                extra = {
                    "compare_url": reverse(f"admin:{self._url_name('compare')}", args=[record.pk]),
                    "revert_url_name": self._revert_url_name(request, record),
                }
        return super().history_view(request, object_id, {**extra, **(extra_context or {})})

    def _revert_url_name(self, request: HttpRequest, record) -> str:
        """The revert page's URL name, when this person may revert `record` now."""
        if self.model not in services.revert.REVERTIBLE or services.revert_refusal(record):
            return ""
        if not self.has_change_permission(request, record):
            return ""
        return f"admin:{self._url_name('revert')}"

    # Compare

    def _pick(self, history, asked: str, *, default):
        if not asked:
            return default
        if asked == "published":
            # Parties and topics have no state: reference data, public as they stand.
            published = history.filter(state=State.PUBLISHED) if hasattr(history.model, "state") else history
            found = published.order_by("-history_date", "-history_id").first()
            if found is None:
                raise Http404("This record has never been published.")
            return found
        if not is_record_id(asked):
            raise Http404("There is no such version of this record.")
        found = history.filter(history_id=asked).select_related("history_user").first()
        if found is None:
            raise Http404("There is no such version of this record.")
        return found

    def compare_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        record = self._record(request, object_id)
        history = self._history(record).select_related("history_user")
        newest = history.order_by("-history_date", "-history_id").first()
        if newest is None:
            raise Http404("This record has no history yet.")
        new = self._pick(history, request.GET.get("to", ""), default=newest)
        default_old = history.filter(history_date__lt=new.history_date).order_by("-history_date").first() or new
        old = self._pick(history, request.GET.get("from", ""), default=default_old)
        if (old.history_date, old.history_id) > (new.history_date, new.history_id):
            old, new = new, old
        old_version, new_version = versions.load(self.model, [old, new])
        comparison = versions.compare(self.model, old_version, new_version)
        listed = list(
            history.order_by("-history_date", "-history_id").values(
                "history_id", "history_date", "history_change_reason", "history_user__username",
                "history_user__first_name", "history_user__last_name",
            )[:VERSIONS_LISTED]
        )  # fmt: skip
        choices = [
            (
                row["history_id"],
                f"{versions.minute(row['history_date'])} · {_name(row)} · {row['history_change_reason'] or 'changed'}",
            )
            for row in listed
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Compare two versions of “{versions.short(record)}”",
            "record": record,
            "comparison": comparison,
            "choices": choices,
            "revert_url_name": self._revert_url_name(request, record),
            "history_url": reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_history", args=[record.pk]),
            "change_url": reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[record.pk]),
        }
        return TemplateResponse(request, "admin/desk/compare.html", context)

    # Revert

    def revert_view(self, request: HttpRequest, object_id: str, version_id: str) -> HttpResponse:
        if not is_record_id(version_id):
            raise Http404("There is no such version of this record.")
        record = self._record(request, object_id)
        history = self._history(record).select_related("history_user")
        target = get_object_or_404(history, history_id=version_id)
        change_url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[record.pk])
        refusal = services.revert_refusal(record)
        if not refusal and not self.has_change_permission(request, record):
            refusal = self.change_refusal(request, record) or "You may not change this record."
        form = RevertForm(request.POST or None, initial={"seen_version": record.version})
        if request.method == "POST" and not refusal and form.is_valid():
            try:
                services.record_revert(
                    record=record, by=request.user, version_id=target.history_id,
                    seen_version=form.cleaned_data["seen_version"],
                )  # fmt: skip
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                version = versions.load(self.model, [target])[0]
                self.message_user(request, f"Reverted to the version of {version.when} by {version.by}.")
                return HttpResponseRedirect(change_url)
        newest = history.order_by("-history_date", "-history_id").first()
        current, wanted = versions.load(self.model, [newest, target])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Revert “{versions.short(record)}” to an earlier version",
            "record": record,
            "comparison": versions.compare(self.model, current, wanted),
            "target": wanted,
            "form": form,
            "refusal": refusal,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/desk/revert.html", context)

    # Preview

    def preview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        record = self._record(request, object_id)
        return preview.render_preview(request, record)


def _name(row: dict) -> str:
    full = f"{row['history_user__first_name'] or ''} {row['history_user__last_name'] or ''}".strip()
    return full or row["history_user__username"] or "the system"
