"""What the app servers tell the edge cache, and how the worker purges it
(tracker/caching/edge.py, purge.py). The edge here is a real HTTP server on loopback
that records the purges it is sent and answers as told; tests/ops/test_edge.py runs
the same against Varnish."""

import datetime as dt
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from tracker.caching import edge, purge
from tracker.desk import services
from tracker.desk.choices import State
from tracker.desk.models import PublicChange

EDGE = ["http://127.0.0.1:9/"]  # marks responses; nothing is sent in the header tests


@pytest.fixture
def with_edge(settings):
    settings.EDGE_PURGE_URLS = EDGE
    settings.EDGE_MAX_AGE = 300
    return settings


def marked(response) -> set[str] | None:
    value = response.headers.get("xkey")
    return set(value.split()) if value is not None else None


def test_a_public_page_and_api_answer_name_what_they_show_for_the_edge(client, with_edge, make_claim):
    claim = make_claim(state=State.PUBLISHED)
    for path in (claim.get_absolute_url(), f"/api/v1/claims/{claim.slug}/", "/claims/"):
        for _ in range(2):  # built, then a kept answer (the API's on its fast hit path)
            response = client.get(path)
            assert response.status_code == 200
            keys = marked(response)
            assert keys and f"claim:{claim.slug}" in keys, (path, keys)
            assert response["Cache-Control"] == f"public, max-age=0, s-maxage={edge.max_age()}"
    assert "list:claim" in marked(client.get("/claims/"))


def test_without_an_edge_nothing_is_marked(client, settings, make_claim):
    settings.EDGE_PURGE_URLS = []
    claim = make_claim(state=State.PUBLISHED)
    response = client.get(claim.get_absolute_url())
    assert marked(response) is None
    assert response["Cache-Control"] == "public, no-cache, max-age=0"


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_COOKIE": "sessionid=abc"},
        {"HTTP_COOKIE": "theme=dark; csrftoken=abc"},
        {"HTTP_COOKIE": "desk_staff=1"},
        {"HTTP_AUTHORIZATION": "Api-Key not.valid"},
    ],
)
def test_an_answer_to_someone_in_particular_is_not_marked(client, with_edge, make_claim, headers):
    claim = make_claim(state=State.PUBLISHED)
    client.get(claim.get_absolute_url())  # kept: the next is a hit
    response = client.get(claim.get_absolute_url(), **headers)
    assert marked(response) is None
    assert "s-maxage" not in response["Cache-Control"]


def test_errors_gone_records_and_writes_are_not_marked(client, with_edge, make_claim):
    retracted = make_claim(state=State.RETRACTED)
    assert marked(client.get(retracted.get_absolute_url())) is None  # 410
    assert marked(client.get("/claims/no-such-claim/")) is None  # 404
    assert marked(client.get("/api/v1/claims/no-such-claim/")) is None
    assert marked(client.head(retracted.get_absolute_url())) is None


def test_too_many_keys_become_the_key_every_change_purges(settings):
    settings.EDGE_KEYS_MAX_BYTES = 40
    assert edge.keys_header({"claim:a", "list:claim"}) == "claim:a list:claim"
    assert edge.keys_header({f"claim:slug-{n}" for n in range(10)}) == "public"


def test_the_edge_keeps_nothing_past_midnight(settings):
    settings.EDGE_MAX_AGE = 300
    noon = timezone.make_aware(dt.datetime(2026, 3, 1, 12, 0))
    late = timezone.make_aware(dt.datetime(2026, 3, 1, 23, 58, 20))
    assert edge.max_age(noon) == 300
    assert edge.max_age(late) == 100


# --- Purging ---------------------------------------------------------------------------


