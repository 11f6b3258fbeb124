"""The public lists: the API's FilterSets, a sort, and pagination.

A malformed filter, sort or page is answered 400 with a page that says what was
wrong; a page number past the end is a 404 that says how many pages there are.
Each list runs a fixed number of queries whatever the page size.

Page numbers are bounded: a list pages through its first MAX_PAGE pages (2,000
records) and past that asks the reader to narrow it with the filters. So no page
skips more than 2,000 rows of an index that matches its sort, and the count that
heads the list stops at that bound ("more than 2,000"): the deepest page costs about
what the first costs, whatever the size of the record. Every record stays reachable
through the filters (dates), search and the sitemap.
"""

from dataclasses import dataclass, field
from itertools import groupby

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import cached_property
from django.views.decorators.http import require_safe
from django_filters import FilterSet

from tracker.caching import tags
from tracker.desk.choices import PartyKind
from tracker.desk.models import Agreement, Claim, Meeting, Source
from tracker.filters import AgreementFilter, ClaimFilter, CorrectionFilter, MeetingFilter, SourceFilter
from tracker.parameters import filter_names, reads

from .caching import public_page
from .charts import bar_chart
from .records import SOURCE_WITHOUT_TEXT, corrections_with_records, public_corrections

PER_PAGE = 20
MAX_PAGE = 100


class BoundedPaginator(Paginator):
    """A Paginator that counts no further than its last allowed page (one bounded
    COUNT over a LIMIT), and says whether more records match than it pages through."""

    limit = MAX_PAGE * PER_PAGE

    @cached_property
    def matching(self) -> int:
        return self.object_list[: self.limit + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self.matching, self.limit)

    @property
    def capped(self) -> bool:
        return self.matching > self.limit


# Readers' labels for the shared FilterSets' fields (theirs are written for the API).
LABELS = {
    "verdict": "Verdict",
    "topic": "Topic",
    "party": "Country or organisation",
    "agreement": "Agreement",
    "person": "Participant",
    "claimed_after": "Claimed on or after",
    "claimed_before": "Claimed on or before",
    "published_after": "Published on or after",
    "published_before": "Published on or before",
    "start_after": "On or after",
    "start_before": "On or before",
    "kind": "Kind",
    "status": "Status",
    "reliability": "Reliability",
    "binding": "Legally binding",
    "format": "Format",
}


FOLLOWABLE_LISTS = {"/claims/", "/agreements/", "/meetings/", "/sources/"}


@dataclass
class ListSpec:
    template: str
    filterset_class: type[FilterSet]
    sorts: dict[str, tuple[str, list[str]]]
    form_fields: list[str]
    title: str
    extra: dict = field(default_factory=dict)
    # The type of record listed (tracker/caching/tags.py), and the sorts whose order the
    # date of a record's last change decides among equals (any change can move them).
    lists: str = ""
    sorts_by_change: frozenset[str] = frozenset()

    @property
    def parameters(self) -> list[str]:
        """What the list reads of the query string (tracker/parameters.py)."""
        return [*filter_names(self.filterset_class), "sort", "page"]


def page_number(raw: str | None, last: int = 999_999) -> int | None:
    """The page asked for, from 1 to `last`; None when it is not a page number.

    ASCII digits only: str.isdigit() also passes "²" (which int() refuses) and "١٢"
    (which it reads as 12), and int() refuses strings over 4,300 digits.
    """
    if raw is None or raw == "":
        return 1
    if not (raw.isascii() and raw.isdigit() and len(raw) <= len(str(last))):
        return None
    return int(raw) if 1 <= int(raw) <= last else None


# A filter over more records than this is a text box for the record's address name,
# not a menu: 2,000 agreements made a 150 KB menu on every claims page.
MENU_LIMIT = 100
NAMED_BY_ADDRESS = {
    "agreement": "Its address name, as in /agreements/<name>/; an agreement's page links here.",
    "person": "Their address name, as in /people/<name>/; a person's page links here.",
}


