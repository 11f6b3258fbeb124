"""Fixtures for the worker, webhooks and alerts: a real HTTP receiver on a loopback
port, partner endpoints, and the real database-backed worker run to idle."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from rest_framework_api_key.models import APIKey

from tracker.delivery.models import Endpoint
from tracker.delivery.worker import seconds_until_due

# This project's test runs use ports 8700-8799 for local receivers.
PORTS = range(8700, 8800)


class Receiver:
    """A webhook receiver: records each POST (headers and body) and answers with the
    next status in `statuses` (the last one repeats)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses = [204]
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                headers = {key.lower(): value for key, value in self.headers.items()}
                receiver.requests.append({"headers": headers, "body": body, "path": self.path})
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", f"http://127.0.0.1:{receiver.port}/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        for port in PORTS:
            try:
                self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
                break
            except OSError:
                continue
        else:
            raise RuntimeError("No free port in 8700-8799 for the webhook receiver.")
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def payloads(self) -> list[dict]:
        return [json.loads(request["body"]) for request in self.requests]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The subscribe form's counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def make_endpoint(db, staff):
    def make(url: str, *, event_types=(), name: str = "Example Newsroom", **fields) -> Endpoint:
        api_key, _ = APIKey.objects.create_key(name=name)
        return Endpoint.objects.create(
            api_key=api_key, url=url, event_types=list(event_types), created_by=staff.editor, **fields
        )

    return make


@pytest.fixture
def fast_retries(settings):
    """Real backoff, in milliseconds instead of minutes."""
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0.02
    settings.WEBHOOK_TIMEOUT_SECONDS = 2
    return settings


def _as_if_committed() -> None:
    """In a test that runs inside one transaction (pytest-django's default), run what
    was waiting for a commit (jobs are enqueued on commit), as a commit would."""
    while connection.in_atomic_block and connection.run_on_commit:
        waiting, connection.run_on_commit = connection.run_on_commit, []
        for _, callback, _ in waiting:
            callback()


def run_worker_until_idle(timeout: float = 10.0) -> None:
    """Run the real worker (`manage.py run_worker --batch`: jobs, webhook deliveries,
    the mail outbox) until nothing is due, waiting for what is due within a second
    (retries scheduled a moment ahead)."""
    deadline = time.monotonic() + timeout
    while True:
        _as_if_committed()
        call_command("run_worker", "--batch", "--no-reload", verbosity=0)
        _as_if_committed()
        due_in = seconds_until_due()
        if due_in is None or due_in > 1:
            return
        if time.monotonic() > deadline:
            raise AssertionError("The worker did not finish its jobs in time.")
        time.sleep(min(0.02 + due_in, 0.2))