class Edge:
    """A loopback HTTP server standing in for one edge: records each PURGE's keys and
    answers `status`."""

    def __init__(self):
        self.status = 200
        self.purged: list[set[str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_PURGE(self):  # noqa: N802 - the method's name
                outer.purged.append(set(self.headers.get("xkey-purge", "").split()))
                self.send_response(outer.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def purged_keys(self) -> set[str]:
        return set().union(*self.purged)


@pytest.fixture
def edges(settings):
    started = [Edge(), Edge()]
    settings.EDGE_PURGE_URLS = [one.url for one in started]
    settings.EDGE_MAX_AGE = 300
    yield started
    for one in started:
        one.server.shutdown()
        one.server.server_close()


def unpurged() -> int:
    return PublicChange.objects.filter(edge_purged_at__isnull=True).count()


def test_each_change_is_purged_from_every_edge_once_both_acknowledge(edges, make_claim):
    claim = make_claim(state=State.PUBLISHED)
    assert unpurged() > 0 and purge.waiting()

    while purge.Purger().step():
        pass

    assert unpurged() == 0 and not purge.waiting()
    for one in edges:
        assert {f"claim:{claim.slug}", "list:claim", "public"} <= one.purged_keys()


def test_an_edge_that_refuses_is_tried_again_until_it_acknowledges(edges, make_claim, staff):
    claim = make_claim(state=State.PUBLISHED)
    purger = purge.Purger()
    while purger.step():
        pass
    edges[1].status = 503
    services.claim_retract(claim=claim, by=staff.editor, note="Retracted: the quote was misread.")
    waiting = unpurged()

    assert waiting and purger.step() is False
    assert unpurged() == waiting  # the other edge acknowledged; the changes wait for both
    assert purger.step() is False  # resting: not sent again at once
    assert len(edges[1].purged) == 2

    edges[1].status = 200
    purger.resting_until = 0  # the rest is over
    assert purger.step() is True
    assert unpurged() == 0
    assert f"claim:{claim.slug}" in edges[1].purged[-1]


def test_an_edge_that_does_not_answer_holds_the_purge(settings, make_claim):
    settings.EDGE_PURGE_URLS = ["http://127.0.0.1:9/"]  # discard: nothing listens
    make_claim(state=State.PUBLISHED)
    waiting = unpurged()
    assert purge.Purger().step() is False
    assert unpurged() == waiting


def test_a_change_older_than_the_edge_keeps_anything_is_marked_without_a_purge(edges, make_claim):
    make_claim(state=State.PUBLISHED)
    PublicChange.objects.update(at=timezone.now() - dt.timedelta(seconds=301))
    edges[0].status = 503

    assert purge.Purger().step() is True
    assert unpurged() == 0
    assert edges[0].purged == []


def test_without_an_edge_the_purger_does_nothing(settings, make_claim):
    settings.EDGE_PURGE_URLS = []
    make_claim(state=State.PUBLISHED)
    assert purge.Purger().step() is False
    assert not purge.waiting()


def test_many_keys_go_in_several_purges_under_the_header_limit():
    keys = {f"claim:a-long-slug-for-a-claim-{n}" for n in range(1000)}
    values = purge.chunks(keys, limit=6000)
    assert all(len(value) <= 6000 for value in values)
    assert set(" ".join(values).split()) == keys


def test_the_process_that_made_a_change_purges_it_when_it_commits(
    edges, make_claim, staff, django_capture_on_commit_callbacks
):
    claim = make_claim(state=State.PUBLISHED)
    while purge.Purger().step():
        pass
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_retract(claim=claim, by=staff.editor, note="Retracted: the quote was misread.")

    assert unpurged() == 0  # nothing left for the worker
    for one in edges:
        assert f"claim:{claim.slug}" in one.purged_keys()


def test_an_edge_that_refuses_at_commit_leaves_the_purge_to_the_worker(
    edges, make_claim, staff, django_capture_on_commit_callbacks
):
    claim = make_claim(state=State.PUBLISHED)
    while purge.Purger().step():
        pass
    edges[0].status = 500
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_retract(claim=claim, by=staff.editor, note="Retracted: the quote was misread.")
    assert unpurged() > 0

    edges[0].status = 200
    assert purge.Purger().step() is True
    assert unpurged() == 0
