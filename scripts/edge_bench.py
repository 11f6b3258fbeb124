"""`make edge-bench`: a viral claim through the edge cache, and how long a correction
takes to show there (docs/benchmarks.md, "Edge").

Starts the cluster with its edge (scripts/cluster.py: Varnish -> nginx -> two app
servers, and the worker that purges), on DATABASE_URL when it is PostgreSQL (it
corrects one published claim there, EDGE_CORRECTIONS times: use a bench or throw-away
database), else on a throw-away PostgreSQL loaded with the seeds. Then, with wrk at
EDGE_CONNECTIONS (64) connections on the newest published claim's page for
EDGE_SECONDS (10) each:

1. through the edge, the desk quiet;
2. through nginx to the app servers themselves (their own response cache answers);
3. through the edge again while an editor corrects the claim every EDGE_INTERVAL
   (1.5) seconds: each correction's delay, from the return of the service (its commit) to
   the first answer through the edge that shows it, polled every 5 ms.

wrk asks as browsers do (`Accept-Encoding: gzip`), for both. Writes
artifacts/edge-bench.json and prints a Markdown summary. The machine's load at
the start is in the report: on a shared machine, measure when it is quiet.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project, for Django

import opslib  # noqa: E402
from bench import LUA, wrk  # noqa: E402
from cluster import Cluster, redis_urls, throwaway_postgres  # noqa: E402

SECONDS = float(os.environ.get("EDGE_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("EDGE_CONNECTIONS", "64"))
CORRECTIONS = int(os.environ.get("EDGE_CORRECTIONS", "5"))
INTERVAL = float(os.environ.get("EDGE_INTERVAL", "1.5"))
# As every browser asks: the edge keeps the page compressed and sends it as it is.
HEADERS = ("Accept-Encoding: gzip",)


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    os.environ.setdefault("SECRET_KEY", "edge-bench-loopback-only-" + "k" * 40)
    os.environ["DEBUG"] = "false"
    import django

    django.setup()


def hot_claim_and_editor():
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from tracker.desk.models import Claim
    from tracker.desk.roles import EDITOR, sync_roles

    if not Group.objects.filter(name=EDITOR).exists():
        sync_roles(apps)
    editor, _ = get_user_model().objects.get_or_create(username="edge-bench-editor", defaults={"is_staff": True})
    editor.groups.add(Group.objects.get(name=EDITOR))
    claim = Claim.objects.published().order_by("-verdict_published_at", "-pk").first()
    if claim is None:
        raise SystemExit("No published claim to read: load the seeds first.")
    return claim, editor


def correct(claim, editor, n: int) -> str:
    from tracker.desk import services
    from tracker.desk.models import Claim

    claim = Claim.objects.get(pk=claim.pk)
    marker = f"Rechecked for the edge benchmark, pass {n} at {time.time():.3f}."
    rationale = f"{claim.rationale.split(' Rechecked for the edge benchmark')[0]} {marker}"
    services.claim_correct(claim=claim, by=editor, note=f"Edge benchmark: {marker}", verdict=claim.verdict,
                           rationale=rationale)  # fmt: skip
    return marker


def visible_after(http: opslib.Http, path: str, marker: str, began: float, limit: float = 10.0) -> float | None:
    while time.monotonic() - began < limit:
        status, _, body = http.get(path)
        if status == 200 and marker.encode() in body:
            return time.monotonic() - began
        time.sleep(0.005)
    return None


def main() -> int:
    cleanup: list = []
    cluster = None
    report: dict = {"load_average_at_start": os.getloadavg(), "nproc": os.cpu_count(), "seconds": SECONDS,
                    "connections": CONNECTIONS}  # fmt: skip
    try:
        database_url = os.environ.get("DATABASE_URL", "")
        if not database_url.startswith("postgres"):
            database_url = throwaway_postgres(cleanup, opslib.PORT_BASE + 40).url
        cache_url, rates_url = redis_urls(cleanup, opslib.PORT_BASE + 41)
        setup_django(database_url)
        claim, editor = hot_claim_and_editor()
        path = claim.get_absolute_url()
        report["page"] = path
        # The bench's own rate would be refused by the API's limits; the page has none.
        cluster = Cluster(database_url, cache_url, rates_url=rates_url, worker=True, edge=True).start()
        log(f"Varnish {cluster.edge_url} -> nginx {cluster.url} -> two app servers; {path}")
        script = Path(tempfile.mkdtemp(prefix="edge-bench-")) / "bench.lua"
        script.write_text(LUA)
        edge_url, app_url = cluster.edge_url + path, cluster.url + path
        for url in (edge_url, app_url):  # warm: each app worker has the page, the edge has it
            wrk(url, seconds=2, connections=8, script=script, headers=HEADERS)

        report["edge"] = wrk(edge_url, seconds=SECONDS, connections=CONNECTIONS, script=script, headers=HEADERS)
        log(f"edge, quiet: {report['edge']}")
        report["app_servers"] = wrk(app_url, seconds=SECONDS, connections=CONNECTIONS, script=script, headers=HEADERS)
        log(f"app servers (through nginx): {report['app_servers']}")

        # Corrections while the claim is read through the edge.
        duration = max(SECONDS, CORRECTIONS * INTERVAL + 2)
        result: dict = {}

        def loaded() -> None:
            result.update(wrk(edge_url, seconds=duration, connections=CONNECTIONS, script=script, headers=HEADERS))

        load = threading.Thread(target=loaded)
        load.start()
        time.sleep(1)
        delays = []
        reader = opslib.Http(cluster.edge_url, timeout=5)
        for n in range(CORRECTIONS):
            marker = correct(claim, editor, n)
            delay = visible_after(reader, path, marker, time.monotonic())
            delays.append(round(delay * 1000, 1) if delay is not None else None)
            log(f"correction {n + 1}: visible through the edge after {delays[-1]} ms")
            time.sleep(max(0.0, INTERVAL - (delay or 0)))
        load.join()
        report["edge_with_corrections"] = result
        report["correction_visible_ms"] = delays
        shown = [delay for delay in delays if delay is not None]
        report["correction_visible_max_ms"] = max(shown) if len(shown) == len(delays) else None
        report["correction_visible_median_ms"] = statistics.median(shown) if shown else None
    finally:
        if cluster is not None:
            cluster.stop()
        for step in reversed(cleanup):
            step()

    edge, app = report["edge"], report["app_servers"]
    ratio = edge["rps"] / app["rps"] if app["rps"] else float("inf")
    report["edge_over_app_servers"] = round(ratio, 1)
    artifacts = opslib.ROOT / "artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "edge-bench.json").write_text(json.dumps(report, indent=2) + "\n")
    loaded = report["edge_with_corrections"]
    print(
        f"| {report['page']} at {CONNECTIONS} connections, {SECONDS:g} s | req/s | p50 ms | p95 ms | p99 ms |\n"
        f"|---|---:|---:|---:|---:|\n"
        f"| through the edge (Varnish) | {edge['rps']:,.0f} | {edge['p50_ms']} | {edge['p95_ms']} |"
        f" {edge['p99_ms']} |\n"
        f"| the app servers (nginx, 2 x 2 gunicorn workers) | {app['rps']:,.0f} | {app['p50_ms']} | {app['p95_ms']} |"
        f" {app['p99_ms']} |\n"
        f"| through the edge, a correction every {INTERVAL:g} s | {loaded['rps']:,.0f} | {loaded['p50_ms']} |"
        f" {loaded['p95_ms']} | {loaded['p99_ms']} |\n\n"
        f"Edge / app servers: {ratio:.1f}x. A correction visible through the edge after (ms): "
        f"{', '.join(str(d) for d in report['correction_visible_ms'])}. "
        f"Load average at the start: {', '.join(f'{x:.2f}' for x in report['load_average_at_start'])} "
        f"({report['nproc']} cores)."
    )
    ok = (
        ratio >= 10
        and edge["p95_ms"] < 20
        and report["correction_visible_max_ms"] is not None
        and report["correction_visible_max_ms"] < 1000
        and not edge["errors"]
        and not app["errors"]
    )
    return 0 if ok else 1


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    sys.exit(main())
