"""Filtering with the shared FilterSets, and a clear JSON error for every bad input."""

import datetime as dt

import pytest
from django.utils import timezone

from tracker.desk.choices import AgreementStatus, MeetingFormat


def slugs(api, url: str, params: dict | None = None) -> list[str]:
    response = api.get(url, params or {})
    assert response.status_code == 200, response.content
    return sorted(record.get("slug") or record.get("code") for record in response.json()["results"])


@pytest.fixture
def record(published_claim, make_party, make_topic, make_agreement, add_status, make_meeting, make_person):
    korea = make_party("KR", name="Republic of Korea")
    defence = make_topic("defence", "Defence")
    person = make_person(slug="lee-jae-myung", party=korea)
    agreement = make_agreement(slug="gsoia", parties=[korea])
    add_status(agreement, status=AgreementStatus.SIGNED)
    meeting = make_meeting(slug="apec-bilateral", participants=[person], format=MeetingFormat.BILATERAL, host=korea)
    make_meeting(slug="g7-call", format=MeetingFormat.CALL, start_date=dt.date(2025, 6, 1))
    claim = published_claim(
        slug="signed", verdict="accurate", claimed_on=dt.date(2025, 10, 29), agreements=[agreement],
        meetings=[meeting], people=[person], parties=[korea], topics=[defence],
    )  # fmt: skip
    published_claim(
        slug="misleading-one", verdict="misleading", statement="Trade talks concluded", claimed_on=dt.date(2025, 9, 1)
    )
    return claim


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"verdict": "accurate"}, ["signed"]),
        ({"verdict": ["accurate", "misleading"]}, ["misleading-one", "signed"]),
        ({"agreement": "gsoia"}, ["signed"]),
        ({"meeting": "apec-bilateral"}, ["signed"]),
        ({"person": "lee-jae-myung"}, ["signed"]),
        ({"party": "KR"}, ["signed"]),
        ({"topic": "defence"}, ["signed"]),
        ({"claimed_after": "2025-10-01"}, ["signed"]),
        ({"claimed_before": "2025-10-01"}, ["misleading-one"]),
        ({"search": "trade talks"}, ["misleading-one"]),
    ],
)
def test_claims_filter_by_what_partners_ask_for(api, record, params, expected):
    assert slugs(api, "/api/v1/claims/", params) == expected


def test_claims_filter_by_source(api, record):
    assert slugs(api, "/api/v1/claims/", {"source": record.source.slug}) == ["signed"]


def test_other_lists_filter_too(api, record):
    assert slugs(api, "/api/v1/agreements/", {"status": "signed", "party": "KR"}) == ["gsoia"]
    assert slugs(api, "/api/v1/agreements/", {"status_changed_after": "2025-10-01"}) == ["gsoia"]
    assert slugs(api, "/api/v1/agreements/", {"status_changed_before": "2025-10-01"}) == []
    assert slugs(api, "/api/v1/meetings/", {"meeting_format": "call"}) == ["g7-call"]
    assert slugs(api, "/api/v1/meetings/", {"party": "kr"}) == ["apec-bilateral"]
    assert slugs(api, "/api/v1/meetings/", {"person": "lee-jae-myung"}) == ["apec-bilateral"]
    assert slugs(api, "/api/v1/people/", {"party": "KR"}) == ["lee-jae-myung"]
    assert slugs(api, "/api/v1/parties/", {"search": "korea"}) == ["KR"]


def test_updated_since_returns_what_changed_at_or_after_it(api, record, published_claim, make_topic):
    checkpoint = timezone.now()
    published_claim(slug="later")

    assert slugs(api, "/api/v1/claims/", {"updated_since": checkpoint.isoformat()}) == ["later"]
    make_topic("trade", "Trade")
    assert slugs(api, "/api/v1/topics/", {"updated_since": checkpoint.isoformat()}) == ["trade"]


