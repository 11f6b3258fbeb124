"""The edge cache (Varnish, deploy/varnish/tracker.vcl) in front of the cluster: public
pages are answered from it, a correction shows through it within a second of its
commit, a retraction is gone from it once its purge is acknowledged, and what belongs
to one person (a session, an API key, the desk) passes straight through.

Marked `cluster` (not part of `make test`): .ci/run runs it beside test_cluster.py on
PostgreSQL. It needs nginx, Varnish and varnish-modules (`make cluster` installs them).
"""

import http.client
import shutil
import time

import opslib
import pytest
import redis
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from tests.conftest import PASSWORD
from tracker.desk import services
from tracker.desk.choices import State
from tracker.desk.models import PublicChange
from tracker.desk.roles import EDITOR

pytestmark = pytest.mark.cluster


@pytest.fixture(scope="module")
def edge_cluster(django_db_setup, django_db_blocker):
    from cluster import Cluster

    if connection.vendor != "postgresql":
        pytest.skip("the cluster shares one PostgreSQL: run with DATABASE_URL=postgres://...")
    from tests.ops.conftest import REDIS_URL, missing

    for program, package in (("nginx", "nginx-light"), ("varnishd", "varnish varnish-modules")):
        if not (shutil.which(program) or shutil.which(f"/usr/sbin/{program}")):
            missing(f"{program} is not installed (apt-get install {package})")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        missing(f"No Redis at {REDIS_URL}")
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    # The worker looks for changes to purge often, as production's does (the default).
    running = Cluster(url, REDIS_URL, edge=True, worker=True, EDGE_MAX_AGE=300).start()
    try:
        yield running
    finally:
        running.stop()
        print(running.logs()[-6000:])  # shown when a test failed
        shutil.rmtree(running.dir, ignore_errors=True)


def get(cluster, path: str, **headers):
    status, response_headers, body = opslib.Http(cluster.edge_url, timeout=5).get(path, **headers)
    return status, {name.lower(): value for name, value in response_headers.items()}, body.decode("utf-8", "replace")


def until(predicate, seconds: float, interval: float = 0.01):
    """Poll `predicate` until it is true; how long that took (None: not within `seconds`)."""
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        if predicate():
            return time.monotonic() - began
        time.sleep(interval)
    return None


def all_purged() -> bool:
    return not PublicChange.objects.filter(edge_purged_at__isnull=True).exists()


def test_a_public_page_is_answered_by_the_edge_and_a_correction_shows_within_a_second(
    edge_cluster, transactional_db, make_claim, make_staff
):
    claim = make_claim(state=State.PUBLISHED, rationale="The first rationale.")
    other = make_claim(state=State.PUBLISHED)
    assert until(all_purged, 10) is not None
    page = claim.get_absolute_url()
    for path in (page, other.get_absolute_url()):
        assert get(edge_cluster, path)[1]["x-cache"] == "MISS"
    status, headers, body = get(edge_cluster, page)
    assert (status, headers["x-cache"]) == (200, "HIT")
    assert headers["x-request-id"].startswith("edge-")  # not the id of the request that rendered it
    assert "The first rationale." in body
    # Readers see neither the keys nor the version, and revalidate as before.
    assert "xkey" not in headers and "x-public-version" not in headers
    assert headers["cache-control"] == "public, no-cache, max-age=0"

    services.claim_correct(
        claim=claim, by=make_staff(EDITOR), note="We misread the date.", verdict=claim.verdict,
        rationale="The corrected rationale.",
    )  # fmt: skip
    committed = time.monotonic()
    shown = until(lambda: "The corrected rationale." in get(edge_cluster, page)[2], 5)
    delay = time.monotonic() - committed if shown is not None else None

    assert delay is not None and delay < 1.0, delay
    # Only what the correction touched was dropped: the other claim's page is still kept.
    assert get(edge_cluster, other.get_absolute_url())[1]["x-cache"] == "HIT"
    assert "We misread the date." in get(edge_cluster, "/corrections/")[2]


