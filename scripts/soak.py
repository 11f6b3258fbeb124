"""`make soak`: sustained mixed traffic through nginx, two app servers and a background
worker, while their parts misbehave one after another. Loopback only, bounded in time.

The load, all the way through:

- readers: anonymous GETs of the public pages (lists, records, search, feeds, static);
- partners: API lists with their own keys;
- staff: editors signed in to the admin, each saving edits to its own topic through
  the real change form (CSRF token, POST, the services behind it), one edit at a time;
  an edit that fails is read back and re-sent only if it did not land. Each edit is a
  public event: the worker hands it to three webhook endpoints and mails the readers
  who follow the topic.

The faults, one after the other, each followed by a quiet spell (SOAK_AFTER_SECONDS):

- database-frozen: every PostgreSQL process SIGSTOPped for SOAK_FREEZE_SECONDS (20),
  then SIGCONT (connections stay open; nothing answers, as with a network black hole);
- database-restarted: PostgreSQL stopped (fast) and started again;
- redis-frozen-restarted: both Redis servers (the cache, the rate counters) SIGSTOPped
  for SOAK_FREEZE_SECONDS, then killed and started again, empty;
- webhook-trickle: one receiver answers one byte every half second for SOAK_FREEZE_SECONDS;
- webhook-refused: another refuses connections for SOAK_FREEZE_SECONDS.

Then the load stops and the worker gets up to SOAK_DRAIN_SECONDS to catch up. The
report, per fault: the error rate and p95 of each kind of client during the fault and
after it; and at the end: every event delivered to every endpoint (a repeat only under
the same webhook-id, where an attempt's outcome was unknown), no mail sent twice, no job
lost, the worker still running (never restarted), every acknowledged edit in the history
exactly once. Written to artifacts/soak.json too. Exits 1 if any of those fails or any
request got a 500.

Everything runs on a PostgreSQL of its own (never DATABASE_URL's) and Redis servers of
its own. SOAK_SHORT=1 is the short version CI runs (shorter faults, fewer clients).

    SOAK_FREEZE_SECONDS=20 SOAK_AFTER_SECONDS=15 SOAK_READERS=6 SOAK_PARTNERS=2 SOAK_STAFF=2 make soak
"""

import email
import json
import os
import random
import secrets
import select
import shutil
import socket
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import opslib  # noqa: E402
from cluster import Cluster, throwaway_postgres  # noqa: E402

SHORT = os.environ.get("SOAK_SHORT") == "1"
FREEZE = float(os.environ.get("SOAK_FREEZE_SECONDS", "8" if SHORT else "20"))
AFTER = float(os.environ.get("SOAK_AFTER_SECONDS", "6" if SHORT else "15"))
WARMUP = float(os.environ.get("SOAK_WARMUP_SECONDS", "5" if SHORT else "10"))
DRAIN = float(os.environ.get("SOAK_DRAIN_SECONDS", "90" if SHORT else "180"))
READERS = int(os.environ.get("SOAK_READERS", "3" if SHORT else "6"))
PARTNERS = int(os.environ.get("SOAK_PARTNERS", "1" if SHORT else "2"))
STAFF = int(os.environ.get("SOAK_STAFF", "1" if SHORT else "2"))
SCENARIOS = os.environ.get(
    "SOAK_SCENARIOS", "database-frozen,database-restarted,redis-frozen-restarted,webhook-trickle,webhook-refused"
).split(",")
# nginx 8350, app servers 8351-8352, PostgreSQL 8360, Redis 8361-8362, receivers 8363-8365.
PORT_BASE = opslib.PORT_BASE + 50