@pytest.mark.parametrize(
    "url, params, field",
    [
        ("/api/v1/claims/", {"verdict": "probably"}, "verdict"),
        ("/api/v1/claims/", {"agreement": "no such agreement"}, "agreement"),
        ("/api/v1/claims/", {"party": "Z-Z"}, "party"),
        ("/api/v1/meetings/", {"party": ".exe"}, "party"),
        ("/api/v1/people/", {"party": "K R"}, "party"),
        ("/api/v1/sources/", {"publisher": "x" * 201}, "publisher"),
        ("/api/v1/claims/", {"claimed_after": "29/10/2025"}, "claimed_after"),
        ("/api/v1/claims/", {"claimed_after": "2025-02-30"}, "claimed_after"),
        ("/api/v1/claims/", {"updated_since": "last tuesday"}, "updated_since"),
        ("/api/v1/claims/", {"updated_since": "9999-12-31T23:59:59-05:00"}, "updated_since"),
        ("/api/v1/claims/", {"ordering": "statement"}, "ordering"),
        ("/api/v1/claims/", {"ordering": "-updated_at,slug"}, "ordering"),
        ("/api/v1/claims/", {"search": "x" * 201}, "search"),
        ("/api/v1/claims/", {"source": "a\x00b"}, "source"),
        ("/api/v1/agreements/", {"binding": "maybe"}, "binding"),
        ("/api/v1/meetings/", {"meeting_format": "carrier-pigeon"}, "meeting_format"),
    ],
)
def test_a_bad_parameter_is_a_400_that_names_it(api, url, params, field):
    response = api.get(url, params)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == 400
    assert field in error["fields"]
    assert error["detail"]


@pytest.mark.parametrize(
    "url, params, field",
    [
        ("/api/v1/claims/", {"agreement": "no-such-agreement"}, "agreement"),
        ("/api/v1/claims/", {"party": "ZZ"}, "party"),
        ("/api/v1/claims/", {"topic": "nope", "verdict": "accurate"}, "topic"),
        ("/api/v1/agreements/", {"meeting": "no-such-meeting"}, "meeting"),
        ("/api/v1/meetings/", {"party": "ZZ"}, "party"),
        ("/api/v1/meetings/", {"person": "nobody"}, "person"),
        ("/api/v1/people/", {"party": "ZZ"}, "party"),
    ],
)
def test_a_well_formed_slug_of_no_published_record_is_a_404_that_names_the_filter(api, record, url, params, field):
    # What the schema says: a slug (or code) pattern, so any well-formed one is valid
    # input, and the answer for no such record is the record's own address's, a 404.
    response = api.get(url, params)

    assert response.status_code == 404
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (404, "unknown_record")
    assert list(error["fields"]) == [field]


def test_a_malformed_filter_beside_an_unknown_slug_is_a_400_naming_both(api, record):
    response = api.get("/api/v1/claims/", {"topic": "nope", "verdict": "probably"})

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"topic", "verdict"}


def test_the_meetings_party_filter_takes_a_code_in_either_case(api, record):
    assert slugs(api, "/api/v1/meetings/", {"party": "kr"}) == slugs(api, "/api/v1/meetings/", {"party": "KR"})
    assert slugs(api, "/api/v1/meetings/", {"party": "KR"}) == ["apec-bilateral"]


@pytest.mark.parametrize(
    "url, name",
    [
        ("/api/v1/claims/", "format"),
        ("/api/v1/claims/", "updated_since"),
        ("/api/v1/claims/", "topic"),
        ("/api/v1/claims/", "search"),
        ("/api/v1/claims/", "cursor"),
        ("/api/v1/claims/", "ordering"),
        ("/api/v1/claims/", "page_size"),
        ("/api/v1/claims/signed/", "as_of"),
        ("/api/v1/claims/signed/", "format"),
        ("/api/v1/corrections/", "updated_since"),
        ("/api/v1/events/", "type"),
        ("/api/v1/events/", "after"),
        ("/api/v1/tombstones/", "cursor"),
        ("/api/v1/tombstones/", "updated_since"),
        ("/api/v1/export/", "format"),
    ],
)
def test_a_parameter_given_empty_is_a_400_naming_it(api, record, url, name):
    # `?format=` and `?updated_since=` were answered as if absent, hiding a client's
    # unset variable; the schema says every parameter has a value.
    response = api.get(f"{url}?{name}=")

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], list(error["fields"])) == ("empty_parameter", [name])


