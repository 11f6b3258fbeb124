"""Bad input in the desk's admin addresses: a 404 or the admin's own "invalid
lookup" answer, before any query, never a 500."""

from collections.abc import Callable
from functools import wraps

from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.urls import reverse


def is_record_id(value: str) -> bool:
    """ASCII digits, at most 19 (int() refuses over 4,300 digits; the ORM answers a
    number beyond bigint as "no such record")."""
    return value.isascii() and value.isdigit() and len(value) <= 19


class Refused(PermissionDenied):
    """A step refused to this person on this record; the desk's 403 page offers to hand
    the record to one of `able`, who can take the step (tracker/urls.py)."""

    def __init__(self, message: str, *, record, able):
        super().__init__(message)
        self.record, self.able = record, able


def numeric_id(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page of one record, by id: an id that is not a whole number is a 404 before
    any query. (The ORM raises ValueError for pk="abc", a 500; and with an <int:>
    converter the address would fall through to the admin's catch-all redirect.)"""

    @wraps(view)
    def wrapper(request: HttpRequest, object_id: str, *args, **kwargs) -> HttpResponse:
        if not is_record_id(object_id):
            raise Http404("There is no record with this id.")
        return view(request, object_id, *args, **kwargs)

    return wrapper


class RefusesBadInput:
    """For every desk ModelAdmin: the same refusals on the pages Django's admin and
    simple-history add."""

    refuses_bad_input = True  # AdminInputMiddleware leaves its lists' NULs to it

    def history_view(self, request, object_id, extra_context=None):
        if not is_record_id(object_id):
            raise Http404("There is no record with this id.")
        if not self._keeps_history():
            return self._concrete_page("history", object_id)
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not (is_record_id(object_id) and is_record_id(version_id)):
            raise Http404("There is no such version of a record.")
        if not self._keeps_history():
            return self._concrete_page("simple_history", object_id, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context=extra_context)

    def _keeps_history(self) -> bool:
        # A proxy (the review queue of claims) has no history of its own: the claim's is it.
        return hasattr(self.opts, "simple_history_manager_attribute")

    def _concrete_page(self, page: str, *args) -> HttpResponseRedirect:
        concrete = self.opts.concrete_model._meta
        return HttpResponseRedirect(reverse(f"admin:{concrete.app_label}_{concrete.model_name}_{page}", args=args))

    def get_changelist_instance(self, request):
        # PostgreSQL refuses a NUL in a list filter's value (?state=%00), and Django's
        # date hierarchy lets a year it cannot make a date of (?start_date__year=9999,
        # or 99999999999999999999) raise: both are bad lookups, which the admin answers
        # by showing the list unfiltered with a note.
        if any("\x00" in key + "".join(values) for key, values in request.GET.lists()):
            raise IncorrectLookupParameters("A NUL character in the address.")
        try:
            return super().get_changelist_instance(request)
        except (OverflowError, ValueError) as exc:
            raise IncorrectLookupParameters(exc) from exc

    def get_search_results(self, request, queryset, search_term):
        # The changelist's search form refuses NUL; the autocomplete of related fields does not.
        if "\x00" in search_term:
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)


class AdminInputMiddleware:
    """What every admin page gets, whatever app registered it (the API keys', the
    worker's, django-axes', the desk's), before any query: an id in the address that its
    model's primary key cannot be (or that holds a NUL) is a 404; a selection of records
    for an action that holds such an id is a 400 saying so; a NUL in a list's address is
    a 400, unless the admin answers it itself (the desk's show the list unfiltered with
    a note). PostgreSQL refuses a NUL in a query (a DataError, a 500), and the ORM raises
    ValueError for an integer key of "abc"."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view, args, kwargs):
        model_admin = getattr(view, "model_admin", None)
        if model_admin is None or not request.path.startswith("/admin/"):
            return None
        pk = model_admin.model._meta.pk
        object_id = kwargs.get("object_id")
        if object_id is not None and not _valid_key(pk, object_id):
            raise Http404("There is no record with this id.")
        if _has_nul(request.GET) and not getattr(model_admin, "refuses_bad_input", False):
            return _refused("A NUL character is not allowed in the desk's addresses; nothing was done.")
        if request.method == "POST" and "_selected_action" in request.POST:
            bad = [value for value in request.POST.getlist("_selected_action") if not _valid_key(pk, value)]
            if bad:
                return _refused(
                    f"The selection holds {len(bad)} value(s) that are not ids of this list's records; "
                    "nothing was done."
                )
        return None


def _refused(message: str) -> HttpResponse:
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def _has_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists())


def _valid_key(field, value: str) -> bool:
    """Whether `value` (from an address) could be a value of this primary key."""
    from django.core.exceptions import ValidationError

    if "\x00" in value:
        return False

    if field.get_internal_type() in {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField"}:
        return is_record_id(value)
    try:
        field.to_python(value)
    except (ValidationError, ValueError, TypeError, OverflowError):
        return False
    return len(value) <= (field.max_length or 1000)
