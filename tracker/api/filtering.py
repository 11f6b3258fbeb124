"""Filter backends: the shared FilterSets (tracker/filters.py) and a search, both strict.

A value the API cannot use is a 400 that names the parameter, never an empty result
or a silently ignored parameter.
"""

import django_filters
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters
from rest_framework.request import Request

from tracker.filters import MeetingFilter

from .errors import InvalidFilter, InvalidQuery

BOOLEAN_SPELLINGS = {"true", "false", "1", "0"}


class StrictFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request: Request, queryset: QuerySet, view) -> QuerySet:
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        errors = {name: [str(message) for message in messages] for name, messages in filterset.errors.items()}
        for name, flt in filterset.filters.items():
            raw = request.query_params.get(name)
            # A boolean filter turns a value it does not know into "no filter".
            if isinstance(flt, django_filters.BooleanFilter) and raw and raw.lower() not in BOOLEAN_SPELLINGS:
                errors[name] = ["Use true or false."]
        if errors:
            summary = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items())
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
            parameter["schema"]["maxLength"] = 200
        return parameters


class MeetingAPIFilter(MeetingFilter):
    """The public MeetingFilter, with its `format` filter renamed `meeting_format`:
    in the API, `?format=` chooses the output (json or csv)."""


MeetingAPIFilter.base_filters["meeting_format"] = MeetingAPIFilter.base_filters.pop("format")
