"""The background worker: jobs, webhooks and mail, each on loops of their own, none of
which a database restart, a hung database or a slow partner can stop.

One process (`manage.py run_worker`) runs:

- the main loop: the heartbeat /healthz reads, the recurring jobs (schedule.py) and
  the jobs in the database queue (django-tasks-db), one at a time;
- one mail loop: the outbox (mail.py), so alerts never wait behind a webhook;
- WEBHOOK_WORKERS webhook loops (webhooks.py), each taking the next due delivery of an
  endpoint that has room, so one slow endpoint holds at most its share of them;
- with an edge cache (EDGE_PURGE_URLS), one edge loop: each change readers can see is
  purged from every edge within a moment of its commit, until each acknowledged
  (tracker/caching/purge.py). It looks every EDGE_PURGE_POLL_SECONDS.

Every loop survives its database going away: an error that means the database is
unreachable (a restart, a fail-over, a query the deadline's watchdog ended) closes that
loop's connections, waits (longer each time, up to 5 s), and goes on; the job that was
running is put back in the queue and run again (`ResilientWorker.run_task`; jobs are
idempotent), an attempt already made is recorded once the database answers
(retrying.py). Any other error is logged with its traceback and the loop goes on. Each
step runs under a deadline (tracker/deadline.py), so a database that stops answering
without closing its connections cannot hang a loop either.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.compat import TaskContext, task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from tracker import deadline, logs
from tracker.caching import purge
from tracker.outage import DATABASE_ERRORS

from . import alerts, health, jobs, mail, schedule, webhooks
from .models import Delivery, DeliveryStatus, MailStatus, OutgoingMail
from .retrying import close_this_threads_connections, until_the_database_answers

logger = logging.getLogger("tracker.delivery")

STEP_DEADLINE = 60.0  # seconds: one webhook attempt, one mail, one poll of the queue
JOB_DEADLINE = 300.0  # seconds: one job (a dispatch after a long outage hands on many events)
MAX_WAIT = 5.0  # the longest wait between two tries while the database is away


def new_worker_id() -> str:
    return f"{socket.gethostname()[:30]}-{os.getpid()}-{get_random_string(8)}"


class ResilientWorker(Worker):
    """django-tasks-db's worker, with what it lacks: a job that met an unreachable
    database goes back to the queue instead of failing (or being left RUNNING for ever
    when even recording the failure failed), and each job runs under a deadline."""

    def take_one(self) -> DBTaskResult | None:
        """Claim the next ready job (as Worker.run does), under a deadline."""
        if not connections["default"].in_atomic_block:  # only a test runs the worker in one
            close_old_connections()  # as Django does between requests
        ready = DBTaskResult.objects.ready().filter(backend_name=self.backend_name, queue_name__in=self.queue_names)
        with deadline.deadline(STEP_DEADLINE, "polling the job queue"), exclusive_transaction(ready.db):
            job = ready.get_locked()
            if job is not None:
                job.claim(self.worker_id)
        return job

    def run_ready(self, stopping: threading.Event) -> int:
        """Run ready jobs until none is left (or the worker stops); how many ran."""
        done = 0
        while not stopping.is_set():
            job = self.take_one()
            if job is None:
                return done
            self.run_task(job)
            done += 1
        return done

    def run_task(self, db_task_result: DBTaskResult) -> None:
        self.running_task = True
        token = logs.request_id.set(f"job-{str(db_task_result.id)[:8]}")  # on its log lines
        try:
            task = db_task_result.task
            task_result = db_task_result.task_result
            backend_type = task.get_backend()
            task_started.send(sender=backend_type, task_result=task_result)
            with deadline.deadline(JOB_DEADLINE, f"job {task.module_path}"):
                if task.takes_context:
                    value = task.call(TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs)
                else:
                    value = task.call(*task_result.args, **task_result.kwargs)
        except DATABASE_ERRORS as exc:
            close_this_threads_connections()
            retry_at = timezone.now() + dt.timedelta(seconds=2)
            logger.warning(
                "job %s met an unreachable database (%s); it runs again once the database answers",
                db_task_result.id,
                type(exc).__name__,
            )
            until_the_database_answers(
                lambda: jobs.requeue(db_task_result.id, run_after=retry_at), what="a job to retry"
            )
        except BaseException as exc:
            error = exc  # the except clause's name does not outlive it; the lambda may
            until_the_database_answers(lambda: db_task_result.set_failed(error), what="a failed job")
            try:
                task_finished.send(
                    sender=type(db_task_result.task.get_backend()), task_result=db_task_result.task_result
                )
            except Exception:  # the task's code is gone (ImportError): logged, not raised
                logger.exception("Task id=%s failed unexpectedly", db_task_result.id)
        else:
            until_the_database_answers(lambda: db_task_result.set_successful(value), what="a finished job")
            task_finished.send(sender=backend_type, task_result=db_task_result.task_result)
        finally:
            logs.request_id.reset(token)
            self.running_task = False
            self._run_tasks += 1


class Survivor:
    """Runs `step` again and again: waits `idle` when it found nothing to do, and
    survives whatever it raises (see the module's doc)."""

    def __init__(self, name: str, step: Callable[[], bool], stopping: threading.Event, idle: float):
        self.name, self.step, self.stopping, self.idle = name, step, stopping, idle
        self.wait = 0.2
        self.logged_at = 0.0

    def once(self) -> bool:
        """One step; True when it did something. Never raises."""
        logs.request_id.set(self.name)  # on the log lines of this loop
        try:
            did = self.step()
        except DATABASE_ERRORS as exc:
            close_this_threads_connections()  # the next step connects afresh
            if time.monotonic() - self.logged_at > 10:
                self.logged_at = time.monotonic()
                logger.warning("%s: database unavailable (%s); trying again", self.name, type(exc).__name__)
            self.stopping.wait(self.wait)
            self.wait = min(self.wait * 2, MAX_WAIT)
            return False
        except Exception:
            logger.exception("%s: unexpected error; going on", self.name)
            self.stopping.wait(1.0)
            return False
        self.wait = 0.2
        return bool(did)

    def run(self) -> None:
        while not self.stopping.is_set():
            if not self.once():
                self.stopping.wait(self.idle)
        close_this_threads_connections()


def send_one_mail() -> bool:
    with deadline.deadline(STEP_DEADLINE, "sending a mail"):
        return mail.send_due(alerts.compose)


def attempt_one_delivery() -> bool:
    with deadline.deadline(STEP_DEADLINE, "a webhook attempt"):
        return webhooks.attempt_due() is not None


def purge_edge() -> bool:
    with deadline.deadline(STEP_DEADLINE, "an edge purge"):
        return purge.purger.step()


def seconds_until_due(now: dt.datetime | None = None) -> float | None:
    """How long until some job, delivery or mail is due (0 when one is due now), or None
    when nothing waits at all."""
    now = now or timezone.now()
    times = []
    job = DBTaskResult.objects.filter(status="READY").order_by("run_after").values_list("run_after", flat=True).first()
    if job is not None:
        times.append(job)
    delivery = (
        Delivery.objects.filter(status__in=webhooks.OPEN, next_attempt_at__isnull=False)
        .select_related("endpoint")
        .order_by("next_attempt_at")
        .first()
    )
    if delivery is not None:
        times.append(max(delivery.next_attempt_at, delivery.endpoint.resting_until or delivery.next_attempt_at))
    outgoing = OutgoingMail.objects.filter(status=MailStatus.PENDING).order_by("next_attempt_at").first()
    if outgoing is not None:
        times.append(outgoing.next_attempt_at)
    if not times:
        return None
    return max(0.0, (min(times) - now).total_seconds())


class Runner:
    """The whole worker: `run_forever()` (threads), or `run_batch()` (what is due now,
    on this thread, then return)."""

    def __init__(self, *, interval: float = 1.0, webhook_loops: int | None = None, verbosity: int = 1, out=None):
        self.interval = interval
        self.webhook_loops = settings.WEBHOOK_WORKERS if webhook_loops is None else webhook_loops
        self.verbosity, self.out = verbosity, out
        self.stopping = threading.Event()
        self.worker_id = new_worker_id()
        self.jobs = ResilientWorker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=self.worker_id,
            excluded_queue_names=[],
        )
        self.started_at = timezone.now()
        self.last_beat = 0.0

    def say(self, text: str) -> None:
        if self.verbosity and self.out is not None:
            self.out.write(text)

    # --- the main loop's step ------------------------------------------------------

    def housekeeping(self) -> bool:
        with deadline.deadline(STEP_DEADLINE, "heartbeat and schedule"):
            if time.monotonic() - self.last_beat >= settings.WORKER_HEARTBEAT_SECONDS:
                health.beat(worker_id=self.worker_id, started_at=self.started_at)
                self.last_beat = time.monotonic()
            schedule.run_due()
        return False

    def run_jobs(self) -> bool:
        return self.jobs.run_ready(self.stopping) > 0

    # --- running -------------------------------------------------------------------

    def run_batch(self) -> None:
        """Everything due now, jobs, deliveries and mail, until nothing is; then return."""
        steps = [
            Survivor("jobs", self.run_jobs, self.stopping, 0),
            Survivor("webhooks", attempt_one_delivery, self.stopping, 0),
            Survivor("mail", send_one_mail, self.stopping, 0),
            Survivor("edge", purge_edge, self.stopping, 0),
        ]
        Survivor("housekeeping", self.housekeeping, self.stopping, 0).once()
        try:
            while not self.stopping.is_set():
                if not any([step.once() for step in steps]):  # noqa: C419 - every step, not the first that did
                    break
        finally:
            self.stopped()

    def run_forever(self, *, parent: int | None = None) -> None:
        """Until SIGTERM or SIGINT (then the job or attempt in hand is finished first), or
        until the process that started us is gone."""
        self.install_signals()
        self.say(f"Worker {self.worker_id} started.")
        Survivor("orphaned jobs", lambda: jobs.requeue_orphaned() > 0, self.stopping, 0).once()
        threads = [
            threading.Thread(
                target=Survivor("mail", send_one_mail, self.stopping, self.interval).run, name="mail", daemon=True
            )
        ]
        if settings.EDGE_PURGE_URLS:
            edge = Survivor("edge", purge_edge, self.stopping, settings.EDGE_PURGE_POLL_SECONDS)
            threads.append(threading.Thread(target=edge.run, name="edge", daemon=True))
        for n in range(self.webhook_loops):
            loop = Survivor(f"webhooks-{n + 1}", attempt_one_delivery, self.stopping, self.interval)
            threads.append(threading.Thread(target=loop.run, name=f"webhooks-{n + 1}", daemon=True))
        for thread in threads:
            thread.start()
        main = [
            Survivor("housekeeping", self.housekeeping, self.stopping, 0),
            Survivor("jobs", self.run_jobs, self.stopping, 0),
        ]
        try:
            while not self.stopping.is_set():
                did = [step.once() for step in main]
                if parent is not None and os.getppid() != parent:
                    self.say("The process that started the worker is gone: stopping.")
                    break
                if not any(did):
                    self.stopping.wait(self.interval)
        finally:
            self.stopping.set()
            for thread in threads:
                thread.join(settings.WEBHOOK_TIMEOUT_SECONDS + 30)
            self.stopped()
            self.say(f"Worker {self.worker_id} stopped.")

    def stopped(self) -> None:
        try:
            with deadline.deadline(5, "removing the heartbeat"):
                health.stopped(worker_id=self.worker_id)
        except DATABASE_ERRORS:
            pass  # it goes stale by itself
        close_this_threads_connections()

    def install_signals(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return

        def stop(signum, frame):
            if self.stopping.is_set():  # a second signal: stop now
                sys.exit(1)
            logger.warning("Received %s: finishing what is in hand, then stopping.", signal.strsignal(signum))
            self.stopping.set()

        for name in ("SIGTERM", "SIGINT", "SIGQUIT"):
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), stop)


def has_open_work() -> bool:
    """Anything pending at all (for tests and the soak: is everything sent?)."""
    return (
        DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists()
        or Delivery.objects.filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING]).exists()
        or OutgoingMail.objects.filter(status=MailStatus.PENDING).exists()
        or purge.waiting()
    )
