"""The worker outlives its database: a restart or fail-over (its connections ended
under it) neither stops it nor loses the job it was running, nor sends a mail twice;
a job whose worker died is run again; and `scripts/with-worker` restarts a worker that
stopped.

The outage is real: on PostgreSQL, `pg_terminate_backend` ends the worker's own
connections, which is what a fast shutdown, a restart or a fail-over does to them."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tracker.delivery import alerts, dispatch, jobs, worker
from tracker.delivery import mail as outbox
from tracker.delivery.models import MailKind, MailStatus, OutgoingMail, WorkerHeartbeat
from tracker.desk.choices import State

from .conftest import run_worker_until_idle

ROOT = Path(settings.BASE_DIR)


def terminate_backends(application_name: str | None = None, *, pid: int | None = None) -> int:
    """End PostgreSQL sessions of this test database other than ours, as a restart does."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()" + (" AND pid = %s" if pid else ""),
            [pid] if pid else [],
        )
        return cursor.fetchone()[0]


def needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("ending a database server's sessions: PostgreSQL")


@task(takes_context=True)
def job_that_loses_its_database_once(context) -> str:
    """Run by the worker: the first time, its database connection is ended under it
    (by a second connection, as a restart would); the second time it finishes."""
    runs = len(context.task_result.worker_ids)
    if runs == 1:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (pid,) = cursor.fetchone()
        end_session(pid)
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")  # the connection is gone: OperationalError
    return f"finished on run {runs}"


def end_session(pid: int) -> None:
    import psycopg

    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"]
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@task()
def job_that_breaks() -> None:
    raise ValueError("a bug, not an outage")


def test_a_job_that_meets_an_unreachable_database_goes_back_to_the_queue_and_runs_again(transactional_db):
    needs_postgresql()
    result = job_that_loses_its_database_once.enqueue()
    runner = worker.Runner(webhook_loops=0, verbosity=0)

    runner.run_batch()  # first run: the database goes away mid-job; the job is put back
    first = DBTaskResult.objects.get(pk=result.id)
    assert first.status == "READY", first.traceback
    time.sleep(2.1)  # it is retried a moment later
    worker.Runner(webhook_loops=0, verbosity=0).run_batch()

    done = DBTaskResult.objects.get(pk=result.id)
    assert done.status == "SUCCESSFUL"
    assert done.return_value == "finished on run 2"


def test_a_job_that_fails_for_its_own_reasons_still_fails(db):
    result = job_that_breaks.enqueue()
    run_worker_until_idle()
    failed = DBTaskResult.objects.get(pk=result.id)
    assert failed.status == "FAILED"
    assert failed.exception_class_path == "builtins.ValueError"


def test_a_job_whose_worker_died_is_run_again_and_one_that_keeps_killing_workers_fails(db, settings):
    settings.WORKER_STALE_SECONDS = 60
    long_ago = timezone.now() - timezone.timedelta(minutes=10)
    orphan = job_that_breaks.enqueue()
    DBTaskResult.objects.filter(pk=orphan.id).update(status="RUNNING", started_at=long_ago, worker_ids=["gone-1"])
    cursed = job_that_breaks.enqueue()
    DBTaskResult.objects.filter(pk=cursed.id).update(
        status="RUNNING", started_at=long_ago, worker_ids=[f"gone-{n}" for n in range(jobs.MAX_RUNS)]
    )
    alive = job_that_breaks.enqueue()
    DBTaskResult.objects.filter(pk=alive.id).update(status="RUNNING", started_at=long_ago, worker_ids=["alive-1"])
    WorkerHeartbeat.objects.create(worker_id="alive-1", started_at=long_ago, last_seen_at=timezone.now())

    assert jobs.requeue_orphaned() == 1
    statuses = dict(DBTaskResult.objects.values_list("id", "status"))
    assert statuses[DBTaskResult.objects.get(pk=orphan.id).pk] == "READY"
    assert DBTaskResult.objects.get(pk=cursed.id).status == "FAILED"
    assert DBTaskResult.objects.get(pk=alive.id).status == "RUNNING"  # its worker is still at it


class CutAfterSending:
    """A mail server that takes the message, after which the database restarts (the
    worker's connection is ended) before the worker can write down that it was sent."""

    sent: list = []

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        CutAfterSending.sent.extend(messages)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (pid,) = cursor.fetchone()
        end_session(pid)
        return len(messages)


