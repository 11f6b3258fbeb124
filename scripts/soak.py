"""`make soak`: sustained mixed traffic through nginx and two app servers, with the
database restarted in the middle. Loopback only, bounded in time.

- readers: anonymous GETs of the public pages (lists, records, search, feeds);
- partners: API lists with their own keys;
- staff: editors signed in to the admin, each saving edits to its own topic through
  the real change form (CSRF token, POST, the services behind it), one edit at a time;
  an edit that fails is read back and re-sent only if it did not land.

Everything runs on a PostgreSQL cluster of its own (never DATABASE_URL's) that is
stopped for SOAK_OUTAGE_SECONDS in the middle, and on CACHE_URL's Redis or one of its
own. The report: requests and errors by status for each kind of client, latencies,
the outage window (database down, and as clients saw it), log lines written, and the
edit check: every acknowledged edit is in the history exactly once, none twice.
Written to artifacts/soak.json too. Exits 1 if an edit was lost or doubled, or any
request got a 500.

    SOAK_SECONDS=60 SOAK_OUTAGE_SECONDS=8 SOAK_READERS=6 SOAK_PARTNERS=2 SOAK_STAFF=2 make soak
"""

import json
import os
import random
import secrets
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import opslib  # noqa: E402
from cluster import Cluster, redis_url, throwaway_postgres  # noqa: E402

SECONDS = float(os.environ.get("SOAK_SECONDS", "60"))
OUTAGE_SECONDS = float(os.environ.get("SOAK_OUTAGE_SECONDS", "8"))
READERS = int(os.environ.get("SOAK_READERS", "6"))
PARTNERS = int(os.environ.get("SOAK_PARTNERS", "2"))
STAFF = int(os.environ.get("SOAK_STAFF", "2"))
PORT_BASE = opslib.PORT_BASE + 50  # nginx 8350, app servers 8351-8352, PostgreSQL 8360, Redis 8361


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.failures: list[tuple[float, str, int]] = []  # (time, kind, status) of every non-2xx/3xx/404/429

    def record(self, kind: str, status: int, started: float) -> None:
        elapsed = time.monotonic() - started
        with self.lock:
            self.statuses[kind][status] += 1
            self.latencies[kind].append(elapsed * 1000)
            if status == 0 or status >= 500:
                self.failures.append((time.monotonic(), kind, status))


