"""Keeping the job table honest: no job is lost when a worker dies, none kept forever.

A worker takes a job by marking it RUNNING with its id (django-tasks-db). If it dies
before it writes the outcome (killed, its machine gone), the job would stay RUNNING for
ever: `requeue_orphaned` puts back to READY every job still RUNNING whose worker has
written no heartbeat for WORKER_STALE_SECONDS (tracker/delivery/health.py). Jobs are
idempotent (tasks.py), so running one again is safe. A job that keeps killing its
workers is failed after MAX_RUNS, not retried for ever.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from .models import WorkerHeartbeat

MAX_RUNS = 5


def requeue_orphaned(now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=settings.WORKER_STALE_SECONDS)
    alive = set(WorkerHeartbeat.objects.filter(last_seen_at__gte=stale).values_list("worker_id", flat=True))
    requeued = 0
    with transaction.atomic():
        running = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            status="RUNNING", started_at__lt=stale
        )
        for job in running:
            if job.worker_ids and job.worker_ids[-1] in alive:
                continue  # a long job of a live worker
            if len(job.worker_ids) >= MAX_RUNS:
                job.status = "FAILED"
                job.finished_at = now
                job.exception_class_path = "tracker.delivery.jobs.OrphanedTooOften"
                job.traceback = f"Its worker stopped before finishing it {len(job.worker_ids)} times."
                job.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
                continue
            job.status = "READY"
            job.save(update_fields=["status"])
            requeued += 1
    return requeued


def requeue(job_id, *, run_after: dt.datetime) -> None:
    """Put a job this worker was running back in the queue (its database went away)."""
    DBTaskResult.objects.filter(pk=job_id, status="RUNNING").update(status="READY", run_after=run_after)


def prune_finished(cutoff: dt.datetime) -> int:
    deleted, _ = DBTaskResult.objects.filter(status__in=["SUCCESSFUL", "FAILED"], finished_at__lt=cutoff).delete()
    return deleted
