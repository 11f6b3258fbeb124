"""Recurring jobs, started by whichever worker sees them due first.

Each job has a row whose `next_run_at` a worker moves on with a conditional UPDATE;
only the worker whose UPDATE changed the row enqueues the job, so two workers never
both start it.
"""

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import tasks
from .models import ScheduledJob


def every(seconds: int) -> Callable[[dt.datetime], dt.datetime]:
    return lambda now: now + dt.timedelta(seconds=seconds)


def daily_at_digest_hour(now: dt.datetime) -> dt.datetime:
    today = now.astimezone(dt.UTC).replace(hour=settings.ALERTS_DIGEST_HOUR, minute=0, second=0, microsecond=0)
    return today if today > now else today + dt.timedelta(days=1)


# name: (task, when it runs next after `now`). Dispatching is also started at once
# after each event commits; the minute here is a safety net.
JOBS = {
    "dispatch-events": (tasks.dispatch_events, every(60)),
    "requeue-orphaned-jobs": (tasks.requeue_orphaned_jobs, every(60)),
    "expire-subscriptions": (tasks.expire_subscriptions, every(3600)),
    "prune-finished-jobs": (tasks.prune_finished_jobs, every(86400)),
    "daily-digest": (tasks.send_daily_digests, daily_at_digest_hour),
}


def register(name: str, task, following: Callable[[dt.datetime], dt.datetime]) -> None:
    """Another app's recurring job (the newsroom's staff digest): the schedule runs it,
    the app's tasks are called in, and nothing here imports them."""
    JOBS.setdefault(name, (task, following))


def run_due(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every job that is due; return their names."""
    now = now or timezone.now()
    started = []
    for name, (task, following) in JOBS.items():
        if not ScheduledJob.objects.filter(name=name).exists():
            try:
                with transaction.atomic():
                    # A new daily job waits for its hour; the others run at once.
                    first = following(now) if following is daily_at_digest_hour else now
                    ScheduledJob.objects.create(name=name, next_run_at=first)
            except IntegrityError:  # another worker made it first
                pass
        claimed = ScheduledJob.objects.filter(name=name, next_run_at__lte=now).update(next_run_at=following(now))
        if claimed:
            task.enqueue()
            started.append(name)
    return started
