"""The admin lists' "assigned to" filter, for claims and sources."""

from django.contrib import admin
from django.db.models import Exists, OuterRef

from .models import Assignment


class AssigneeFilter(admin.SimpleListFilter):
    title = "assigned to"
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        return [("me", "Me"), ("others", "Someone else"), ("nobody", "Nobody")]

    def queryset(self, request, queryset):
        on = queryset.model._meta.model_name  # "claim" or "source"
        rows = Assignment.objects.filter(**{on: OuterRef("pk")})
        if self.value() == "me":
            return queryset.filter(Exists(rows.filter(assignee=request.user)))
        if self.value() == "others":
            return queryset.filter(Exists(rows.exclude(assignee=request.user)))
        if self.value() == "nobody":
            return queryset.exclude(Exists(rows))
        return queryset