def _record_choice(form: forms.Form, name: str) -> None:
    """A menu of the records a filter takes, from one query of at most MENU_LIMIT + 1
    rows; past that, a text box that names the chosen record under it."""
    form_field = form.fields[name]
    records = list(form_field.queryset[: MENU_LIMIT + 1])
    if len(records) <= MENU_LIMIT:
        key = form_field.to_field_name or "pk"
        options = [(getattr(record, key), form_field.label_from_instance(record)) for record in records]
        form_field.widget = forms.Select(choices=[("", "Any"), *options])
        return
    form_field.widget = forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"})
    chosen = getattr(form, "cleaned_data", {}).get(name)
    form_field.help_text = f"Showing: {chosen}." if chosen else NAMED_BY_ADDRESS.get(name, "Its address name.")


def _readable_form(filterset: FilterSet, names: list[str]) -> list:
    """The filter fields shown to readers, with widgets fit for a page (checkboxes,
    date pickers); the rest still work from the address."""
    form = filterset.form
    shown = []
    for name in names:
        form_field = form.fields[name]
        if isinstance(form_field.widget, forms.SelectMultiple):
            form_field.widget = forms.CheckboxSelectMultiple(choices=form_field.choices)
        elif isinstance(form_field.widget, forms.DateInput):
            form_field.widget.input_type = "date"
        elif isinstance(form_field, forms.ModelChoiceField):
            _record_choice(form, name)
        elif name == "kind" and isinstance(form_field.widget, forms.Select):
            form_field.widget.choices = [("", "Any"), *list(form_field.widget.choices)[1:]]
        bound_field = form[name]  # may be cached from validation, so set its own label
        bound_field.label = LABELS.get(name, bound_field.label)
        bound_field.help_text = form_field.help_text
        shown.append(bound_field)
    return shown


def _filter_errors(filterset: FilterSet) -> list[str]:
    messages = []
    for name, errors in filterset.errors.items():
        label = filterset.form.fields[name].label if name in filterset.form.fields else name
        messages.extend(f"{label}: {error}" for error in errors)
    return messages


def list_page(request: HttpRequest, spec: ListSpec, queryset: QuerySet, decorate=None) -> HttpResponse:
    filterset = spec.filterset_class(request.GET, queryset=queryset)
    errors = [] if filterset.is_valid() else _filter_errors(filterset)
    sort = request.GET.get("sort") or next(iter(spec.sorts))
    if sort not in spec.sorts:
        errors.append(f"Sort: “{sort[:40]}” is not a way to sort this list; choose one of the options.")
        sort = next(iter(spec.sorts))
    number = page_number(request.GET.get("page"), last=MAX_PAGE)
    if number is None:
        errors.append(
            f"Page: the page number must be a whole number from 1 to {MAX_PAGE}; "
            "to reach further, narrow the list with the filters."
        )
    context = {
        "title": spec.title,
        "filterset": filterset,
        "fields": _readable_form(filterset, spec.form_fields),
        "sorts": [(key, label) for key, (label, _) in spec.sorts.items()],
        "sort": sort,
        "errors": errors,
        # Readers may follow these lists, with their filters, by email (tracker.delivery.alerts).
        "follow_search": request.get_full_path() if request.path in FOLLOWABLE_LISTS else "",
        "page_obj": None,
        "object_list": [],
        **spec.extra,
    }
    if errors:
        return render(request, spec.template, context, status=400)
    tags.lists([spec.lists], changes="updated_since" in request.GET or sort in spec.sorts_by_change)
    filtered = filterset.qs.order_by(*spec.sorts[sort][1])
    paginator = BoundedPaginator(filtered, PER_PAGE)
    if number > max(paginator.num_pages, 1):
        raise Http404(f"This list has {paginator.num_pages} page(s); there is no page {number}.")
    page_obj = paginator.page(number)
    context.update(page_obj=page_obj, object_list=list(page_obj.object_list))
    if decorate:
        context.update(decorate(filtered, context["object_list"]))
    return render(request, spec.template, context)


