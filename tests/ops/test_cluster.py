"""Two app servers behind nginx, sharing one PostgreSQL and one Redis (`make cluster`):
what one server writes, the other shows on the next request; the rate limit is one
count across both; and when one server dies mid-load, nginx hands its requests to
the other so that no reader sees an error.

Marked `cluster` (not part of `make test`): .ci/run runs it as its own step on
PostgreSQL with `pytest -m cluster`. It needs nginx (apt-get install nginx-light).
"""

import json
import shutil
import signal
import threading
import time
from collections import Counter

import opslib
import pytest
import redis
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from tests.conftest import PASSWORD
from tracker.desk import services
from tracker.desk.choices import Stance, State, Verdict

pytestmark = pytest.mark.cluster


@pytest.fixture(scope="module")
def cluster(django_db_setup, django_db_blocker):
    from cluster import Cluster

    if connection.vendor != "postgresql":
        pytest.skip("the cluster shares one PostgreSQL: run with DATABASE_URL=postgres://...")
    from tests.ops.conftest import REDIS_URL, missing

    if not (shutil.which("nginx") or shutil.which("/usr/sbin/nginx")):
        missing("nginx is not installed (make nginx)")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        missing(f"No Redis at {REDIS_URL}")
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    running = Cluster(url, REDIS_URL, API_ANON_RATE="30/min").start()
    try:
        yield running
    finally:
        running.stop()
        print(running.logs()[-6000:])  # shown when a test failed
        shutil.rmtree(running.dir, ignore_errors=True)


@pytest.fixture
def shared_cache(cluster):
    client = redis.Redis.from_url(cluster.env["CACHE_URL"])
    client.flushdb()
    yield client
    client.flushdb()


def test_the_rate_limit_is_one_count_across_both_servers(cluster, shared_cache, transactional_db):
    a, b = opslib.Http(cluster.app_url(0)), opslib.Http(cluster.app_url(1))

    statuses = [server.get("/api/v1/topics/")[0] for _ in range(15) for server in (a, b)]

    assert statuses == [200] * 30
    assert a.get("/api/v1/topics/")[0] == 429
    assert b.get("/api/v1/topics/")[0] == 429


def test_a_verdict_published_through_one_server_shows_on_the_other_at_once(
    cluster, shared_cache, transactional_db, make_claim, make_source, make_staff
):
    quote = services.EvidenceAdd(source=make_source(), quote="Security and Defence", stance=Stance.CONTRADICTS)
    claim = make_claim(state=State.IN_REVIEW, evidence=[quote])
    verifier = make_staff("Verifier", username="cluster-verifier")
    # The suite hashes with MD5 for speed; the servers know only the production hashers.
    verifier.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    verifier.save(update_fields=["password"])
    a, b = opslib.Http(cluster.app_url(0)), opslib.Http(cluster.app_url(1))
    page = f"/claims/{claim.slug}/"
    assert b.get(page)[0] == 404
    assert json.loads(b.get(f"/api/v1/claims/{claim.slug}/")[2])["error"]["code"] == "not_found"

    assert a.sign_in("cluster-verifier", PASSWORD)
    path = f"/admin/desk/claim/{claim.pk}/workflow/publish/"
    status, fields = a.form(path)
    assert status == 200
    published = a.post(
        path,
        {"csrfmiddlewaretoken": fields["csrfmiddlewaretoken"], "verdict": Verdict.INACCURATE, "rationale": "Checked."},
    )
    assert published[0] == 302, published[2][:2000]

    status, _, body = b.get(page)
    assert status == 200
    assert "Inaccurate" in body.decode()
    assert json.loads(b.get(f"/api/v1/claims/{claim.slug}/")[2])["verdict"]["value"] == Verdict.INACCURATE


def test_when_one_server_dies_mid_load_nginx_serves_every_request_from_the_other(cluster, transactional_db):
    """A request nginx had no answer to yet is retried on the other server. One whose
    answer had begun to arrive when its server died cannot be: its status line has gone
    to the reader, and no proxy can take it back; the reader sees the body cut short
    (status 0 here). So a cut answer is allowed only for a request in flight at the
    kill, one per reader at most; an error status (502: nginx did not retry) never."""
    requests: list[tuple[float, float, int]] = []  # (began, ended, status)
    stop = threading.Event()

    def reader():
        http = opslib.Http(cluster.url)
        while not stop.is_set():
            for path in ("/methodology/", "/claims/", "/robots.txt", "/static/css/site.css"):
                began = time.monotonic()
                status = http.get(path)[0]
                requests.append((began, time.monotonic(), status))

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    kill_began = time.monotonic()
    cluster.stop_app(0, signal.SIGKILL)  # no goodbye: in-flight requests are cut
    kill_ended = time.monotonic()
    time.sleep(2.5)
    stop.set()
    for thread in threads:
        thread.join()

    after = Counter(status for began, _, status in requests if began > kill_ended)
    in_flight = Counter(status for began, ended, status in requests if began <= kill_ended and ended >= kill_began)
    before = Counter(status for began, ended, status in requests if ended < kill_began)
    assert before[200] > 10 and set(before) == {200}, before
    assert after[200] > 40 and set(after) == {200}, after
    assert set(in_flight) <= {200, 0}, in_flight
    assert in_flight[0] <= len(threads), in_flight