# --- The clients --------------------------------------------------------------------------


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests: list[tuple[float, float, str, int]] = []  # (started, seconds, kind, status)

    def record(self, kind: str, status: int, started: float) -> None:
        with self.lock:
            self.requests.append((started, time.monotonic() - started, kind, status))

    def window(self, start: float, end: float) -> dict:
        """Per kind of client: requests begun in [start, end), their errors and p95."""
        by_kind = defaultdict(list)
        for began, seconds, kind, status in self.requests:
            if start <= began < end:
                by_kind[kind].append((seconds, status))
        summary = {}
        for kind, rows in sorted(by_kind.items()):
            errors = sum(1 for _, status in rows if status == 0 or status >= 500)
            summary[kind] = {
                "requests": len(rows),
                "error_rate": round(errors / len(rows), 3),
                "statuses": {str(k): v for k, v in sorted(Counter(status for _, status in rows).items())},
                "p95_ms": percentile([seconds * 1000 for seconds, _ in rows], 0.95),
                "max_ms": round(max(seconds for seconds, _ in rows) * 1000, 1),
            }
        return summary


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return round(ordered[int(fraction * (len(ordered) - 1))], 1) if ordered else 0.0


def reader(base: str, stats: Stats, stop: threading.Event, claims: list[str]) -> None:
    http = opslib.Http(base, timeout=30)
    pages = ["/", "/claims/", "/sources/", "/agreements/", "/meetings/", "/corrections/", "/methodology/"]
    pages += ["/search/?q=korea", "/feeds/verdicts/", "/robots.txt", "/static/css/site.css"]
    pages += [f"/claims/{slug}/" for slug in claims]
    while not stop.is_set():
        started = time.monotonic()
        status = http.get(random.choice(pages))[0]
        stats.record("reader", status, started)
        time.sleep(0.05)


def partner(base: str, key: str, stats: Stats, stop: threading.Event) -> None:
    http = opslib.Http(base, timeout=30)
    lists = ["/api/v1/claims/?page_size=50", "/api/v1/agreements/", "/api/v1/sources/", "/api/v1/events/?after=0"]
    while not stop.is_set():
        started = time.monotonic()
        status = http.get(random.choice(lists), Authorization=f"Api-Key {key}")[0]
        stats.record("partner", status, started)
        time.sleep(0.1)


def editor(base: str, account: dict, stats: Stats, stop: threading.Event, edits: dict) -> None:
    """Saves "Soak topic <n> edit <k>" for k = 1, 2, ...; each acknowledged once."""
    http = opslib.Http(base, timeout=30)
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
            stats.record("staff", status, started)
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
            stats.record("staff", status, started)
            if status == 302:
                edits["acknowledged"].append(token)
                break
            time.sleep(1)  # 503 and Retry-After: a person would wait a moment and try again
        time.sleep(1)


# --- Webhook receivers ---------------------------------------------------------------------


class Receiver:
    """A partner's webhook receiver on a loopback port: records every message it gets
    whole (webhook-id, event id), and answers 204, or trickles its answer one byte every
    half second (`trickling`), or refuses connections (`refuse()`)."""

    def __init__(self, name: str, port: int):
        self.name, self.port = name, port
        self.url = f"http://127.0.0.1:{port}/hooks"
        self.received: list[tuple[str, int]] = []
        self.trickling = False
        self.lock = threading.Lock()
        self.listener: socket.socket | None = None
        self.accept()

    def accept(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._serve, args=(listener,), daemon=True).start()

    def refuse(self) -> None:
        listener, self.listener = self.listener, None
        if listener is not None:
            listener.close()

    def _serve(self, listener: socket.socket) -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        try:
            head, body = read_request(conn)
            headers = {
                line.split(":", 1)[0].strip().lower(): line.split(":", 1)[1].strip()
                for line in head.decode("latin-1").split("\r\n")[1:]
                if ":" in line
            }
            event_id = json.loads(body)["data"]["id"]
            with self.lock:
                self.received.append((headers.get("webhook-id", ""), event_id))
            answer = b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            if self.trickling:
                for byte in answer:
                    readable, _, _ = select.select([conn], [], [], 0.5)
                    if readable and not conn.recv(1):
                        return  # the worker gave up on us
                    conn.sendall(bytes([byte]))
            else:
                conn.sendall(answer)
        except (OSError, ValueError, KeyError):
            pass
        finally:
            conn.close()


