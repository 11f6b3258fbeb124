"""FilterSets shared by the public lists and the API, so both filter the same way.

References to other records are by slug (or party code) and must name a published
record: an unknown one is a validation error that says so, not an empty result.
Every FilterSet takes `updated_since` for partners' incremental sync.
"""

import datetime as dt
import re

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from drf_spectacular.utils import extend_schema_field

from tracker.desk.choices import (
    AgreementKind,
    AgreementStatus,
    MeetingFormat,
    PartyKind,
    Reliability,
    SourceKind,
    Verdict,
)
from tracker.desk.models import Agreement, Claim, Correction, Meeting, Party, Person, Source, Topic

# ISO 8601 in its common (RFC 3339) shape, ASCII digits only: a date, or a date and a
# time with optional seconds, fraction and offset. Python's fromisoformat() alone
# would also take week dates, the basic format and Unicode digits in places.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:[Tt][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})?)?"
)
DATE_TIME_EXAMPLE = "2025-11-01T09:30:00Z"


def parse_date_time(value: str) -> dt.datetime:
    """An ISO 8601 date-time (or a date, meaning its midnight) as an aware datetime in
    UTC; without an offset it is read as UTC. Raises ValidationError saying why not.

    Normalising to UTC here means no database sees the offset: PostgreSQL refuses
    offsets beyond ±15:59, and 0001-01-01T00:00:00+01:00 is a valid date-time whose
    UTC falls before year 1, so it is refused as out of range instead of overflowing.
    """
    invalid = f"Enter a valid date-time in ISO 8601 form, such as {DATE_TIME_EXAMPLE} or 2025-11-01."
    if len(value) > 40 or not _ISO_DATE_TIME.fullmatch(value):
        if " " in value and _ISO_DATE_TIME.fullmatch(value.replace(" ", "+")):
            invalid += " A “+” in a web address means a space: write the offset’s plus sign as %2B."
        raise ValidationError(invalid, code="invalid")
    try:
        parsed = dt.datetime.fromisoformat(value.upper())
    except ValueError:  # 2025-02-30, 25:00, an offset of 24 hours or more
        raise ValidationError(invalid, code="invalid") from None
    try:
        return parsed.replace(tzinfo=parsed.tzinfo or dt.UTC).astimezone(dt.UTC)
    except OverflowError:
        raise ValidationError(
            "This date-time is out of range: in UTC it must fall between 0001-01-01 and 9999-12-31.",
            code="out_of_range",
        ) from None


class StrictDateTimeField(forms.Field):
    """The form field of every date-time filter, on the pages and in the API: parse_date_time()."""

    widget = forms.DateTimeInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return value if isinstance(value, dt.datetime) else parse_date_time(str(value))


class StrictDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = StrictDateTimeField


class StrictDateField(forms.DateField):
    """A date as YYYY-MM-DD in ASCII digits. (Django's own date field also reads
    10/25/2025 and Unicode digits: a partner's slip would pass as a filter.)"""

    def to_python(self, value):
        if isinstance(value, str) and value and not _ISO_DATE.fullmatch(value.strip()):
            raise ValidationError("Enter a valid date as YYYY-MM-DD, such as 2025-11-01.", code="invalid")
        return super().to_python(value)


class StrictDateFilter(filters.DateFilter):
    field_class = StrictDateField


class OneOf(filters.MultipleChoiceFilter):
    """Any of the values given, of a column of the record itself. No join, so no
    DISTINCT: django-filter adds one by default, over every column of the list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)


# How a reference to another record is written: a slug, or a party's code.
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
CODE_PATTERN = r"^[A-Za-z0-9]+$"
UNKNOWN_RECORD = "unknown_record"  # the error code of a well-formed reference to no published record


class PublishedRecordField(forms.ModelChoiceField):
    """A published record named by its slug (or code). Malformed ("not a slug") and
    unknown ("no published topic has this slug") are told apart by their error codes,
    so the API can answer the first 400 and the second 404, as it does for an address."""

    def __init__(self, *args, pattern: str, upper: bool = False, **kwargs):
        self.shape, self.upper = re.compile(pattern), upper
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not isinstance(value, str) or not self.shape.fullmatch(value):
            shape = "a code: letters and digits" if self.upper else "a slug: letters, digits, “-” and “_”"
            raise ValidationError(f"Not {shape} only.", code="invalid")
        try:
            return super().to_python(value.upper() if self.upper else value)
        except ValidationError:
            noun, what = self.queryset.model._meta.verbose_name, "code" if self.upper else "slug"
            raise ValidationError(f"No published {noun} has the {what} “{value[:60]}”.", code=UNKNOWN_RECORD) from None


class PublishedRecordFilter(filters.ModelChoiceFilter):
    field_class = PublishedRecordField


def _published(model, field: str = "slug", **extra):
    code = field == "code"
    flt = PublishedRecordFilter(
        queryset=model.objects.published(),
        to_field_name=field,
        pattern=CODE_PATTERN if code else SLUG_PATTERN,
        upper=code,
        # One record through a foreign key, a many-to-many (one row per pair) or the
        # participants (one per meeting and person) never repeats a row, and DISTINCT
        # over every column of 100,000 claims cost 80 ms a page.
        distinct=False,
        **extra,
    )
    # The API's schema: the shape of the value, and what an unknown one gets.
    noun = model._meta.verbose_name
    what = "code" if code else "slug"
    return extend_schema_field(
        {
            "type": "string",
            "pattern": CODE_PATTERN if code else SLUG_PATTERN,
            "description": f"{extra.get('label', noun)}. Not a {what}: 400; no published {noun} has it: 404.",
        }
    )(flt)


@extend_schema_field({"type": "boolean"})
class StrictBooleanFilter(filters.ChoiceFilter):
    """true or false, and anything else is an error (django-filter's BooleanFilter
    quietly ignores a value it does not understand, which hides a partner's typo)."""

    def __init__(self, *, yes: str = "Yes", no: str = "No", **kwargs):
        super().__init__(choices=[("true", yes), ("false", no)], empty_label="Either", **kwargs)

    def filter(self, qs, value):
        if value in ("true", "false"):
            return qs.filter(**{self.field_name: value == "true"})
        return qs


class UpdatedSinceFilterSet(filters.FilterSet):
    updated_since = StrictDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label="Changed at or after (ISO 8601 date-time)"
    )


