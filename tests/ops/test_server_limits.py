"""Under the real app server (gunicorn, with gunicorn.conf.py): an over-long address or
header is answered by the site in its own words, JSON under /api/, never by gunicorn's
bare HTML page (which it served for any request line over 4,094 bytes)."""

import json
from pathlib import Path

import opslib
import pytest
from django.db import connection

from tracker import backups, request_limits

APP_PORT = opslib.PORT_BASE + 13


@pytest.fixture
def http(transactional_db, tmp_path):
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    else:
        url = f"sqlite:///{backups.backup(tmp_path / 'db.sqlite3')}"  # the suite's migrated schema
    env = opslib.server_env(DATABASE_URL=url, CACHE_URL="locmem://")
    opslib.collectstatic(env)
    process = opslib.start_gunicorn(APP_PORT, env, Path(tmp_path / "server.log"), workers=1)
    try:
        yield opslib.Http(f"http://127.0.0.1:{APP_PORT}")
    finally:
        opslib.stop_process(process)


def error_of(answer) -> dict:
    status, headers, body = answer
    assert headers["Content-Type"] == "application/json", body[:200]
    error = json.loads(body)["error"]
    assert error["status"] == status
    return error


def test_gunicorn_hands_over_long_requests_to_the_site_which_answers_json_under_the_api_html_elsewhere(http):
    # The case: a search of a few thousand bytes, past gunicorn's old limit.
    assert error_of(http.get("/api/v1/claims/?search=" + "x" * 5000))["fields"] == {"search": ["Too long."]}
    assert error_of(http.get("/api/v1/claims/?search=" + "x" * request_limits.MAX_REQUEST_LINE))["code"] == (
        "uri_too_long"
    )
    big = {"X-Large": "x" * request_limits.MAX_HEADER_FIELD}
    assert error_of(http.get("/api/v1/claims/", **big))["code"] == "headers_too_large"

    # Elsewhere, the site's own error page.
    status, headers, body = http.get("/claims/?q=" + "x" * request_limits.MAX_REQUEST_LINE)

    assert status == 414
    assert headers["Content-Type"].startswith("text/html")
    assert b"too long" in body