CLAIMS = ListSpec(
    template="public/claim_list.html",
    filterset_class=ClaimFilter,
    title="Claims",
    sorts={
        # Each sort runs along an index (state, then these fields), forwards or backwards.
        "newest": ("Newest verdicts first", ["-verdict_published_at", "-updated_at", "-pk"]),
        "oldest": ("Oldest verdicts first", ["verdict_published_at", "updated_at", "pk"]),
        "claimed": ("Most recently claimed", ["-claimed_on", "-updated_at", "-pk"]),
    },
    form_fields=["verdict", "topic", "party", "agreement", "claimed_after", "claimed_before"],
    lists="claim",
    # Claims claimed the same day are in the order of their last change. (Equal verdict
    # dates are rare; a change to a claim sharing one moves the lists: events/touched.py.)
    sorts_by_change=frozenset({"claimed"}),
)
SOURCES = ListSpec(
    template="public/source_list.html",
    filterset_class=SourceFilter,
    title="Sources",
    sorts={
        "newest": ("Newest first", ["-published_on", "title", "pk"]),
        "oldest": ("Oldest first", ["published_on", "title", "pk"]),
        "title": ("Title A–Z", ["title", "pk"]),
    },
    form_fields=["kind", "reliability", "published_after", "published_before"],
    lists="source",
)
AGREEMENTS = ListSpec(
    template="public/agreement_list.html",
    filterset_class=AgreementFilter,
    title="Agreements",
    sorts={
        "title": ("Title A–Z", ["title", "pk"]),
        "recent": ("Latest status change first", ["-status_since", "title", "pk"]),
    },
    form_fields=["status", "kind", "binding", "party", "topic"],
    lists="agreement",
)
MEETINGS = ListSpec(
    template="public/meeting_list.html",
    filterset_class=MeetingFilter,
    title="Meetings",
    sorts={
        "newest": ("Newest first", ["-start_date", "title", "pk"]),
        "oldest": ("Oldest first", ["start_date", "title", "pk"]),
    },
    form_fields=["format", "party", "person", "topic", "start_after", "start_before"],
    lists="meeting",
)
CORRECTIONS = ListSpec(
    template="public/correction_list.html",
    filterset_class=CorrectionFilter,
    title="Corrections and retractions",
    sorts={"newest": ("Newest first", ["-created_at", "-pk"])},
    form_fields=["kind"],
    lists="correction",
)


@require_safe
@reads(*CLAIMS.parameters)
@public_page
def claim_list(request: HttpRequest) -> HttpResponse:
    return list_page(request, CLAIMS, Claim.objects.published().prefetch_related(SOURCE_WITHOUT_TEXT))


@require_safe
@reads(*SOURCES.parameters)
@public_page
def source_list(request: HttpRequest) -> HttpResponse:
    return list_page(request, SOURCES, Source.objects.published().defer("text"))


@require_safe
@reads(*AGREEMENTS.parameters)
@public_page
def agreement_list(request: HttpRequest) -> HttpResponse:
    return list_page(request, AGREEMENTS, Agreement.objects.published().prefetch_related("parties"))


def _meeting_timeline(filtered: QuerySet, rows: list) -> dict:
    """Group this page's meetings by month, and chart all matching meetings per
    counterpart country (one query)."""
    per_country = (
        Meeting.counterparts.through.objects.filter(meeting__in=filtered.order_by(), party__kind=PartyKind.COUNTRY)
        .values("party__name", "party__code")
        .annotate(n=Count("meeting", distinct=True))
        .order_by("-n", "party__name")
    )
    chart = bar_chart([(row["party__name"], row["party__code"], row["n"]) for row in per_country])
    months = [(month, list(group)) for month, group in groupby(rows, key=lambda m: m.start_date.strftime("%B %Y"))]
    return {"chart": chart, "months": months}


@require_safe
@reads(*MEETINGS.parameters)
@public_page
def meeting_list(request: HttpRequest) -> HttpResponse:
    queryset = Meeting.objects.published().select_related("host").prefetch_related("counterparts")
    return list_page(request, MEETINGS, queryset, decorate=_meeting_timeline)


@require_safe
@reads(*CORRECTIONS.parameters)
@public_page
def correction_list(request: HttpRequest) -> HttpResponse:
    return list_page(
        request,
        CORRECTIONS,
        corrections_with_records(),
        decorate=lambda filtered, rows: {"corrections": public_corrections(rows)},
    )
