"""Is the background worker alive? For /healthz and the staff."""

import datetime as dt
import os
import socket

from django.conf import settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from .models import WorkerHeartbeat


def beat(*, worker_id: str, started_at: dt.datetime, now: dt.datetime | None = None) -> None:
    """Record that this worker is alive."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "last_seen_at": now or timezone.now(),
        },
    )


def stopped(*, worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def worker_status(now: dt.datetime | None = None) -> dict:
    """`alive` when some worker wrote its heartbeat within WORKER_STALE_SECONDS;
    `last_heartbeat` (ISO 8601 or None), `seconds_since`, the number of live `workers`
    and `ready_jobs`, the jobs due now and not yet taken (a growing number means the
    workers cannot keep up)."""
    now = now or timezone.now()
    latest = WorkerHeartbeat.objects.order_by("-last_seen_at").values_list("last_seen_at", flat=True).first()
    fresh_after = now - dt.timedelta(seconds=settings.WORKER_STALE_SECONDS)
    return {
        "alive": latest is not None and latest >= fresh_after,
        "last_heartbeat": latest.isoformat() if latest else None,
        "seconds_since": round((now - latest).total_seconds(), 1) if latest else None,
        "workers": WorkerHeartbeat.objects.filter(last_seen_at__gte=fresh_after).count(),
        "ready_jobs": DBTaskResult.objects.ready().count(),
    }
