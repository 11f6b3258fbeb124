"""The newsroom's background jobs, run by the delivery worker (`manage.py run_worker`)."""

from django.tasks import task

from . import mailing


@task()
def mail_notification(notification_id: int) -> bool:
    """A notification for someone who wants each one at once."""
    return mailing.mail_one(notification_id)


@task()
def send_staff_digests() -> int:
    """The day's digest, for those who chose one (scheduled daily at ALERTS_DIGEST_HOUR)."""
    return mailing.send_digests()
