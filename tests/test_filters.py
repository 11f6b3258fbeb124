"""parse_date_time(): the one reading of a date-time in a filter, on the pages and in the API."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tracker.filters import parse_date_time

UTC = dt.UTC


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-11-01T09:30:00Z", dt.datetime(2025, 11, 1, 9, 30, tzinfo=UTC)),
        ("2025-11-01t09:30:00z", dt.datetime(2025, 11, 1, 9, 30, tzinfo=UTC)),
        ("2025-11-01T09:30:00.5+01:00", dt.datetime(2025, 11, 1, 8, 30, 0, 500000, tzinfo=UTC)),
        ("2025-11-01T09:30+20:00", dt.datetime(2025, 10, 31, 13, 30, tzinfo=UTC)),
        ("2025-11-01T09:30:00", dt.datetime(2025, 11, 1, 9, 30, tzinfo=UTC)),
        ("2025-11-01", dt.datetime(2025, 11, 1, tzinfo=UTC)),
        ("0001-01-01T00:00:00Z", dt.datetime(1, 1, 1, tzinfo=UTC)),
        ("9999-12-31T23:59:59.999999Z", dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
    ],
)
def test_it_reads_an_iso_date_time_in_utc(value, expected):
    parsed = parse_date_time(value)

    assert parsed == expected
    assert parsed.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize(
    "value",
    ["yesterday", "2025-W44-6", "20251101T093000Z", "2025-11-01T09:30:00+0100", "2025-11-01T24:00:00Z",
     "2025-02-30", "2025-11-01T09:30:00+24:00", "２０２５-11-01", "2025-11-01T09:30:00Z\n", "2" * 41, ""],
)  # fmt: skip
def test_it_refuses_what_is_not_a_plain_iso_date_time(value):
    with pytest.raises(ValidationError, match="ISO 8601"):
        parse_date_time(value)


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-00:01"])
def test_it_refuses_a_date_time_whose_utc_is_outside_years_1_to_9999(value):
    with pytest.raises(ValidationError, match="out of range"):
        parse_date_time(value)
