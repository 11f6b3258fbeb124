"""The background worker: the real database-backed worker runs jobs, writes the
heartbeat /healthz reads, and starts each recurring job once."""

import datetime as dt

import pytest
from django.core import mail
from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tracker.delivery import health, schedule, tasks
from tracker.delivery.models import ScheduledJob, WorkerHeartbeat

from .conftest import run_worker_until_idle

pytestmark = pytest.mark.django_db


@task()
def report_worker_status() -> bool:
    """Run by the worker: is it, seen from inside, alive?"""
    return health.worker_status()["alive"]


def test_the_database_worker_runs_a_queued_job_outside_the_request():
    result = tasks.send_mail_job.enqueue("Hello", "From the worker.", ["someone@example.org"])
    assert DBTaskResult.objects.get(pk=result.id).status == "READY"  # stored, not run
    assert mail.outbox == []
    run_worker_until_idle()
    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"
    assert [m.subject for m in mail.outbox] == ["Hello"]


def test_a_running_worker_is_alive_and_a_stopped_one_is_not():
    result = report_worker_status.enqueue()
    run_worker_until_idle()
    assert DBTaskResult.objects.get(pk=result.id).return_value is True
    # Stopping cleanly removes its heartbeat.
    assert WorkerHeartbeat.objects.count() == 0
    assert health.worker_status()["alive"] is False


def test_a_worker_whose_heartbeat_is_stale_is_reported_dead(settings):
    settings.WORKER_STALE_SECONDS = 60
    now = timezone.now()
    health.beat(worker_id="w1", started_at=now, now=now)
    status = health.worker_status(now=now + dt.timedelta(seconds=30))
    assert status["alive"] is True
    assert status["workers"] == 1
    assert status["last_heartbeat"] == now.isoformat()
    later = health.worker_status(now=now + dt.timedelta(seconds=61))
    assert later["alive"] is False
    assert later["seconds_since"] == 61.0


def test_finished_jobs_are_deleted_after_a_week():
    done = tasks.expire_subscriptions.enqueue()
    run_worker_until_idle()
    assert tasks.prune_finished_jobs.call() == 0
    DBTaskResult.objects.filter(pk=done.id).update(finished_at=timezone.now() - dt.timedelta(days=8))
    assert tasks.prune_finished_jobs.call() >= 1
    assert not DBTaskResult.objects.filter(pk=done.id).exists()


def test_jobs_waiting_for_a_worker_are_counted():
    tasks.expire_subscriptions.enqueue()
    tasks.requeue_orphaned_jobs.using(run_after=timezone.now() + dt.timedelta(hours=1)).enqueue()
    assert health.worker_status()["ready_jobs"] == 1  # the one due now


def test_each_recurring_job_starts_once_however_many_workers_look(settings):
    settings.ALERTS_DIGEST_HOUR = 7
    now = dt.datetime(2026, 11, 22, 6, 0, tzinfo=dt.UTC)
    first = schedule.run_due(now)
    assert set(first) == {
        "dispatch-events",
        "requeue-orphaned-jobs",
        "expire-subscriptions",
        "prune-finished-jobs",
    }
    assert schedule.run_due(now) == []  # a second worker at the same moment
    assert ScheduledJob.objects.get(name="daily-digest").next_run_at == dt.datetime(2026, 11, 22, 7, tzinfo=dt.UTC)
    at_seven = schedule.run_due(now.replace(hour=7))
    assert "daily-digest" in at_seven
    assert ScheduledJob.objects.get(name="daily-digest").next_run_at == dt.datetime(2026, 11, 23, 7, tzinfo=dt.UTC)


def test_healthz_reports_the_worker_without_failing_the_app_server(client, transactional_db):
    """A stopped worker shows on /healthz, yet the load balancer keeps the server.
    (Transactional: /healthz runs each check on a thread of its own, which reads what
    is committed.)"""
    from django.utils import timezone

    from tracker.delivery.health import beat

    stopped = client.get("/healthz")
    assert stopped.status_code == 200
    assert stopped.json()["checks"]["worker"]["status"] == "error"
    beat(worker_id="test-worker", started_at=timezone.now())
    alive = client.get("/healthz").json()
    assert alive["checks"]["worker"]["status"] == "ok"
    assert alive["status"] == "ok"
