"""Benchmarks: `make bench` (docs/benchmarks.md says how to read the table).

1. Builds a benchmark database with the seeds plus `generate_demo` (100,000 claims by
   default), or reuses the one built before with the same generate_demo parameters:
   SQLite in .bench/ by default, PostgreSQL when BENCH_DATABASE_URL is set.
2. Measures in-process, once per address, the SQL queries of a cold (empty cache) and of
   a warm request (Django's CaptureQueriesContext).
3. Starts the production configuration with `make serve` (DEBUG off, static files
   collected, gunicorn as configured there, the Redis cache if CACHE_URL is set), with
   the API's rates lifted and the bare view turned on (BENCH_BARE_VIEW=1, see tracker/bench.py).
4. Times the first, uncached request to each address (cold), then drives each address
   with wrk over loopback (8 connections) and, in the same run, the bare view at the
   same number of bytes. Every timed response must be a 200: each address is checked
   before and after its run, and wrk's own count of error statuses must be zero.
5. Prints a Markdown table and writes artifacts/bench.json, with the peak memory of a
   server worker.

Options: --duration (seconds per address), --quick (a small database and short runs,
to check the harness), --port, --connections. Run `scripts/bench.py --help`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import http.client
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))  # scenarios.py beside this file
PY = sys.executable
LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""
FULL = {"claims": 100_000, "sources": 20_000, "evidence": 200_000, "agreements": 2_000, "meetings": 10_000,
        "people": 2_000}  # fmt: skip
QUICK = {"claims": 2_000, "sources": 400, "evidence": 4_000, "agreements": 60, "meetings": 300, "people": 80}


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


# The database --------------------------------------------------------------------------------


def build_key(shape: dict) -> str:
    """The database's identity: generate_demo's parameters and the code that writes it."""
    code = b"".join((ROOT / "tracker/desk" / name).read_bytes() for name in ("demo.py", "demo_text.py"))
    seeds = b"".join(p.read_bytes() for p in sorted((ROOT / "seeds").rglob("*")) if p.is_file())
    payload = json.dumps(shape, sort_keys=True).encode() + code + seeds
    return hashlib.sha256(payload).hexdigest()[:16]


def django_env(database_url: str, **extra: str) -> dict:
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": database_url, "DEBUG": "false", "SECRET_KEY": env.get("SECRET_KEY") or "bench-" + "k" * 50,
        "SECURE_SSL_REDIRECT": "false", "SECURE_COOKIES": "false", "SECURE_HSTS_SECONDS": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        # The bench asks far more than an anonymous partner may: it measures work, not the throttle.
        "API_ANON_RATE": "100000000/min", "API_PARTNER_RATE": "100000000/min", "API_EXPORT_RATE": "100000000/min",
    })  # fmt: skip
    env.update(extra)
    return env


def manage(env: dict, *args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True)


def stored_key(env: dict) -> str | None:
    probe = (
        "from django.db import connection\n"
        "try:\n"
        "    with connection.cursor() as c:\n"
        "        c.execute('SELECT key FROM bench_build'); print(c.fetchone()[0])\n"
        "except Exception:\n"
        "    print('')\n"
    )
    command = [PY, "manage.py", "shell", "--no-imports", "-c", probe]
    out = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    return out.stdout.strip() or None


def recreate_postgres(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def prepare_database(shape: dict, until: str) -> tuple[str, str, bool]:
    """The benchmark database's URL, its key, and whether it was built now."""
    key = build_key({**shape, "until": until})
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url:
        folder = ROOT / ".bench"
        folder.mkdir(exist_ok=True)
        path = folder / f"bench-{key}.sqlite3"
        url = f"sqlite:///{path}"
        if path.exists() and stored_key(django_env(url)) == key:
            manage(django_env(url), "migrate", "--noinput", "-v0")  # indexes added since the build
            return url, key, False
        for old in folder.glob("bench-*.sqlite3*"):
            old.unlink()
    elif stored_key(django_env(url)) == key:
        manage(django_env(url), "migrate", "--noinput", "-v0")
        return url, key, False
    else:
        recreate_postgres(url)
    env = django_env(url)
    started = time.perf_counter()
    log(f"Building the benchmark database ({shape['claims']} claims); this takes minutes, once.")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_seeds", "-v0")
    manage(env, "generate_demo", "-v2", f"--until={until}", *(f"--{name}={value}" for name, value in shape.items()))
    write_key = (
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('CREATE TABLE bench_build (key varchar(64))')\n"
        f"    c.execute('INSERT INTO bench_build VALUES (%s)', ['{key}'])\n"
    )
    manage(env, "shell", "--no-imports", "-c", write_key)
    if url.startswith("postgres"):
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")  # fresh statistics, as a database in service has
            # Its writes on disk, as a database in service has too: after the build the
            # checkpointer and the kernel spent minutes writing ~1.3 GB back, and the first
            # reads measured meanwhile waited on that (a cold search at 150-260 ms, 60-90 ms
            # once the writes were done).
            conn.execute("CHECKPOINT")
    os.sync()
    log(f"Built in {time.perf_counter() - started:.0f} s.")
    return url, key, True