def test_a_parameter_no_view_reads_is_ignored_even_empty(api, record):
    # An unknown parameter never reaches the view (tracker/parameters.py): the answer is
    # the one without it, not an error, and not a new cache entry.
    plain = api.get("/api/v1/claims/")
    response = api.get("/api/v1/claims/?unknown=")

    assert response.status_code == 200
    assert response.json() == plain.json()


def test_an_empty_parameter_on_a_method_the_endpoint_does_not_take_is_still_a_405(api, record):
    response = api.generic("TRACE", "/api/v1/claims/?publisher=")

    assert response.status_code == 405


def test_a_future_as_of_is_a_404_like_a_day_before_publication(api, record):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    for url in ("/api/v1/claims/signed/", "/api/v1/agreements/gsoia/"):
        response = api.get(url, {"as_of": tomorrow.isoformat()})
        assert response.status_code == 404, url
        assert "future" in response.json()["error"]["detail"]
    assert api.get("/api/v1/claims/signed/", {"as_of": "2025-13-01"}).status_code == 400
    assert api.get("/api/v1/claims/signed/", {"as_of": timezone.localdate().isoformat()}).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/claims/no-such-claim/",
        "/api/v1/parties/ZZ/",
        "/api/v1/corrections/999999999999999999/",
        "/api/v1/claims/caf%C3%A9/",
        "/api/v1/claims/a%00b/",
        "/api/v1/no-such-list/",
        "/api/v2/claims/",
        "/api/v1/claims/?format=xml",
    ],
)
def test_what_does_not_exist_is_a_json_404(api, url):
    response = api.get(url)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


def test_an_unservable_accept_header_is_a_json_406(api):
    response = api.get("/api/v1/claims/", HTTP_ACCEPT="application/xml")

    assert response.status_code == 406
    assert response.json()["error"]["code"] == "not_acceptable"


