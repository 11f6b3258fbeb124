"""Strategies for hostile input, and a request helper, shared by the fuzz tests.

Every strategy here yields text ready to go into an address: percent-encoded, so
that raw bytes (a NUL, invalid UTF-8, an encoded lone surrogate) reach Django as an
attacker would send them. 10 examples per test by default, 40 at full effort (CI:
TEST_EFFORT=full, tests/effort.py); FUZZ_EXAMPLES sets the number.
"""

import base64
import datetime as dt
import json
from urllib.parse import quote, quote_from_bytes

import django_filters as filters
from django.core.cache import cache, caches
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests import effort
from tracker.filters import StrictDateFilter, StrictDateTimeFilter

FUZZ = settings(
    max_examples=effort.examples(10, 40, "FUZZ_EXAMPLES"),
    deadline=None,
    # The database fixtures are function-scoped on purpose: every example only reads.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Characters that break things: C0 and C1 controls, NUL, DEL, byte-order and
# direction marks, line and paragraph separators, non-characters.
CONTROL = st.characters(max_codepoint=0x1F) | st.sampled_from(
    "\x7f\x85\x9f\u00a0\u2028\u2029\ufeff\u200b\u202e\ufffe\uffff"
)
TEXT = st.text(st.characters(codec="utf-8") | CONTROL, max_size=40)  # utf-8: no lone surrogates
# A NUL somewhere: PostgreSQL refuses it in any query, so it must never reach one.
WITH_NUL = st.builds(lambda before, after: f"{before}\x00{after}", st.text(max_size=4), st.text(max_size=4))
# Digits that str.isdigit() accepts and int() refuses (², ①) or reads as a number (١, ５).
UNICODE_DIGITS = st.text(
    st.sampled_from("²³¹①⑴⒈") | st.characters(categories=["Nd", "No"]).filter(str.isdigit), min_size=1, max_size=6
)
HUGE_NUMBERS = st.one_of(
    st.integers().map(str),
    st.integers(min_value=19, max_value=5000).map(lambda n: "9" * n),
    st.sampled_from(["0", "-1", "-0", "00", "1.0", "1e9", "0x10", "1_000", " 1", "+1", "NaN", "Infinity", "true"]),
)
# Raw bytes as sent on the wire: an encoded lone surrogate, an overlong NUL, invalid UTF-8.
RAW_BYTES = st.sampled_from(["%00", "%ED%A0%80", "%ED%BF%BF", "%C0%80", "%FF", "%F4%90%80%80", "%E2%80"]) | st.binary(
    max_size=24
).map(quote_from_bytes)

EDGE_INSTANTS = st.sampled_from(
    [
        "0001-01-01T00:00:00",
        "0001-01-01",
        "9999-12-31T23:59:59.999999",
        "9999-12-31T23:59:59",
        "9999-12-31",
        "0000-01-01T00:00:00",
        "10000-01-01T00:00:00",
        "2025-02-29T00:00:00",
        "2025-13-01T00:00:00",
        "2025-01-01T24:00:00",
        "2025-01-01 00:00:00",
        "2025-W01-1",
        "20250101T000000",
    ]
)
INSTANTS = EDGE_INSTANTS | st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)).map(
    dt.datetime.isoformat
)
OFFSETS = st.sampled_from(
    ["", "Z", "z", "+00:00", "+01:00", "-01:00", "+14:00", "-12:00", "+15:59", "+16:00", "-16:00", "+20:00",
     "-23:59", "+23:59", "+24:00", "+99:99", "+0100", "+01", " 01:00"]  # fmt: skip
) | st.builds(lambda sign, hours, minutes: f"{sign}{hours:02d}:{minutes:02d}", st.sampled_from("+-"),
              st.integers(0, 30), st.integers(0, 61))  # fmt: skip
# Half of the time, an end of the calendar with an offset that may push it past the end.
CALENDAR_ENDS = st.builds(
    lambda instant, offset: instant + offset,
    st.sampled_from(["0001-01-01T00:00:00", "0001-01-01T00:59", "9999-12-31T23:59:59", "9999-12-31T23:00:00.999999"]),
    st.sampled_from(["+01:00", "-01:00", "+00:01", "-00:01", "+23:59", "-23:59", "+20:00", "-16:00"]),
)
ISO_DATE_TIMES = CALENDAR_ENDS | st.builds(lambda instant, offset: instant + offset, INSTANTS, OFFSETS)
ISO_DATES = st.sampled_from(
    ["0001-01-01", "9999-12-31", "0000-01-01", "10000-01-01", "2025-02-29", "2025-1-1", "25-01-01", "01/02/2025"]
) | st.dates().map(dt.date.isoformat)


