"""Once the purges of every change are acknowledged, nothing an edge cache keeps is stale,
whatever the staff do.

The desk's state machine (test_desk_rules.DeskMachine) plays random staff actions. An
edge is simulated as Varnish with xkey behaves: it keeps each answer the app marks for
it (an `xkey` header and `s-maxage`) under its address, with its keys, and a PURGE drops
every answer holding any of the keys named. It listens on loopback, and the worker's
purger (tracker/caching/purge.py) sends it the changes each step wrote. After every
step, once the purger has nothing left, every answer the edge still keeps must be what
a fresh render answers, byte for byte (the CSP nonce aside); then every address is
asked again, as readers would, so the edge holds each one when the next action runs.

This is what the edge relies on: the keys a response carries (tracker/caching/tags.py)
cover everything a change can touch in it (tracker/events/touched.py). A response
tagged too narrowly, or a change naming too few keys, fails here (a purger that left out
the `list:` keys failed on /corrections/). EDGE_PROPERTY_EXAMPLES and EDGE_PROPERTY_STEPS
raise the effort.
"""

import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis.stateful import invariant, run_state_machine_as_test

from tracker.caching import purge

from .test_cache_freshness import NONCE, CacheMachine, _answer, no_cache


class SimulatedEdge:
    """The answers kept, by address: (answer, keys). PURGE drops those holding a key named."""

    def __init__(self):
        self.kept: dict[str, tuple[tuple, frozenset[str]]] = {}
        self.lock = threading.Lock()
        edge = self

        class Handler(BaseHTTPRequestHandler):
            def do_PURGE(self):  # noqa: N802 - the method's name
                named = set(self.headers.get("xkey-purge", "").split())
                with edge.lock:
                    for url in [url for url, (_, keys) in edge.kept.items() if keys & named]:
                        del edge.kept[url]
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def ask(self, client: Client, url: str) -> None:
        """A reader's request through the edge: kept if the app marked it for the edge."""
        response = client.get(url)
        keys = response.get("xkey")
        if keys is not None and "s-maxage" in response.get("Cache-Control", ""):
            answer = _answer_of(response)
            with self.lock:
                self.kept[url] = (answer, frozenset(keys.split()))

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _answer_of(response) -> tuple[int, str, bytes]:
    """As _answer() has it: status, type and content with the CSP nonce left out."""
    content = response.content
    nonce = NONCE.search(response.get("Content-Security-Policy", ""))
    if nonce:
        content = content.replace(nonce.group(1).encode(), b"NONCE")
    return response.status_code, response.get("Content-Type", ""), content


EDGE: SimulatedEdge | None = None


class EdgeMachine(CacheMachine):
    """DeskMachine's actions; after each, the edge is purged and what it keeps checked."""

    def __init__(self):
        super().__init__()
        self.anonymous = Client()
        EDGE.kept.clear()  # each example starts from an empty record, and an empty edge

    @invariant()
    def every_answer_the_edge_keeps_is_a_fresh_one(self):
        while purge.purger.step():
            pass
        assert not purge.waiting(), "a change was left unpurged"
        for url, (kept, _keys) in list(EDGE.kept.items()):
            with no_cache():
                fresh = _answer(self.anonymous, url)
            assert kept == fresh, f"the edge still keeps a stale {url}"
        for url in self.addresses():
            EDGE.ask(self.anonymous, url)

    def every_kept_answer_is_a_fresh_one(self):
        """CacheMachine's own check (the app servers' caches) runs in its own test."""


@pytest.fixture
def simulated_edge(settings):
    global EDGE
    EDGE = SimulatedEdge()
    settings.EDGE_PURGE_URLS = [EDGE.url]
    settings.EDGE_MAX_AGE = 300
    purge.purger.resting_until = 0
    yield EDGE
    EDGE.close()
    EDGE = None


@pytest.mark.django_db
def test_once_purged_the_edge_keeps_no_stale_answer(simulated_edge):
    run_state_machine_as_test(
        EdgeMachine,
        settings=settings(
            max_examples=int(os.environ.get("EDGE_PROPERTY_EXAMPLES", "2")),
            stateful_step_count=int(os.environ.get("EDGE_PROPERTY_STEPS", "10")),
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