class ClaimFilter(UpdatedSinceFilterSet):
    verdict = OneOf(choices=Verdict.choices)
    source = _published(Source, field_name="source", label="Source (slug)")
    agreement = _published(Agreement, field_name="agreements", label="Agreement (slug)")
    meeting = _published(Meeting, field_name="meetings", label="Meeting (slug)")
    person = _published(Person, field_name="people", label="Person (slug)")
    party = _published(Party, "code", field_name="parties", label="Party (code)")
    topic = _published(Topic, field_name="topics", label="Topic (slug)")
    claimed_after = StrictDateFilter(field_name="claimed_on", lookup_expr="gte")
    claimed_before = StrictDateFilter(field_name="claimed_on", lookup_expr="lte")
    published_after = StrictDateTimeFilter(field_name="verdict_published_at", lookup_expr="gte")
    published_before = StrictDateTimeFilter(field_name="verdict_published_at", lookup_expr="lte")

    class Meta:
        model = Claim
        fields: list[str] = []


class SourceFilter(UpdatedSinceFilterSet):
    kind = OneOf(choices=SourceKind.choices)
    reliability = OneOf(choices=Reliability.choices)
    publisher = extend_schema_field(
        {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"^[^\x00]*$", "description": "Publisher"}
    )(filters.CharFilter(field_name="publisher", lookup_expr="iexact", max_length=200))
    published_after = StrictDateFilter(field_name="published_on", lookup_expr="gte")
    published_before = StrictDateFilter(field_name="published_on", lookup_expr="lte")

    class Meta:
        model = Source
        fields: list[str] = []


class AgreementFilter(UpdatedSinceFilterSet):
    kind = OneOf(choices=AgreementKind.choices)
    status = OneOf(field_name="current_status", choices=AgreementStatus.choices)
    binding = StrictBooleanFilter(yes="Binding", no="Not binding")
    party = _published(Party, "code", field_name="parties", label="Party (code)")
    topic = _published(Topic, field_name="topics", label="Topic (slug)")
    meeting = _published(Meeting, field_name="meetings", label="Meeting (slug)")
    status_changed_after = StrictDateFilter(
        field_name="status_history__date", lookup_expr="gte", distinct=True, label="Had a status step on or after"
    )
    status_changed_before = StrictDateFilter(
        field_name="status_history__date", lookup_expr="lte", distinct=True, label="Had a status step on or before"
    )

    class Meta:
        model = Agreement
        fields: list[str] = []


class MeetingFilter(UpdatedSinceFilterSet):
    format = OneOf(choices=MeetingFormat.choices)
    party = _published(Party, "code", method="filter_party", label="Counterpart or host (party code)")
    person = _published(Person, field_name="participants__person", label="Participant (slug)")
    agreement = _published(Agreement, field_name="outcome_agreements", label="Outcome agreement (slug)")
    topic = _published(Topic, field_name="topics", label="Topic (slug)")
    start_after = StrictDateFilter(field_name="start_date", lookup_expr="gte")
    start_before = StrictDateFilter(field_name="start_date", lookup_expr="lte")

    class Meta:
        model = Meeting
        fields: list[str] = []

    def filter_party(self, queryset, name, party):
        # A subquery, not a join: a join would repeat a meeting the party hosts once
        # per counterpart.
        counterpart = Meeting.counterparts.through.objects.filter(party=party).values("meeting_id")
        return queryset.filter(Q(pk__in=counterpart) | Q(host=party))


class PersonFilter(UpdatedSinceFilterSet):
    party = _published(Party, "code", field_name="party", label="Party (code)")

    class Meta:
        model = Person
        fields: list[str] = []


class CorrectionFilter(filters.FilterSet):
    since = StrictDateTimeFilter(field_name="created_at", lookup_expr="gte", label="Made at or after")
    kind = filters.ChoiceFilter(choices=[("correction", "Correction"), ("retraction", "Retraction")])
    updated_since = StrictDateTimeFilter(method="filter_updated_since", label="Made or edited at or after")

    class Meta:
        model = Correction
        fields: list[str] = []

    def filter_updated_since(self, queryset, name, value):
        return queryset.filter(Q(created_at__gte=value) | _changed_since(Correction, value))


def _changed_since(model, value):
    """Records with a history row at or after `value` (for records without updated_at)."""
    return Q(pk__in=model.history.filter(history_date__gte=value).values("id"))


class PartyFilter(filters.FilterSet):
    kind = OneOf(choices=PartyKind.choices)
    updated_since = StrictDateTimeFilter(method="filter_updated_since", label="Changed at or after")

    class Meta:
        model = Party
        fields: list[str] = []

    def filter_updated_since(self, queryset, name, value):
        return queryset.filter(_changed_since(Party, value))


class TopicFilter(filters.FilterSet):
    updated_since = StrictDateTimeFilter(method="filter_updated_since", label="Changed at or after")

    class Meta:
        model = Topic
        fields: list[str] = []

    def filter_updated_since(self, queryset, name, value):
        return queryset.filter(_changed_since(Topic, value))
