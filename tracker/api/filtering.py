"""Filter backends: the shared FilterSets (tracker/filters.py) and a search, both strict.

A value the API cannot use is a 400 that names the parameter, never an empty result
or a silently ignored parameter. A well-formed slug (or code) of a record that is not
published is a 404 that names it, as the record's own address answers.
"""

import django_filters
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters
from rest_framework.request import Request

from tracker.filters import UNKNOWN_RECORD, MeetingFilter

from .errors import InvalidFilter, InvalidQuery, UnknownRecord

BOOLEAN_SPELLINGS = {"true", "false", "1", "0"}
# Any text but a NUL (no database stores one; views.APIMixin refuses it in any parameter).
NO_NUL = r"^[^\x00]*$"


class StrictFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request: Request, queryset: QuerySet, view) -> QuerySet:
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        found = filterset.form.errors.as_data() if not filterset.is_valid() else {}
        errors = {name: [message for error in found[name] for message in error.messages] for name in found}
        for name, flt in filterset.filters.items():
            raw = request.query_params.get(name)
            # A boolean filter turns a value it does not know into "no filter".
            if isinstance(flt, django_filters.BooleanFilter) and raw and raw.lower() not in BOOLEAN_SPELLINGS:
                errors[name] = ["Use true or false."]
        if errors:
            summary = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items())
            codes = {error.code for name in errors for error in found.get(name, [])}
            # Only well-formed names of records that are not published: what their own address answers.
            if codes == {UNKNOWN_RECORD} and set(errors) <= set(found):
                raise UnknownRecord(f"Not found: {summary}", fields=errors)
            raise InvalidFilter(f"Invalid filter: {summary}", fields=errors)
        return filterset.qs


class SearchFilter(filters.SearchFilter):
    def get_search_terms(self, request: Request) -> list[str]:
        value = request.query_params.get(self.search_param, "")
        if len(value) > 200:
            raise InvalidQuery("A search is at most 200 characters.", fields={self.search_param: ["Too long."]})
        return super().get_search_terms(request)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["description"] = "Words that must all appear (case-insensitive) in: " + ", ".join(
                field.lstrip("^=@$") for field in view.search_fields
            )
            parameter["schema"].update(minLength=1, maxLength=200, pattern=NO_NUL)
        return parameters


class MeetingAPIFilter(MeetingFilter):
    """The public MeetingFilter, with its `format` filter renamed `meeting_format`:
    in the API, `?format=` chooses the output (json or csv)."""


MeetingAPIFilter.base_filters["meeting_format"] = MeetingAPIFilter.base_filters.pop("format")