def setup_records(database_url: str) -> dict:
    """Staff logins, partner keys and one topic per editor, made through the services."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    os.environ.setdefault("SECRET_KEY", "soak-loopback-only-" + "k" * 40)
    os.environ["DEBUG"] = "false"
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from rest_framework_api_key.models import APIKey

    from tracker.desk import services
    from tracker.desk.models import Claim, Topic
    from tracker.desk.roles import EDITOR

    staff = []
    for n in range(STAFF):
        password = secrets.token_urlsafe(16)
        user = get_user_model().objects.create_user(f"soak-editor-{n}", password=password, is_staff=True)
        user.groups.add(Group.objects.get(name=EDITOR))
        topic = services.record_create(
            model=Topic, by=user, fields={"slug": f"soak-topic-{n}", "name": f"Soak topic {n}"}, links={}, rows={}
        )
        staff.append({"username": user.username, "password": password, "topic": topic.pk})
    keys = [APIKey.objects.create_key(name=f"Soak partner {n}")[1] for n in range(PARTNERS)]
    claims = list(Claim.objects.published().values_list("slug", flat=True)[:20])
    return {"staff": staff, "keys": keys, "claims": claims}


def reader(base: str, stats: Stats, stop: threading.Event, claims: list[str]) -> None:
    http = opslib.Http(base)
    pages = ["/", "/claims/", "/sources/", "/agreements/", "/meetings/", "/corrections/", "/methodology/"]
    pages += ["/search/?q=korea", "/feeds/verdicts/", "/robots.txt", "/static/css/site.css"]
    pages += [f"/claims/{slug}/" for slug in claims]
    while not stop.is_set():
        started = time.monotonic()
        status = http.get(random.choice(pages))[0]
        stats.record("reader", status, started)


def partner(base: str, key: str, stats: Stats, stop: threading.Event) -> None:
    http = opslib.Http(base)
    lists = ["/api/v1/claims/?page_size=50", "/api/v1/agreements/", "/api/v1/sources/", "/api/v1/corrections/"]
    while not stop.is_set():
        started = time.monotonic()
        status = http.get(random.choice(lists), Authorization=f"Api-Key {key}")[0]
        stats.record("partner", status, started)
        time.sleep(0.05)


def editor(base: str, account: dict, stats: Stats, stop: threading.Event, edits: dict) -> None:
    """Saves "Soak topic <n> edit <k>" for k = 1, 2, ...; each acknowledged once."""
    http = opslib.Http(base)
    while not stop.is_set() and not http.sign_in(account["username"], account["password"]):
        time.sleep(1)
    path = f"/admin/desk/topic/{account['topic']}/change/"
    number = 0
    while not stop.is_set():
        number += 1
        token = f"Soak topic {account['topic']} edit {number}"
        edits["sent"].append(token)
        while not stop.is_set():
            started = time.monotonic()
            status, fields = http.form(path)
            stats.record("staff-read", status, started)
            if status != 200:
                time.sleep(1)
                continue
            if fields.get("name") == token:  # the last try landed though its answer was lost
                edits["acknowledged"].append(token)
                edits["landed_unanswered"] += 1
                break
            fields.update(name=token, _save="Save")
            started = time.monotonic()
            status, _, _ = http.post(path, fields)
            stats.record("staff-save", status, started)
            if status == 302:
                edits["acknowledged"].append(token)
                break
            time.sleep(1)  # 503 and Retry-After: a person would wait a moment and try again
        time.sleep(0.2)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return round(ordered[int(fraction * (len(ordered) - 1))], 1) if ordered else 0.0


def main() -> int:
    cleanup: list = []
    cluster = None
    try:
        pg = throwaway_postgres(cleanup, PORT_BASE + 10)
        cache_url = redis_url(cleanup, PORT_BASE + 11)
        records = setup_records(pg.url)
        from django.db import connections

        connections.close_all()
        cluster = Cluster(pg.url, cache_url, port_base=PORT_BASE).start()
        import redis

        redis.Redis.from_url(cache_url).flushdb()  # fresh throttle counts
        stats, stop = Stats(), threading.Event()
        edits = {"sent": [], "acknowledged": [], "landed_unanswered": 0}
        threads = [
            threading.Thread(target=reader, args=(cluster.url, stats, stop, records["claims"])) for _ in range(READERS)
        ]
        threads += [threading.Thread(target=partner, args=(cluster.url, key, stats, stop)) for key in records["keys"]]
        threads += [
            threading.Thread(target=editor, args=(cluster.url, account, stats, stop, edits))
            for account in records["staff"]
        ]
        print(
            f"Soak: {SECONDS:.0f} s through {cluster.url}; the database stops for {OUTAGE_SECONDS:.0f} s midway.",
            flush=True,
        )
        started = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(max(0.0, SECONDS / 2 - OUTAGE_SECONDS / 2))
        down_at = time.monotonic()
        pg.stop("fast")
        time.sleep(OUTAGE_SECONDS)
        pg.start()
        up_at = time.monotonic()
        time.sleep(max(0.0, SECONDS - (time.monotonic() - started)))
        stop.set()
        for thread in threads:
            thread.join(30)
        duration = time.monotonic() - started

        # The edit check, read straight from the database.
        connections.close_all()
        from tracker.desk.models import Topic

        history = Counter(Topic.history.filter(name__startswith="Soak topic ").values_list("name", flat=True))
        acknowledged = edits["acknowledged"]
        lost = [token for token in acknowledged if history[token] == 0]
        doubled = sorted(token for token, count in history.items() if count > 1)
        unacknowledged_landed = [t for t in edits["sent"] if t not in acknowledged and history[t]]

        logs = "\n".join(path.read_text(errors="replace") for path in cluster.dir.glob("app-*.log"))
        failures = stats.failures
        seen_from = min((t for t, _, _ in failures if t >= down_at), default=None)
        seen_to = max((t for t, _, _ in failures if t >= down_at), default=None)
        all_statuses = sum(stats.statuses.values(), Counter())
        report = {
            "seconds": round(duration, 1),
            "clients": {"readers": READERS, "partners": PARTNERS, "staff": STAFF},
            "requests": sum(all_statuses.values()),
            "requests_per_second": round(sum(all_statuses.values()) / duration, 1),
            "by_status": {str(k): v for k, v in sorted(all_statuses.items())},
            "by_kind": {
                kind: {
                    "statuses": {str(k): v for k, v in sorted(counter.items())},
                    "p50_ms": round(statistics.median(stats.latencies[kind]), 1),
                    "p95_ms": percentile(stats.latencies[kind], 0.95),
                }
                for kind, counter in sorted(stats.statuses.items())
            },
            "outage": {
                "database_down_s": round(up_at - down_at, 1),
                "database_down_from_s": round(down_at - started, 1),
                "errors_seen_by_clients_s": round(seen_to - seen_from, 1) if seen_from else 0.0,
                "errors_seen_after_restart_s": round(max(0.0, (seen_to or up_at) - up_at), 1),
            },
            "edits": {
                "sent": len(edits["sent"]),
                "acknowledged": len(acknowledged),
                "acknowledged_after_a_lost_answer": edits["landed_unanswered"],
                "lost": lost,
                "applied_twice": doubled,
                "landed_without_acknowledgement": unacknowledged_landed,
            },
            "logs": {
                "request_lines": logs.count("tracker.requests"),
                "outage_lines": logs.count("unavailable:"),
                "tracebacks": logs.count("Traceback"),
                "bytes": len(logs),
            },
        }
        out = opslib.ROOT / "artifacts" / "soak.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(report, indent=2))
        print(json.dumps(report, indent=2))
        bad = lost or doubled or all_statuses.get(500, 0)
        print("Soak:", "FAILED" if bad else "passed", f"(report in {out}; logs in {cluster.dir})")
        return 1 if bad else 0
    finally:
        if cluster is not None:
            cluster.stop()
        for step in reversed(cleanup):
            step()


if __name__ == "__main__":
    sys.exit(main())