def read_request(conn: socket.socket) -> tuple[bytes, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            raise ValueError("cut short")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0
    )
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            raise ValueError("cut short")
        body += chunk
    return head, body


# --- Setting up -----------------------------------------------------------------------------


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    os.environ.setdefault("SECRET_KEY", "soak-loopback-only-" + "k" * 40)
    os.environ["DEBUG"] = "false"
    import django

    django.setup()


def setup_records(receivers: list[Receiver]) -> dict:
    """Staff logins with one topic each, partner keys, three webhook endpoints, and a
    confirmed reader following each topic; made through the services."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from rest_framework_api_key.models import APIKey

    from tracker.delivery import alerts
    from tracker.delivery.models import Endpoint, Frequency, Subscription
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
        target = alerts.record_target("topic", topic.slug)
        alerts.subscribe(email=f"reader{n}@example.org", target=target, frequency=Frequency.IMMEDIATE)
        alerts.confirm(Subscription.objects.get(email=f"reader{n}@example.org"))
    keys = [APIKey.objects.create_key(name=f"Soak partner {n}")[1] for n in range(PARTNERS)]
    for receiver in receivers:
        api_key, _ = APIKey.objects.create_key(name=f"Webhooks: {receiver.name}")
        Endpoint.objects.create(api_key=api_key, url=receiver.url, description=receiver.name)
    claims = list(Claim.objects.published().values_list("slug", flat=True)[:20])
    return {"staff": staff, "keys": keys, "claims": claims}


# --- The checks at the end ------------------------------------------------------------------


def wait_for_the_worker(cluster: Cluster, deadline: float) -> float:
    """Until nothing is left to send (or the deadline); how long it took."""
    from django.db import connections

    from tracker.delivery.worker import has_open_work
    from tracker.events.models import Event

    started = time.monotonic()
    while time.monotonic() < deadline:
        connections.close_all()
        dispatched = _cursor() >= (Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
        if dispatched and not has_open_work():
            break
        time.sleep(1)
    return round(time.monotonic() - started, 1)


def _cursor() -> int:
    from tracker.delivery.models import Cursor

    return Cursor.objects.filter(name="dispatch").values_list("position", flat=True).first() or 0


def delivery_report(receivers: list[Receiver]) -> dict:
    from tracker.delivery.models import Delivery, DeliveryAttempt, Endpoint
    from tracker.events.models import Event

    events = set(Event.objects.values_list("pk", flat=True))
    report = {"events": len(events), "endpoints": {}}
    for receiver in receivers:
        endpoint = Endpoint.objects.get(url=receiver.url)
        ids = dict(Delivery.objects.filter(endpoint=endpoint).values_list("message_id", "event_id"))
        got = Counter(receiver.received)
        received = {event for _, event in got}
        repeated = {webhook_id: n for (webhook_id, _), n in got.items() if n > 1}
        unknown_outcome = set(
            DeliveryAttempt.objects.filter(delivery__endpoint=endpoint, error__contains="may have arrived").values_list(
                "delivery__message_id", flat=True
            )
        )
        by_event = defaultdict(set)
        for webhook_id, event in got:
            by_event[event].add(webhook_id)
        report["endpoints"][receiver.name] = {
            "received_events": len(received),
            "missing_events": sorted(events - received)[:20],
            "messages": sum(got.values()),
            "repeated_messages": len(repeated),
            "repeats_without_unknown_outcome": sorted(set(repeated) - unknown_outcome)[:20],
            "one_event_under_two_ids": sorted(event for event, webhook_ids in by_event.items() if len(webhook_ids) > 1),
            "wrong_ids": sorted(webhook_id for webhook_id, event in got if ids.get(webhook_id) not in (None, event))[
                :20
            ],
            "statuses": dict(Counter(Delivery.objects.filter(endpoint=endpoint).values_list("status", flat=True))),
        }
    return report


def mail_report(folder: Path) -> dict:
    from tracker.delivery.models import MailStatus, OutgoingMail

    message_ids = []
    for path in sorted(folder.glob("*.log")) if folder.exists() else []:
        for chunk in path.read_text(errors="replace").split("-" * 79):
            if chunk.strip():
                message_ids.append(email.message_from_string(chunk.strip()).get("Message-ID"))
    counts = Counter(message_ids)
    sent = OutgoingMail.objects.filter(status=MailStatus.SENT).exclude(last_error="nothing left to send").count()
    return {
        "messages_sent": len(message_ids),
        "outbox_sent": sent,
        "outbox": dict(Counter(OutgoingMail.objects.values_list("status", flat=True))),
        "sent_twice": sorted(message_id for message_id, n in counts.items() if n > 1),
    }


def job_report() -> dict:
    from django_tasks_db.models import DBTaskResult

    failed = Counter(DBTaskResult.objects.filter(status="FAILED").values_list("exception_class_path", flat=True))
    return {
        "by_status": dict(Counter(DBTaskResult.objects.values_list("status", flat=True))),
        "failed": dict(failed),
        "lost": DBTaskResult.objects.filter(status="RUNNING").count()
        + sum(n for path, n in failed.items() if "OperationalError" in path or "InterfaceError" in path),
    }


def worker_report(cluster: Cluster, pid: int) -> dict:
    from django.utils import timezone

    from tracker.delivery.models import WorkerHeartbeat

    last = WorkerHeartbeat.objects.order_by("-last_seen_at").values_list("last_seen_at", flat=True).first()
    return {
        "running": cluster.worker_running(),
        "same_process": cluster.worker is not None and cluster.worker.pid == pid,
        "seconds_since_heartbeat": round((timezone.now() - last).total_seconds(), 1) if last else None,
    }


# --- The soak --------------------------------------------------------------------------------


def main() -> int:
    cleanup: list = []
    cluster = None
    work = Path(opslib.ROOT / "artifacts" / "soak")
    shutil.rmtree(work, ignore_errors=True)
    (work / "mail").mkdir(parents=True)
    try:
        pg = throwaway_postgres(cleanup, PORT_BASE + 10)
        cache = opslib.RedisServer(PORT_BASE + 11, maxmemory="64mb", policy="allkeys-lru").start()
        rates = opslib.RedisServer(PORT_BASE + 12, maxmemory="16mb", policy="noeviction").start()
        cleanup += [cache.stop, rates.stop]
        receivers = [Receiver(name, PORT_BASE + 13 + n) for n, name in enumerate(["prompt", "trickling", "refusing"])]
        cleanup += [receiver.refuse for receiver in receivers]
        setup_django(pg.url)
        records = setup_records(receivers)
        from django.db import connections

        connections.close_all()
        worker_env = {
            "EMAIL_BACKEND": "file",
            "EMAIL_FILE_PATH": work / "mail",
            "WEBHOOK_ALLOW_HTTP_LOOPBACK": "true",
            "WEBHOOK_TIMEOUT_SECONDS": 3,
            "WEBHOOK_RETRY_BASE_SECONDS": 0.5,
            "WEBHOOK_MAX_ATTEMPTS": 40,
            "WEBHOOK_PAUSE_AFTER_FAILURES": 100000,
            "MAIL_RETRY_BASE_SECONDS": 1,
        }
        cluster = Cluster(
            pg.url, cache.url, rates_url=rates.url, port_base=PORT_BASE, worker=True, worker_env=worker_env
        ).start()
        worker_pid = cluster.worker.pid
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
        print(f"Soak through {cluster.url}: {', '.join(SCENARIOS)}; {FREEZE:.0f} s each, {AFTER:.0f} s after.")
        began = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(WARMUP)
        scenarios = {}
        for name in SCENARIOS:
            print(f"  {name}...", flush=True)
            start = time.monotonic()
            if name == "database-frozen":
                pg.freeze()
                time.sleep(FREEZE)
                pg.thaw()
            elif name == "database-restarted":
                pg.stop("fast")
                pg.start()
                time.sleep(2)
            elif name == "redis-frozen-restarted":
                cache.freeze()
                rates.freeze()
                time.sleep(FREEZE)
                cache.restart()
                rates.restart()
            elif name == "webhook-trickle":
                receivers[1].trickling = True
                time.sleep(FREEZE)
                receivers[1].trickling = False
            elif name == "webhook-refused":
                receivers[2].refuse()
                time.sleep(FREEZE)
                receivers[2].accept()
            else:
                raise SystemExit(f"No such scenario: {name}")
            fault_over = time.monotonic()
            time.sleep(AFTER)
            scenarios[name] = {
                "fault_seconds": round(fault_over - start, 1),
                "during": stats.window(start, fault_over),
                "after": stats.window(fault_over, time.monotonic()),
            }
        stop.set()
        for thread in threads:
            thread.join(60)
        load_seconds = time.monotonic() - began
        drained_in = wait_for_the_worker(cluster, time.monotonic() + DRAIN)

        from tracker.desk.models import Topic

        history = Counter(Topic.history.filter(name__startswith="Soak topic ").values_list("name", flat=True))
        acknowledged = edits["acknowledged"]
        all_requests = Counter(status for _, _, _, status in stats.requests)
        logs = {path.name: path.read_text(errors="replace") for path in cluster.dir.glob("*.log")}
        report = {
            "clients": {"readers": READERS, "partners": PARTNERS, "staff": STAFF},
            "load_seconds": round(load_seconds, 1),
            "requests": sum(all_requests.values()),
            "by_status": {str(k): v for k, v in sorted(all_requests.items())},
            "scenarios": scenarios,
            "worker_caught_up_in_s": drained_in,
            "webhooks": delivery_report(receivers),
            "mail": mail_report(work / "mail"),
            "jobs": job_report(),
            "worker": worker_report(cluster, worker_pid),
            "edits": {
                "sent": len(edits["sent"]),
                "acknowledged": len(acknowledged),
                "acknowledged_after_a_lost_answer": edits["landed_unanswered"],
                "lost": [token for token in acknowledged if history[token] == 0],
                "applied_twice": sorted(token for token, count in history.items() if count > 1),
            },
            "logs": {
                "tracebacks": sum(text.count("Traceback") for text in logs.values()),
                "outage_lines": sum(text.count(" unavailable") for text in logs.values()),
                "bytes": sum(len(text) for text in logs.values()),
            },
        }
        problems = find_problems(report)
        report["problems"] = problems
        out = opslib.ROOT / "artifacts" / "soak.json"
        out.write_text(json.dumps(report, indent=2))
        print(json.dumps(report, indent=2))
        print(
            "Soak:",
            "FAILED: " + "; ".join(problems) if problems else "passed",
            f"(report in {out}; logs in {cluster.dir})",
        )
        return 1 if problems else 0
    finally:
        if cluster is not None:
            cluster.stop()
        for step in reversed(cleanup):
            step()


def find_problems(report: dict) -> list[str]:
    problems = []
    if report["by_status"].get("500"):
        problems.append(f"{report['by_status']['500']} server errors (500)")
    for name, endpoint in report["webhooks"]["endpoints"].items():
        if endpoint["missing_events"]:
            problems.append(f"{name}: events never delivered {endpoint['missing_events']}")
        if endpoint["repeats_without_unknown_outcome"] or endpoint["one_event_under_two_ids"] or endpoint["wrong_ids"]:
            problems.append(f"{name}: a repeat that should not be")
    if report["mail"]["sent_twice"]:
        problems.append(f"mail sent twice: {report['mail']['sent_twice'][:5]}")
    if report["mail"]["messages_sent"] != report["mail"]["outbox_sent"]:
        problems.append("mail sent and mail recorded as sent differ")
    if report["jobs"]["lost"]:
        problems.append(f"{report['jobs']['lost']} jobs lost")
    if not (report["worker"]["running"] and report["worker"]["same_process"]):
        problems.append("the worker stopped")
    if report["edits"]["lost"] or report["edits"]["applied_twice"]:
        problems.append("an edit was lost or applied twice")
    return problems


if __name__ == "__main__":
    sys.exit(main())
