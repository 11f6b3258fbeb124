"""Benchmarks: `make bench`.

Builds a throw-away database (SQLite in a temporary folder unless BENCH_DATABASE_URL
is set), loads the seeds plus synthetic records (generate_demo), then times the hot
paths in-process with Django's test client: public lists and pages, search, API lists
(first and deep pages) and the export. Reports median and 95th percentile in
milliseconds and the number of SQL queries per request, and writes artifacts/bench.json.
"""

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
workdir = tempfile.mkdtemp(prefix="tracker-bench-")
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
os.environ["DEBUG"] = "true"  # the dev key; nothing is served to a network
# The bench asks far more than an anonymous partner may; it measures work, not the throttle.
os.environ["API_ANON_RATE"] = "1000000/min"
os.environ["API_EXPORT_RATE"] = "1000000/min"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from tracker.desk import anchoring  # noqa: E402
from tracker.desk.models import Claim, Source  # noqa: E402

CLAIMS = int(os.environ.get("BENCH_CLAIMS", "5000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "15"))


def timed(fn, repeat: int = REPEAT) -> dict:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[int(0.95 * (len(samples) - 1))], 2),
    }


def main() -> None:
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    if (ROOT / "seeds" / "claims.yaml").exists():
        call_command("load_seeds", verbosity=0)
    seeds_ms = (time.perf_counter() - started) * 1000
    call_command("generate_demo", claims=CLAIMS, sources=max(50, CLAIMS // 25), verbosity=0)

    results: dict[str, dict] = {"setup": {"claims": Claim.objects.count(), "load_seeds_ms": round(seeds_ms, 1)}}
    source = Source.objects.filter(slug__startswith="demo-").first()
    lines = source.text.splitlines()
    results["anchor a quote (exact)"] = timed(lambda: anchoring.anchor_quote(source.text, lines[-1]), 200)
    # Doubled spaces force the whitespace-, quote- and dash-tolerant path.
    tolerant = lines[-1].replace(" ", "  ")
    results["anchor a quote (tolerant)"] = timed(lambda: anchoring.anchor_quote(source.text, tolerant), 200)

    claim = Claim.objects.published().order_by("-verdict_published_at").first()
    cursor_probe = Client(raise_request_exception=False).get("/api/v1/claims/")
    deep = "/api/v1/claims/"
    if cursor_probe.status_code == 200 and cursor_probe.headers.get("Content-Type", "").startswith("application/json"):
        body = cursor_probe.json()
        for _ in range(20):  # walk 20 pages in, to time a deep page
            nxt = body.get("next")
            if not nxt:
                break
            deep = nxt.split("testserver", 1)[-1]
            body = Client(raise_request_exception=False).get(deep).json()

    paths = [
        "/",
        "/claims/",
        "/claims/?page=40",
        f"/claims/{claim.slug}/",
        f"/sources/{source.slug}/",
        "/agreements/",
        "/meetings/",
        "/search/?q=critical+minerals+partnership",
        "/api/v1/claims/",
        deep,
        "/api/v1/claims/?updated_since=2025-01-01T00:00:00Z",
        "/api/v1/agreements/",
        "/feeds/verdicts/",
        "/sitemap.xml",
    ]
    client = Client(raise_request_exception=False)
    for path in paths:
        response = client.get(path)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        entry = {"status": response.status_code, "queries": len(queries)}
        if response.status_code == 200:

            def fetch(path=path):
                assert client.get(path).status_code == 200, f"{path} stopped answering 200 while timed"

            entry.update(timed(fetch))
        label = "deep API page (20 pages in)" if path == deep and path != "/api/v1/claims/" else path
        results[label] = entry
        reset_queries()

    width = max(len(k) for k in results)
    print(f"\nBenchmarks on {connection.vendor} with {results['setup']['claims']} claims "
          f"({REPEAT} runs each; load_seeds took {results['setup']['load_seeds_ms']} ms)\n")  # fmt: skip
    print(f"{'what':<{width}}  status  queries  median ms  p95 ms")
    for label, entry in results.items():
        if label == "setup":
            continue
        print(
            f"{label:<{width}}  {entry.get('status', ''):>6}  {entry.get('queries', ''):>7}  "
            f"{entry.get('median_ms', '-'):>9}  {entry.get('p95_ms', '-'):>6}"
        )
    out = ROOT / "artifacts" / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"\nWritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