def encoded(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return strategy.map(lambda text: quote(text, safe=""))


NUMBERS = encoded(UNICODE_DIGITS | HUGE_NUMBERS)  # for page numbers, page sizes, ids
HOSTILE = st.one_of(
    st.just(""),
    encoded(TEXT),
    encoded(WITH_NUL),
    encoded(UNICODE_DIGITS),
    encoded(HUGE_NUMBERS),
    encoded(ISO_DATE_TIMES),
    encoded(ISO_DATES),
    RAW_BYTES,
    st.integers(min_value=250, max_value=20_000).map(lambda n: "a" * n),
)


def query(pairs: list[tuple[str, str]]) -> str:
    """A query string from already-encoded pairs; a name may repeat (arrays)."""
    return "&".join(f"{name}={value}" for name, value in pairs)


# Cursors: base64 of any JSON value, weighted towards the shape the API writes
# ({"o": ordering, "v": [values]}) so that every branch of the decoder is reached.
JSON_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**63 - 2, max_value=2**80),
    st.floats(),  # NaN and the infinities included: json.dumps writes them
    st.text(st.characters(codec="utf-8") | CONTROL | st.characters(categories=["Cs"]), max_size=20),
    ISO_DATE_TIMES,
    ISO_DATES,
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=4),
    max_leaves=10,
)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# Values of the wrong type for any key: bool is an int to Python, NaN is a float.
WRONG_TYPES = st.sampled_from([True, False, 0, 7, -1, 1.5, float("nan"), float("inf"), 2**70, [], {}, ["x"], {"a": 1}])


@st.composite
def _one_hostile(draw, plausible: list[st.SearchStrategy]) -> list:
    """Plausible values but one, which is of a wrong type or any JSON: each check of the
    decoder in turn."""
    hostile = draw(st.integers(0, len(plausible) - 1))
    return [draw(WRONG_TYPES | JSON_VALUES if i == hostile else strategy) for i, strategy in enumerate(plausible)]


def cursors(ordering: str, plausible: list[st.SearchStrategy]) -> st.SearchStrategy:
    """Cursors for a list in `ordering`, whose cursor holds one value per `plausible`
    strategy: mostly the shape the API writes with one or more hostile values; else
    any JSON, or not JSON at all."""
    values = _one_hostile(plausible) | st.tuples(*(strategy | JSON_VALUES for strategy in plausible)).map(list)
    right_shape = st.fixed_dictionaries({"o": st.just(ordering), "v": values})
    any_shape = st.fixed_dictionaries({"o": JSON_VALUES, "v": st.lists(JSON_VALUES, max_size=4)}) | JSON_VALUES
    deep = st.integers(min_value=900, max_value=12_000).map(lambda n: _b64(b"[" * n + b"]" * n))
    not_json = deep | st.binary(max_size=64).map(_b64) | RAW_BYTES | encoded(TEXT)
    as_json = {0: right_shape, 1: right_shape, 2: right_shape, 3: any_shape}  # one_of() has no weights
    return st.integers(0, 4).flatmap(
        lambda n: as_json[n].map(lambda payload: _b64(json.dumps(payload).encode())) if n in as_json else not_json
    )


# What a list's cursor holds (its ordering's value, then the id), and the tombstones' (at, type, slug).
KEYSET_VALUES = [ISO_DATE_TIMES | ISO_DATES | st.text(max_size=8), st.integers(min_value=-1, max_value=2**64)]
TOMBSTONE_VALUES = [ISO_DATE_TIMES, st.sampled_from(["claim", "source", "agreement", "meeting", "person"]), st.text()]


# The desk fixture's slugs and codes: a reference filter given one of them passes.
REFERENCES = ["defence", "trade", "KR", "CA", "APEC", "canada-korea-gsoia", "carney-lee-gyeongju-2025", "mark-carney",
              "pm-readout-indo-pacific-2025", "canada-korea-signed-defence-agreement"]  # fmt: skip


def plausible(flt: filters.Filter) -> st.SearchStrategy:
    """Values a filter will likely take: beside them, one hostile value in a request
    gets past validation and reaches the query."""
    if isinstance(flt, StrictDateTimeFilter):
        return encoded(ISO_DATE_TIMES)
    if isinstance(flt, StrictDateFilter):
        return encoded(ISO_DATES)
    if flt.extra.get("choices"):
        return st.sampled_from([value for value, _ in flt.extra["choices"]])
    if isinstance(flt, filters.ModelChoiceFilter):
        return st.sampled_from(REFERENCES)
    return encoded(TEXT)


@st.composite
def addresses(draw, path: str, values: dict[str, st.SearchStrategy]) -> str:
    """`path` with one to three of its parameters (one may repeat), each plausible or hostile."""
    names = draw(st.lists(st.sampled_from(sorted(values)), min_size=1, max_size=3))
    return f"{path}?{query([(name, draw(values[name] | HOSTILE)) for name in names])}"


def fetch(client, url: str, method: str = "get", **kwargs):
    """One request in a savepoint, so that an error in it cannot poison the next example's
    PostgreSQL transaction; throttle counts cleared, so that no example is a 429."""
    cache.clear()
    caches["rates"].clear()
    with transaction.atomic():
        return getattr(client, method)(url, **kwargs)