def test_a_retraction_is_gone_from_the_edge_on_the_next_request_after_its_purge(
    edge_cluster, transactional_db, make_claim, staff
):
    claim = make_claim(state=State.PUBLISHED)
    assert until(all_purged, 10) is not None
    page = claim.get_absolute_url()
    for _ in range(2):
        get(edge_cluster, page), get(edge_cluster, "/claims/"), get(edge_cluster, f"/api/v1/claims/{claim.slug}/")
    assert get(edge_cluster, page)[1]["x-cache"] == "HIT"
    assert get(edge_cluster, f"/api/v1/claims/{claim.slug}/")[1]["x-cache"] == "HIT"
    assert claim.statement in get(edge_cluster, "/claims/")[2]

    services.claim_retract(claim=claim, by=staff.editor, note="Retracted: the quote was misread.")
    assert until(all_purged, 5) is not None

    assert get(edge_cluster, page)[0] == 410
    assert claim.statement not in get(edge_cluster, "/claims/")[2]
    assert get(edge_cluster, f"/api/v1/claims/{claim.slug}/")[0] == 404


def test_a_retraction_made_at_the_desk_is_gone_from_the_edge_when_the_desk_answers(
    edge_cluster, transactional_db, make_claim, make_staff
):
    """The editor's own request purges the edge on commit, before it answers: the very
    next request through the edge, made without waiting for the worker, finds it gone."""
    claim = make_claim(state=State.PUBLISHED)
    editor = make_staff(EDITOR, username="edge-editor")
    # The suite hashes with MD5 for speed; the servers know only the production hashers.
    editor.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    editor.save(update_fields=["password"])
    assert until(all_purged, 10) is not None
    page = claim.get_absolute_url()
    get(edge_cluster, page)
    assert get(edge_cluster, page)[1]["x-cache"] == "HIT"

    desk = opslib.Http(edge_cluster.app_url(0))
    assert desk.sign_in("edge-editor", PASSWORD)
    path = f"/admin/desk/claim/{claim.pk}/workflow/retract/"
    status, fields = desk.form(path)
    assert status == 200
    opslib.stop_process(edge_cluster.worker)  # no help from the worker: the desk's request alone
    try:
        answer = desk.post(path, {"csrfmiddlewaretoken": fields["csrfmiddlewaretoken"], "note": "Misread."})
        assert answer[0] == 302, answer[2][:2000]

        assert get(edge_cluster, page)[0] == 410
        assert all_purged()
    finally:
        edge_cluster.start_worker()


def test_signed_in_staff_api_keys_and_the_desk_pass_through(edge_cluster, transactional_db, make_claim):
    claim = make_claim(state=State.PUBLISHED)
    assert until(all_purged, 15) is not None  # the purges of its publication are done
    page = claim.get_absolute_url()
    get(edge_cluster, page)
    assert get(edge_cluster, page)[1]["x-cache"] == "HIT"

    for headers in ({"Cookie": "sessionid=abc"}, {"Cookie": "a=1; csrftoken=x"}, {"Authorization": "Api-Key x.y"}):
        assert get(edge_cluster, page, **headers)[1]["x-cache"] == "PASS", headers
    assert get(edge_cluster, "/admin/login/")[1]["x-cache"] == "PASS"
    # A cookie that is none of ours changes nothing: the reader is served the kept page.
    assert get(edge_cluster, page, Cookie="theme=dark")[1]["x-cache"] == "HIT"
    # Straight from an app server, a signed-in reader's answer is not marked for the edge.
    status, headers, _ = opslib.Http(edge_cluster.app_url(0)).get(page, Cookie="sessionid=abc")
    assert status == 200 and "xkey" not in {name.lower() for name in headers}


def test_a_purge_without_keys_is_refused(edge_cluster):
    conn = http.client.HTTPConnection("127.0.0.1", edge_cluster.edge_port, timeout=5)
    try:
        conn.request("PURGE", "/")
        assert conn.getresponse().status == 400
    finally:
        conn.close()
