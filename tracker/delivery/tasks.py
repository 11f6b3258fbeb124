"""The background jobs. The worker (`manage.py run_worker`) runs them; web requests
and services only enqueue them. Jobs call into dispatch and the channels; nothing
there imports this module back (the one place that starts a job on its own, the
dispatcher after an event commits, is wired here, in `connect_signals`).

Every job may run twice (a worker that lost the database mid-job runs it again,
tracker/delivery/worker.py), so each is idempotent: the dispatcher moves a cursor in
the transaction that hands events on, mail goes through the outbox under a key.
"""

import datetime as dt

from django.db import connection, transaction
from django.db.models.signals import post_save
from django.tasks import task
from django.utils import timezone

from . import alerts, dispatch, jobs, mail
from .models import MailKind


@task()
def dispatch_events() -> int:
    """Turn the events written since the last run into deliveries and alerts."""
    return dispatch.dispatch()


@task()
def send_daily_digests() -> int:
    return alerts.compose_daily_digests()


@task()
def expire_subscriptions() -> int:
    return alerts.expire_unconfirmed()


@task()
def requeue_orphaned_jobs() -> int:
    """Jobs a worker took and never finished (it died): run them again."""
    return jobs.requeue_orphaned()


@task()
def prune_finished_jobs() -> int:
    """Finished jobs and sent mail are kept a week (to look into a failure), then deleted."""
    cutoff = timezone.now() - dt.timedelta(days=7)
    return jobs.prune_finished(cutoff) + mail.prune_sent(cutoff)


@task(takes_context=True)
def send_mail_job(context, subject: str, body: str, recipients: list[str]) -> None:
    """A notice to staff or partners, through the outbox: keyed by this job's id, so the
    job run twice still sends one mail."""
    mail.queue(
        key=f"job:{context.task_result.id}",
        kind=MailKind.NOTICE,
        recipients=recipients,
        subject=subject,
        body=body,
    )


def _enqueue_dispatch() -> None:
    dispatch_events.enqueue()


def _dispatch_after_commit(sender, instance, created, **kwargs) -> None:
    """Start the dispatcher once the transaction that wrote an event commits (once per
    transaction, however many events it wrote; a rollback drops it with the events)."""
    if created and not any(func is _enqueue_dispatch for _, func, _ in connection.run_on_commit):
        transaction.on_commit(_enqueue_dispatch)


def connect_signals() -> None:
    from tracker.events.models import Event

    post_save.connect(_dispatch_after_commit, sender=Event, dispatch_uid="delivery-dispatch-after-commit")