# What to measure -------------------------------------------------------------------------------


def addresses() -> list[tuple[str, str]]:
    """(label, path) of every page and API endpoint measured, chosen in the database."""
    from tracker.desk.models import Agreement, Claim, Meeting, Person, Source, Topic
    from tracker.public.lists import PER_PAGE
    from tracker.public.sitemaps import ClaimSitemap

    def deep(model) -> int:
        return max(1, min(50, model.objects.published().count() // PER_PAGE))

    def middle(model):
        records = model.objects.published().filter(slug__startswith="demo-").order_by("slug")
        return records[records.count() // 2]

    claim = middle(Claim)
    source, agreement, meeting, person = middle(Source), middle(Agreement), middle(Meeting), middle(Person)
    topic = Topic.objects.get(slug="critical-minerals")
    return [
        ("home", "/"),
        ("claims", "/claims/"),
        ("claims, deep page", f"/claims/?page={deep(Claim)}"),
        ("claims, filtered", f"/claims/?verdict=inaccurate&topic={topic.slug}"),
        ("claims, filtered by party", "/claims/?party=KR"),
        ("sources", "/sources/"),
        ("sources, deep page", f"/sources/?page={deep(Source)}"),
        ("sources, filtered", "/sources/?kind=official&reliability=primary"),
        ("agreements", "/agreements/"),
        ("agreements, deep page", f"/agreements/?page={deep(Agreement)}"),
        ("agreements, filtered", "/agreements/?status=signed&party=KR"),
        ("meetings", "/meetings/"),
        ("meetings, deep page", f"/meetings/?page={deep(Meeting)}"),
        ("meetings, filtered", "/meetings/?format=bilateral&party=JP"),
        ("corrections", "/corrections/"),
        ("claim", claim.get_absolute_url()),
        ("source", source.get_absolute_url()),
        ("agreement", agreement.get_absolute_url()),
        ("meeting", meeting.get_absolute_url()),
        ("person", person.get_absolute_url()),
        ("party", "/parties/KR/"),
        ("topic", topic.get_absolute_url()),
        ("claims filtered by topic", f"/claims/?topic={topic.slug}"),
        ("search", "/search/?q=critical+minerals"),
        ("search, rare words", "/search/?q=lithium+refining+plant+Gyeongju"),
        # In 95% of the demo's documents: every match is ranked (the worst case).
        ("search, a word in nearly every record", "/search/?q=according"),
        ("feed: verdicts", "/feeds/verdicts/"),
        ("feed: corrections", "/feeds/corrections/"),
        ("feed: agreements", "/feeds/agreements/"),
        ("sitemap index", "/sitemap.xml"),
        ("sitemap: claims, first file", "/sitemap-claims.xml"),
        ("sitemap: claims, last file", f"/sitemap-claims.xml?p={ClaimSitemap().paginator.num_pages}"),
        ("methodology (static page)", "/methodology/"),
        ("API claims", "/api/v1/claims/"),
        ("API claims, deep cursor", "DEEP:/api/v1/claims/"),
        ("API claims, filtered", "/api/v1/claims/?verdict=inaccurate&party=KR"),
        ("API claims, search", "/api/v1/claims/?search=critical+minerals"),
        ("API claim", f"/api/v1/claims/{claim.slug}/"),
        ("API sources", "/api/v1/sources/"),
        ("API sources, deep cursor", "DEEP:/api/v1/sources/"),
        ("API sources, search", "/api/v1/sources/?search=lithium"),
        ("API source", f"/api/v1/sources/{source.slug}/"),
        ("API agreements", "/api/v1/agreements/"),
        ("API agreements, filtered", "/api/v1/agreements/?status=signed"),
        ("API agreement", f"/api/v1/agreements/{agreement.slug}/"),
        ("API meetings", "/api/v1/meetings/"),
        ("API meetings, deep cursor", "DEEP:/api/v1/meetings/"),
        # Not ?format=: DRF reads it as the response format (a 404 today; noted in docs/benchmarks.md).
        ("API meetings, filtered", "/api/v1/meetings/?party=JP&topic=trade"),
        ("API meeting", f"/api/v1/meetings/{meeting.slug}/"),
        ("API people", "/api/v1/people/"),
        ("API person", f"/api/v1/people/{person.slug}/"),
        ("API parties", "/api/v1/parties/"),
        ("API party", "/api/v1/parties/KR/"),
        ("API topics", "/api/v1/topics/"),
        ("API topic", f"/api/v1/topics/{topic.slug}/"),
        ("API corrections", "/api/v1/corrections/"),
        ("API tombstones", "/api/v1/tombstones/"),
        ("API changes since a day ago", "/api/v1/claims/?updated_since=SINCE"),
    ]


def admin_pages() -> list[tuple[str, str]]:
    """(label, path) of the desk's admin pages measured: the home, each changelist (with a
    search and a filter where staff use them) and a change page of each kind."""
    from tracker.desk.models import Agreement, Claim, Meeting, Person, Source

    def middle(model) -> int:
        return model.objects.order_by("pk").values_list("pk", flat=True)[model.objects.count() // 2]

    pages = [("desk home", "/admin/"), ("review queue", "/admin/desk/claimforreview/")]
    for name in ("claim", "source", "agreement", "meeting", "person", "evidence", "correction"):
        pages.append((f"{name} list", f"/admin/desk/{name}/"))
    pages += [
        ("claim list, searched", "/admin/desk/claim/?q=critical"),
        ("claim list, published", "/admin/desk/claim/?state__exact=published"),
        ("source list, searched", "/admin/desk/source/?q=lithium"),
        ("new claim", "/admin/desk/claim/add/"),
    ]
    for model in (Claim, Source, Agreement, Meeting, Person):
        name = model._meta.model_name
        pages.append((f"{name} page", f"/admin/desk/{name}/{middle(model)}/change/"))
    return pages


def admin_times(pages: list[tuple[str, str]]) -> list[dict]:
    """In-process render times of the admin pages, signed in as a superuser (made once
    in the benchmark database): the first request with an empty cache, then the next."""
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    user_model = get_user_model()
    user = user_model.objects.filter(username="bench-editor").first() or user_model.objects.create_superuser(
        "bench-editor", "bench@example.org", None
    )
    # As in a server worker (gunicorn.conf.py): its warm-up, then a first request (the
    # process's imports and connection are no page's cost).
    from tracker.warmup import warm_up

    warm_up()
    client = Client()
    client.force_login(user)
    client.get("/admin/jsi18n/")
    rows = []
    for label, path in pages:
        cache.clear()
        times = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(path, secure=False)
                times.append(round((time.perf_counter() - started) * 1000, 1))
        rows.append({"label": label, "path": path, "status": response.status_code, "bytes": len(response.content),
                     "queries": len(queries), "first_ms": times[0], "again_ms": times[1]})  # fmt: skip
    return rows


def admin_table(rows: list[dict]) -> str:
    lines = [
        "| admin page | address | status | bytes | queries | first ms | again ms |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(f"| {r['label']} | `{r['path']}` | {r['status']} | {r['bytes']} | {r['queries']} | "
                     f"{r['first_ms']} | {r['again_ms']} |")  # fmt: skip
    return "\n".join(lines)


def deep_cursor(get, path: str, pages: int) -> str:
    """The address of the page after `pages` pages of 200 (the next link, at the default page size)."""
    url = f"{path}?page_size=200"
    for _ in range(pages):
        status, body = get(url)
        if status != 200:
            raise SystemExit(f"{url} answered {status} while walking to a deep page")
        following = json.loads(body).get("next")
        if not following:
            break
        parts = urllib.parse.urlsplit(following)
        query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if k != "page_size"]
        url = f"{parts.path}?{urllib.parse.urlencode(query)}"
    return url


def query_counts(paths: list[str]) -> dict[str, dict]:
    """Queries of a cold (cache cleared) and of a warm request, in-process, and the cold time."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    out = {}
    for path in paths:
        cache.clear()
        with CaptureQueriesContext(connection) as cold:
            started = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - started
        with CaptureQueriesContext(connection) as warm:
            client.get(path)
        out[path] = {"status": response.status_code, "queries_cold": len(cold), "queries_warm": len(warm),
                     "cold_in_process_ms": round(elapsed * 1000, 1)}  # fmt: skip
    cache.clear()
    return out


# The server and the load ------------------------------------------------------------------------


class Server:
    def __init__(self, env: dict, port: int, logfile: Path):
        self.port, self.logfile = port, logfile
        command = ["make", "--no-print-directory", "-o", ".venv/.installed", "serve", "HOST=127.0.0.1", f"PORT={port}"]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=logfile.open("w"), start_new_session=True
        )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"The server stopped; see {logfile}")
            try:
                if self.get("/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        self.stop()
        raise SystemExit(f"The server did not answer within 3 minutes; see {logfile}")

    def get(self, path: str, timeout: float = 60) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("GET", path, headers={"Host": "127.0.0.1"})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def first_line(self, path: str) -> tuple[int, float]:
        """Status and seconds to the first line of a streamed response (the export's start)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            started = time.perf_counter()
            conn.request("GET", path, headers={"Host": "127.0.0.1"})
            response = conn.getresponse()
            response.readline() if response.status == 200 else response.read()
            return response.status, time.perf_counter() - started
        finally:
            conn.close()

    def processes(self) -> list[int]:
        """The server's processes (make, gunicorn's master and workers), by parent."""
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                children.setdefault(int(fields[1]), []).append(int(entry.name))
        found, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo += children.get(pid, [])
        return [pid for pid in found if not children.get(pid)]  # the leaves: the workers

    def peak_rss_mb(self) -> float:
        peak = 0
        for pid in self.processes():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
            except OSError:
                continue
        return round(peak / 1024, 1)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def wrk(url: str, *, seconds: float, connections: int, script: Path, headers: tuple[str, ...] = ()) -> dict:
    threads = min(2, connections)
    extra = [arg for header in headers for arg in ("-H", header)]
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
         "-s", str(script), "-H", "Host: 127.0.0.1", *extra, url],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    line = next(line for line in out.stdout.splitlines() if line.startswith("BENCH_JSON "))
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    errors = {k: raw[k] for k in ("connect", "read", "write", "status", "timeout") if raw[k]}
    if not raw["requests"]:
        # Every request took longer than the run: no latency to report, only that bound.
        slower = f"> {seconds * 1000:.0f}"
        return {"rps": 0.0, "p50_ms": slower, "p95_ms": slower, "p99_ms": slower, "requests": 0, "errors": errors}
    return {
        "rps": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p95_ms": round(raw["p95_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "requests": raw["requests"],
        "errors": errors,
    }


# The report ---------------------------------------------------------------------------------------


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal"))  # fmt: skip
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gb": round(mem / 1024 / 1024, 1),
            "load_average_at_start": os.getloadavg()}  # fmt: skip


def table(rows: list[dict]) -> str:
    head = ("| what | address | bytes | queries cold/warm | cold ms | req/s | p50 ms | p95 ms | bare req/s | "
            "% of bare |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")  # fmt: skip
    lines = [head]
    for r in rows:
        path = r["path"] if len(r["path"]) <= 48 else r["path"][:45] + "…"
        if r.get("failed"):
            lines.append(f"| {r['label']} | `{path}` | | | | **{r['failed']}** | | | | |")
            continue
        load, bare = r.get("load", {}), r.get("bare", {})
        ratio = f"{100 * load['rps'] / bare['rps']:.1f}" if load.get("rps") and bare.get("rps") else ""
        lines.append(
            f"| {r['label']} | `{path}` | {r.get('bytes', '')} | {r.get('queries_cold', '')}/"
            f"{r.get('queries_warm', '')} | {r.get('cold_ms', '')} | {load.get('rps', '')} | "
            f"{load.get('p50_ms', '')} | {load.get('p95_ms', '')} | {bare.get('rps', '')} | {ratio} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--duration",
        type=float,
        default=float(os.environ.get("BENCH_DURATION", 3)),
        help="seconds of load per address (default 3), and as long again for its bare view",
    )
    parser.add_argument("--quick", action="store_true", default=os.environ.get("BENCH_QUICK") == "1",
                        help="a small database and 1-second runs: checks that the harness works")  # fmt: skip
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", 8100)))
    parser.add_argument("--build-only", action="store_true", help="build (or find) the database, then stop")
    parser.add_argument("--only", default="", help="measure only addresses whose label contains this")
    parser.add_argument(
        "--scenarios",
        action="store_true",
        help="only the three scenarios (crawl, hot addresses while staff edit) beside the bare view",
    )
    parser.add_argument("--crawl", type=int, default=40_000, help="addresses in the crawl scenario's list")
    parser.add_argument("--crawl-seconds", type=float, default=40, help="how long the crawl runs")
    parser.add_argument("--admin-only", action="store_true",
                        help="only the admin pages' render times (in-process, no server)")  # fmt: skip
    for name, value in FULL.items():
        parser.add_argument(f"--{name}", type=int, default=None, help=f"generate_demo --{name} (default {value})")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `apt-get install wrk` (make bench does it).")
    shape = {name: getattr(args, name) or (QUICK if args.quick else FULL)[name] for name in FULL}
    duration = 1 if args.quick else args.duration
    warmup = 0.5 if args.quick else 1
    until = dt.date.today().replace(day=1).isoformat()  # the record's last day: reused all month

    url, key, built = prepare_database(shape, until)
    if args.build_only:
        log(f"Benchmark database ready: {url} ({'built now' if built else 'reused'}).")
        return 0
    extra = {"CACHE_URL": os.environ["CACHE_URL"]} if os.environ.get("CACHE_URL") else {}
    env = django_env(url, BENCH_BARE_VIEW="1", **extra)
    # The in-process passes below render pages with DEBUG off, as the server does, so they
    # need the collected files' manifest that `make serve` writes (a clean checkout has none).
    manage(env, "collectstatic", "--noinput", "-v0")
    os.environ.update({k: v for k, v in env.items() if k != "BENCH_BARE_VIEW"})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    vendor = connection.vendor
    if args.scenarios:
        return run_scenarios(args, env, vendor, shape)
    admin_rows = admin_times(admin_pages()) if args.admin_only or not args.only else []
    if args.admin_only:
        print(f"\n## {vendor}, admin pages\n\n{admin_table(admin_rows)}")
        return 1 if any(r["status"] != 200 for r in admin_rows) else 0
    connection.close()
    chosen = [(label, path) for label, path in addresses() if args.only.lower() in label.lower()]
    since = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    workdir = Path(tempfile.mkdtemp(prefix="tracker-bench-"))
    script = workdir / "bench.lua"
    script.write_text(LUA)
    log(f"Starting the server (make serve) on port {args.port}; log in {workdir / 'server.log'}")
    server = Server(env, args.port, workdir / "server.log")
    rows: list[dict] = []
    try:
        resolved = []
        for label, path in chosen:
            if path.startswith("DEEP:"):
                path = deep_cursor(server.get, path.removeprefix("DEEP:"), pages=2 if args.quick else 10)
            resolved.append((label, path.replace("SINCE", since)))
        connection.close()
        counts = query_counts([path for _label, path in resolved])
        from django.core.cache import cache

        cache.clear()  # the HTTP cold pass starts from an empty shared cache
        connection.close()
        server.stop()
        server = Server(env, args.port, workdir / "server.log")  # and empty per-process caches
        for _ in range(20):  # the workers' first requests (imports, connections) are not any page's cost
            server.get("/robots.txt")
        for label, path in resolved:
            started = time.perf_counter()
            status, body = server.get(path)
            rows.append({"label": label, "path": path, "cold_ms": round((time.perf_counter() - started) * 1000, 1),
                         "status": status, "bytes": len(body), **counts.get(path, {})})  # fmt: skip
        status, seconds = server.first_line("/api/v1/export/")
        export = {"label": "API export, time to its first line", "path": "/api/v1/export/", "status": status}
        bare_cache: dict[int, dict] = {}
        for row in rows:
            if row["status"] != 200:
                row["failed"] = f"answered {row['status']}"
                continue
            target = f"http://127.0.0.1:{args.port}{row['path']}"
            wrk(target, seconds=warmup, connections=args.connections, script=script)
            row["load"] = wrk(target, seconds=duration, connections=args.connections, script=script)
            after, _ = server.get(row["path"])
            if row["load"]["errors"] or after != 200:
                row["failed"] = f"errors under load: {row['load']['errors']}, then {after}"
                continue
            size = row["bytes"]
            if size not in bare_cache:
                bare = f"http://127.0.0.1:{args.port}/_bench/bare/{size}"
                status, body = server.get(f"/_bench/bare/{size}")
                if status != 200 or len(body) != size:
                    raise SystemExit(f"The bare view answered {status} with {len(body)} bytes, not {size}")
                wrk(bare, seconds=warmup, connections=args.connections, script=script)
                bare_cache[size] = wrk(bare, seconds=duration, connections=args.connections, script=script)
            row["bare"] = bare_cache[size]
            log(f"{row['label']:<45} {row['load']['rps']:>8} req/s  p95 {row['load']['p95_ms']!s:>8} ms  "
                f"bare {row['bare']['rps']:>8} req/s")  # fmt: skip
        samples = []
        for _ in range(3 if args.quick else 10):
            status, seconds = server.first_line("/api/v1/export/")
            if status != 200:
                export["failed"] = f"answered {status}"
                break
            samples.append(seconds * 1000)
        if samples:
            samples.sort()
            export.update({"first_line_p50_ms": round(statistics.median(samples), 1),
                           "first_line_p95_ms": round(samples[int(0.95 * (len(samples) - 1))], 1)})  # fmt: skip
        peak = server.peak_rss_mb()
    finally:
        server.stop()

    result = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "database": vendor,
        "cache": os.environ.get("CACHE_URL", "locmem://"),
        "shape": shape,
        "database_built_now": built,
        "duration_s": duration,
        "connections": args.connections,
        "server": "make serve (see the Makefile)",
        "git": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip(),  # fmt: skip
        "peak_worker_rss_mb": peak,
        "export": export,
        "rows": rows,
        "admin": admin_rows,
    }
    out = ROOT / "artifacts" / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    m = result["machine"]
    print(f"\n## {vendor}, {shape['claims']:,} claims, {result['date']}\n")
    print(f"{m['nproc']} CPUs ({m['cpu']}), {m['ram_gb']} GB RAM, load average at start {m['load_average_at_start']}; "
          f"wrk, {args.connections} connections, {duration:g} s per address; cache {result['cache']}.\n")  # fmt: skip
    print(table(rows))
    if "failed" in export:
        print(f"\nExport: **{export['failed']}**")
    else:
        print(f"\nExport (`/api/v1/export/`), time to its first line: p50 {export.get('first_line_p50_ms')} ms, "
              f"p95 {export.get('first_line_p95_ms')} ms.")  # fmt: skip
    print(f"Peak RSS of a server worker: {peak} MB.")
    if admin_rows:
        print(f"\nAdmin pages, in-process, signed in:\n\n{admin_table(admin_rows)}")
    print(f"Written to {out.relative_to(ROOT)}.")
    failed = [r for r in rows if r.get("failed")] + ([export] if "failed" in export else [])
    failed += [r for r in admin_rows if r["status"] != 200]
    return 1 if failed else 0


def run_scenarios(args, env: dict, vendor: str, shape: dict) -> int:
    """The scenarios of scripts/scenarios.py against `make serve`, each beside the bare view."""
    import scenarios
    from django.db import connection

    workdir = Path(tempfile.mkdtemp(prefix="tracker-scenarios-"))
    script = workdir / "bench.lua"
    script.write_text(LUA)
    connection.close()
    log(f"Starting the server (make serve) on port {args.port}; log in {workdir / 'server.log'}")
    server = Server(env, args.port, workdir / "server.log")
    try:
        for _ in range(20):
            server.get("/robots.txt")

        def bare(size: int, connections: int) -> dict:
            url = f"http://127.0.0.1:{args.port}/_bench/bare/{size}"
            wrk(url, seconds=1, connections=connections, script=script)
            return wrk(url, seconds=args.duration, connections=connections, script=script)

        results = scenarios.run(f"http://127.0.0.1:{args.port}", workdir, bare, seconds=args.duration,
                                crawl_limit=args.crawl, crawl_seconds=args.crawl_seconds)  # fmt: skip
    finally:
        server.stop()
    server_config = f"make serve, WORKERS={os.environ.get('WORKERS', 3)} THREADS={os.environ.get('THREADS', 1)}"
    result = {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "machine": machine(),
              "database": vendor, "cache": os.environ.get("CACHE_URL", "locmem://"), "shape": shape,
              "server": server_config, "duration_s": args.duration, "results": results}  # fmt: skip
    out = ROOT / "artifacts" / f"scenarios-{vendor}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    m = result["machine"]
    print(f"\n## Scenarios: {vendor}, {shape['claims']:,} claims, {result['date']}\n")
    print(f"{m['nproc']} CPUs, load average at start {m['load_average_at_start']}; {server_config}; "
          f"cache {result['cache']}; {args.duration:g} s per run.\n")  # fmt: skip
    print(scenarios.table(results))
    print(f"Written to {out.relative_to(ROOT)}.")
    return 1 if any(row["load"]["errors"] for row in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
