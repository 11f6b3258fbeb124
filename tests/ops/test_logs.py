"""Logs fit for operations: a line per request with its status and time, errors with
who asked for what, and never a secret (a key, a cookie, a password, a query string)."""

import json
import logging

import pytest
from django.db import OperationalError
from django.test import Client
from rest_framework_api_key.models import APIKey

from tracker import outage
from tracker.api import views
from tracker.requestlog import RequestContextFilter

KEY_NAME = "Log test partner"


def formatted(caplog) -> str:
    formatter = logging.Formatter("%(name)s %(message)s")
    return "\n".join(formatter.format(record) for record in caplog.records)


def test_each_request_is_one_line_with_status_and_time(db, caplog):
    with caplog.at_level(logging.INFO, logger="tracker.requests"):
        Client().get("/methodology/?q=private+search", REMOTE_ADDR="203.0.113.5")

    lines = [r.getMessage() for r in caplog.records if r.name == "tracker.requests"]
    assert len(lines) == 1
    method, path, status, took, size, client, user = lines[0].split()
    assert (method, path, status, client, user) == ("GET", "/methodology/", "200", "client=203.0.113.5", "user=-")
    assert took.endswith("ms") and float(took[:-2]) > 0
    assert "private" not in lines[0]


def test_a_server_error_is_logged_with_its_context_and_without_secrets(db, caplog, monkeypatch):
    _, key = APIKey.objects.create_key(name=KEY_NAME)

    def explode(*args, **kwargs):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(views.ClaimViewSet, "list", explode)
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "cookie-secret-value"
    with caplog.at_level(logging.INFO):
        response = client.get(
            "/api/v1/claims/?password=query-secret", HTTP_AUTHORIZATION=f"Api-Key {key}", REMOTE_ADDR="203.0.113.6"
        )

    assert response.status_code == 500
    text = formatted(caplog)
    assert "Internal Server Error: /api/v1/claims/ [GET /api/v1/claims/ client=203.0.113.6" in text
    assert "RuntimeError: simulated failure" in text  # the traceback, for a bug
    for secret in (key, key.split(".")[1], "cookie-secret-value", "query-secret"):
        assert secret not in text


def test_an_outage_is_one_line_per_interval_with_a_count_and_no_password(caplog, rf, monkeypatch):
    monkeypatch.setattr(outage, "failures", outage._RateLimitedLog())
    error = OperationalError('connection to server at "10.0.0.9", port 5432 failed: password=hunter2 refused')
    with caplog.at_level(logging.ERROR, logger="tracker.outage"):
        responses = [outage.handle(rf.get("/claims/"), error) for _ in range(50)]
        monkeypatch.setattr(outage, "LOG_INTERVAL", 0.0)
        outage.handle(rf.get("/api/v1/claims/"), error)

    assert {r.status_code for r in responses} == {503}
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert lines[0].startswith("database unavailable: OperationalError: connection to server at")
    assert "49 more failures" in lines[1]
    assert "hunter2" not in "\n".join(lines)
    assert not any(r.exc_info for r in caplog.records)


@pytest.mark.parametrize("path, kind", [("/claims/", "text/html"), ("/api/v1/claims/", "application/json")])
def test_an_outage_answer_says_when_to_retry(rf, path, kind):
    response = outage.outage_response(rf.get(path), "database")
    assert response.status_code == 503
    assert response["Retry-After"] == str(outage.RETRY_AFTER)
    assert response["Content-Type"].startswith(kind)


def test_a_percent_sign_in_the_path_does_not_break_the_error_line(rf):
    request = rf.get("/claims/100%25s%25d/")
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Not Found: %s", (request.path,), None)
    record.request = request

    assert RequestContextFilter().filter(record)
    assert record.getMessage() == "Not Found: /claims/100%s%d/ [GET /claims/100%s%d/ client=127.0.0.1 user=-]"


# --- Lines nobody can forge, each with its request's id (tracker/logs.py) ----------------


def configured_formatter() -> logging.Formatter:
    """The formatter settings.LOGGING gives the console handler."""
    from django.conf import settings

    spec = settings.LOGGING["formatters"][settings.LOGGING["handlers"]["console"]["formatter"]]
    from django.utils.module_loading import import_string

    return import_string(spec["()"])(spec.get("format"))


def lines_of(caplog, formatter: logging.Formatter) -> list[str]:
    return [formatter.format(record) for record in caplog.records]


FORGED = "/claims/x%0A2026-12-07 18:00:00,000 ERROR tracker.outage FORGED: database unavailable%00"


def test_a_path_cannot_write_a_line_of_its_own(db, caplog):
    with caplog.at_level(logging.INFO, logger="tracker.requests"):
        Client().get(FORGED)

    [line] = lines_of(caplog, configured_formatter())
    assert "\n" not in line and "\x00" not in line
    assert "x\\x0a2026-12-07 18:00:00,000 ERROR tracker.outage FORGED" in line
    assert line.endswith(" 404 " + line.split(" 404 ", 1)[1]) and "\\x00" in line


def test_every_line_of_a_request_carries_its_id_and_the_answer_says_it(db, caplog, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("line one\nERROR forged line two")

    monkeypatch.setattr(views.ClaimViewSet, "list", explode)
    with caplog.at_level(logging.INFO):
        response = Client(raise_request_exception=False).get("/api/v1/claims/")

    request_id = response["X-Request-ID"]
    assert len(request_id) == 16
    formatter = configured_formatter()
    lines = lines_of(caplog, formatter)
    mine = [line for line in lines if f"[{request_id}]" in line]
    assert len(mine) == 2  # the error with its traceback, and the request line
    error = next(line for line in mine if "Internal Server Error" in line)
    # The traceback's lines are indented under their record; its text escaped.
    assert all(part.startswith("    ") for part in error.splitlines()[1:])
    assert "\n    ERROR forged line two" in error  # a message's own lines stay inside its record
    assert not any(part.startswith("ERROR") for part in error.splitlines())


def test_a_request_id_from_the_client_is_ignored_unless_our_proxy_sent_it(db, settings):
    settings.TRUSTED_PROXY_HOPS = 0
    assert Client().get("/robots.txt", HTTP_X_REQUEST_ID="chosen-by-client")["X-Request-ID"] != "chosen-by-client"
    settings.TRUSTED_PROXY_HOPS = 1
    assert Client().get("/robots.txt", HTTP_X_REQUEST_ID="from-nginx-0123")["X-Request-ID"] == "from-nginx-0123"
    assert Client().get("/robots.txt", HTTP_X_REQUEST_ID="bad\nid")["X-Request-ID"] != "bad\nid"


def test_json_lines_are_one_object_a_line(db, caplog):
    from tracker.logs import JsonFormatter

    with caplog.at_level(logging.INFO, logger="tracker.requests"):
        response = Client().get(FORGED)
    formatter = JsonFormatter()
    [record] = caplog.records  # the console handler's filter gave it the request's id
    line = formatter.format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["logger"] == "tracker.requests" and "\n2026-12-07" in entry["message"]
    assert entry["request_id"] == response["X-Request-ID"]