def test_an_error_is_json_even_when_csv_was_asked_for(api):
    response = api.get("/api/v1/claims/", {"verdict": "probably", "format": "csv"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_filter"


def test_writing_is_not_allowed(api, record):
    response = api.post("/api/v1/claims/", {"slug": "mine"}, format="json")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_the_binding_filter_refuses_a_value_that_is_not_true_or_false(client, db):
    response = client.get("/api/v1/agreements/?binding=perhaps")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["binding"]


def test_the_binding_filter_takes_the_booleans_its_schema_declares(api, make_agreement):
    make_agreement(slug="treaty", binding=True)
    make_agreement(slug="mou", binding=False)

    assert slugs(api, "/api/v1/agreements/", {"binding": "true"}) == ["treaty"]
    assert slugs(api, "/api/v1/agreements/", {"binding": "false"}) == ["mou"]


API_DATE_TIME_FILTERS = [
    ("/api/v1/claims/", "updated_since"),
    ("/api/v1/claims/", "published_after"),
    ("/api/v1/claims/", "published_before"),
    ("/api/v1/sources/", "updated_since"),
    ("/api/v1/agreements/", "updated_since"),
    ("/api/v1/meetings/", "updated_since"),
    ("/api/v1/people/", "updated_since"),
    ("/api/v1/parties/", "updated_since"),
    ("/api/v1/topics/", "updated_since"),
    ("/api/v1/corrections/", "since"),
    ("/api/v1/corrections/", "updated_since"),
    ("/api/v1/tombstones/", "updated_since"),
]


@pytest.mark.parametrize("url, name", API_DATE_TIME_FILTERS)
@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_date_time_outside_years_1_to_9999_in_utc_is_a_400_naming_it(api, url, name, value):
    response = api.get(url, {name: value})

    assert response.status_code == 400
    error = response.json()["error"]
    assert "out of range" in " ".join(error["fields"][name])


@pytest.mark.parametrize("url, name", API_DATE_TIME_FILTERS)
@pytest.mark.parametrize("value", ["2025-01-01T00:00:00+20:00", "2025-01-01T00:00:00-23:59", "2025-01-01"])
def test_a_date_time_with_a_far_offset_or_no_time_is_accepted(api, url, name, value):
    # PostgreSQL refuses offsets beyond ±15:59; the filter hands it UTC.
    assert api.get(url, {name: value}).status_code == 200


@pytest.mark.parametrize(
    "value",
    ["2025-W01-1", "20250101T000000Z", "2025-01-01T00:00:00+24:00", "2025-01-01T00:00:00.1234567Z", "２０２５-01-01"],
)
def test_a_date_time_that_is_not_plain_iso_8601_is_a_400(api, value):
    response = api.get("/api/v1/claims/", {"updated_since": value})

    assert response.status_code == 400
    assert "ISO 8601" in response.json()["error"]["fields"]["updated_since"][0]


def test_updated_since_with_a_far_offset_means_the_same_moment_in_utc(api, record, published_claim):
    checkpoint = timezone.now()
    published_claim(slug="later")
    far_east = checkpoint.astimezone(dt.timezone(dt.timedelta(hours=20)))

    assert slugs(api, "/api/v1/claims/", {"updated_since": far_east.isoformat()}) == ["later"]


@pytest.mark.parametrize(
    "prefix", ["claims", "sources", "agreements", "meetings", "people", "parties", "topics", "corrections"]
)
@pytest.mark.parametrize("segment", ["%00", "K%00R", "%0C", "%C0", "%ED%A0%80", "%20", "9" * 30])
def test_a_nul_or_odd_byte_in_a_record_address_is_a_json_404(api, prefix, segment):
    response = api.get(f"/api/v1/{prefix}/{segment}/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_too_many_parameters_is_a_json_400(api):
    response = api.get("/api/v1/claims/?" + "verdict=accurate&" * 1001)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


def test_a_meeting_format_given_as_format_is_a_404_that_names_meeting_format(api, record):
    response = api.get("/api/v1/meetings/?format=bilateral")

    assert response.status_code == 404
    assert "meeting_format" in response.json()["error"]["detail"]
    filtered = api.get("/api/v1/meetings/?meeting_format=bilateral")
    assert [meeting["slug"] for meeting in filtered.json()["results"]] == ["apec-bilateral"]


def test_an_unknown_response_format_is_a_404_that_lists_the_formats(api):
    detail = api.get("/api/v1/claims/?format=xml").json()["error"]["detail"]

    assert "csv" in detail and "json" in detail
    assert "meeting_format" not in detail


def test_a_meeting_the_party_hosts_is_listed_once_whatever_its_counterparts(
    api, client, make_party, make_meeting, make_topic, published_claim
):
    japan, korea, canada = make_party("JP"), make_party("KR"), make_party("CA")
    trade = make_topic("trade", "Trade")
    make_meeting(slug="tokyo-trilateral", host=japan, counterparts=[korea, canada], topics=[trade])
    make_meeting(slug="seoul-visit", host=korea, counterparts=[japan], topics=[trade])
    published_claim(slug="about-both", parties=[japan, korea], topics=[trade])

    assert slugs(api, "/api/v1/meetings/", {"party": "JP"}) == ["seoul-visit", "tokyo-trilateral"]
    assert slugs(api, "/api/v1/meetings/", {"party": "JP", "topic": "trade"}) == ["seoul-visit", "tokyo-trilateral"]
    assert slugs(api, "/api/v1/claims/", {"party": "JP", "topic": "trade", "verdict": "accurate"}) == ["about-both"]
    for page in ("/meetings/?party=JP", "/parties/JP/"):
        assert client.get(page).content.decode().count('href="/meetings/tokyo-trilateral/"') == 1, page
        assert 'href="/meetings/seoul-visit/"' in client.get(page).content.decode()
