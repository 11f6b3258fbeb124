"""Cheap to keep in sync: ETag and 304, gzip, and CSV for spreadsheets."""

import csv
import gzip
import io

from rest_framework.test import APIClient

from tracker.desk import services


def rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_an_unchanged_list_answers_304_to_its_etag(api, published_claim):
    published_claim()
    first = api.get("/api/v1/claims/")
    etag = first["ETag"]

    again = api.get("/api/v1/claims/", HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 304
    assert again.content == b""
    assert "no-cache" in first["Cache-Control"]  # caches must ask again: a retraction shows at once


def test_a_change_gives_a_new_etag_and_a_full_response(api, published_claim, staff):
    claim = published_claim()
    etag = api.get(f"/api/v1/claims/{claim.slug}/")["ETag"]

    services.claim_correct(
        claim=claim, by=staff.editor, note="We explain it better.", verdict=claim.verdict,
        rationale="A clearer rationale.",
    )  # fmt: skip
    response = api.get(f"/api/v1/claims/{claim.slug}/", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response.json()["verdict"]["rationale"] == "A clearer rationale."


def test_the_etag_of_a_gzipped_response_still_matches(api, published_claim):
    for _ in range(3):
        published_claim()
    compressed = api.get("/api/v1/claims/", HTTP_ACCEPT_ENCODING="gzip")
    assert compressed["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.content).startswith(b'{"next"')

    again = api.get("/api/v1/claims/", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=compressed["ETag"])

    assert again.status_code == 304


def test_csv_by_format_parameter_or_accept_header(api, published_claim):
    published_claim(slug="the-claim")

    by_param = api.get("/api/v1/claims/?format=csv")
    by_header = APIClient().get("/api/v1/claims/", HTTP_ACCEPT="text/csv")

    assert by_param["Content-Type"] == "text/csv; charset=utf-8"
    assert by_param.content == by_header.content
    row = rows(by_param)[0]
    assert row["slug"] == "the-claim"
    assert row["source.slug"].startswith("source-")
    assert row["verdict.value"] == "accurate"
    assert row["url"] == "http://testserver/api/v1/claims/the-claim/"


def test_csv_columns_are_the_same_on_an_empty_page(api, published_claim):
    published_claim()
    full = api.get("/api/v1/claims/?format=csv").content.decode().splitlines()[0]

    empty = api.get("/api/v1/claims/?format=csv&verdict=misleading").content.decode().splitlines()

    assert empty == [full]


def test_csv_lists_references_by_slug_and_neutralises_formulas(api, published_claim, make_agreement):
    published_claim(
        statement='=HYPERLINK("http://evil.example")',
        agreements=[make_agreement(slug="gsoia"), make_agreement(slug="sdcp")],
    )

    row = rows(api.get("/api/v1/claims/?format=csv"))[0]

    assert sorted(row["agreements"].split("; ")) == ["gsoia", "sdcp"]
    assert row["statement"].startswith("'=")