def test_a_database_restart_right_after_a_mail_went_out_never_sends_it_twice(
    transactional_db, make_claim, settings, correct
):
    needs_postgresql()
    claim = make_claim(state=State.PUBLISHED)
    alerts.subscribe(
        email="reader@example.org", target=alerts.record_target("claim", claim.slug), frequency="immediate"
    )
    subscription = alerts.Subscription.objects.get()
    alerts.confirm(subscription)
    OutgoingMail.objects.all().delete()  # the confirmation is not the point here
    dispatch.dispatch()
    correct(claim, note="The date of the pact was wrong.")
    dispatch.dispatch()
    [alert] = OutgoingMail.objects.filter(kind=MailKind.ALERT)

    settings.MAILERS = {"default": {"BACKEND": "tests.delivery.test_worker_survives.CutAfterSending"}}
    CutAfterSending.sent = []
    assert outbox.send_due(alerts.compose)
    alert.refresh_from_db()
    assert alert.status == MailStatus.SENT  # written down once the database answered
    assert len(CutAfterSending.sent) == 1

    dispatch.dispatch()  # the dispatcher runs again (a retried job)
    while outbox.send_due(alerts.compose):
        pass
    assert len(CutAfterSending.sent) == 1
    assert OutgoingMail.objects.filter(kind=MailKind.ALERT).count() == 1


def test_a_mail_whose_sending_never_finished_is_not_sent_again(db, settings):
    queued = outbox.queue(key="notice:1", kind=MailKind.NOTICE, recipients=["ops@example.org"], subject="S", body="B")
    # A worker took it and died in the middle of sending (its lease ran out).
    OutgoingMail.objects.filter(pk=queued.pk).update(
        attempts=1, leased_until=timezone.now() - timezone.timedelta(seconds=1)
    )
    assert outbox.send_due(alerts.compose)
    queued.refresh_from_db()
    assert queued.status == MailStatus.UNKNOWN
    assert mail.outbox == []
    assert outbox.send_due(alerts.compose) is False


def test_the_same_mail_decided_twice_is_one_mail_with_one_message_id(db):
    first = outbox.queue(key="job:abc", kind=MailKind.NOTICE, recipients=["a@example.org"], subject="S", body="B")
    second = outbox.queue(key="job:abc", kind=MailKind.NOTICE, recipients=["a@example.org"], subject="S", body="B")
    assert first.pk == second.pk
    run_worker_until_idle()
    [sent] = mail.outbox
    assert sent.extra_headers["Message-ID"] == outbox.message_id(first)


# --- The running worker ------------------------------------------------------------


def start_worker(env_extra: dict | None = None) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": database_url(), **(env_extra or {})}
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--interval", "0.2", "--webhook-loops", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@task()
def remember(value: str) -> str:
    return value


def test_a_running_worker_outlives_a_database_restart_and_keeps_working(transactional_db):
    needs_postgresql()
    process = start_worker()
    try:
        wait_until(lambda: WorkerHeartbeat.objects.exists(), 20, "the worker's heartbeat")
        before = remember.enqueue("before")
        wait_until(lambda: DBTaskResult.objects.get(pk=before.id).status == "SUCCESSFUL", 20, "a job before")

        for _ in range(3):  # restarts, one after the other
            assert terminate_backends() >= 1
            time.sleep(0.5)

        after = remember.enqueue("after")
        wait_until(lambda: DBTaskResult.objects.get(pk=after.id).status == "SUCCESSFUL", 30, "a job after")
        assert process.poll() is None, process.stdout.read()
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=40)[0]
    assert process.returncode == 0, output
    assert "Traceback" not in output, output
    assert not WorkerHeartbeat.objects.exists()  # a clean stop removes its heartbeat


def test_with_worker_restarts_a_worker_that_stopped(tmp_path):
    """scripts/with-worker supervises the worker beside the server: killed, it is back."""
    server = tmp_path / "server.sh"
    server.write_text("#!/bin/sh\nsleep 30\n")
    server.chmod(0o755)
    fake_python = tmp_path / "python"
    pids = tmp_path / "pids"
    # A stand-in for `python manage.py run_worker` that records each start.
    fake_python.write_text(f"#!/bin/sh\necho $$ >> {pids}\nexec sleep 60\n")
    fake_python.chmod(0o755)
    env = {**os.environ, "PY": str(fake_python), "WORKER_RESTART_WAIT": "0.2"}
    process = subprocess.Popen(
        [str(ROOT / "scripts" / "with-worker"), str(server)], cwd=ROOT, env=env, start_new_session=True
    )
    try:
        wait_until(lambda: pids.exists() and len(pids.read_text().split()) == 1, 10, "the worker")
        first = int(pids.read_text().split()[0])
        os.kill(first, signal.SIGKILL)
        wait_until(lambda: len(pids.read_text().split()) == 2, 10, "the worker restarted")
        assert process.poll() is None  # the server goes on
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(10)
    for pid in map(int, pids.read_text().split()):
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # stopped with the server
