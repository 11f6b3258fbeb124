"""The background jobs. The worker (`manage.py run_worker`) runs them; web requests
and services only enqueue them."""

from django.core.mail import send_mail
from django.tasks import task

from . import alerts, dispatch, webhooks


@task()
def dispatch_events() -> int:
    """Turn the events written since the last run into deliveries and alerts."""
    return dispatch.dispatch()


@task()
def deliver(delivery_id: int) -> str | None:
    delivery = webhooks.attempt(delivery_id)
    return delivery.status if delivery else None


@task()
def requeue_stalled_deliveries() -> int:
    return dispatch.requeue_stalled()


@task()
def send_confirmation(subscription_id: int) -> None:
    alerts.send_confirmation(subscription_id)


@task()
def send_alerts(subscription_id: int) -> int:
    return alerts.send_pending(subscription_id)


@task()
def send_daily_digests() -> int:
    return alerts.send_daily_digests()


@task()
def expire_subscriptions() -> int:
    return alerts.expire_unconfirmed()


@task()
def prune_finished_jobs() -> int:
    """Finished jobs are kept a week (to look into a failure), then deleted."""
    import datetime as dt

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - dt.timedelta(days=7)
    deleted, _ = DBTaskResult.objects.filter(status__in=["SUCCESSFUL", "FAILED"], finished_at__lt=cutoff).delete()
    return deleted


@task()
def send_mail_job(subject: str, body: str, recipients: list[str]) -> None:
    send_mail(subject, body, None, recipients)
