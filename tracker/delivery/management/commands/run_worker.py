"""The background worker: `python manage.py run_worker`.

It runs the jobs in the database (django-tasks-db's worker, in batches), enqueues the
recurring jobs when they are due (schedule.py) and writes a heartbeat that /healthz
reads. `make run` and `make serve` start it beside the web server
(scripts/with-worker) and stop it with the server; it also stops by itself when the
process that started it goes away.
"""

import atexit
import os
import socket
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import autoreload, timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from tracker.delivery import health, schedule


class Command(BaseCommand):
    help = "Run background jobs (webhook deliveries, alert mail) until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds to wait when no job is ready.")
        parser.add_argument("--batch", action="store_true", help="Run the jobs that are ready, then exit.")
        parser.add_argument(
            "--reload",
            action="store_true",
            default=False,
            help="Restart on code changes (development). Off by default: a stop under the reloader "
            "skips the clean shutdown, so /healthz sees the worker as alive until its heartbeat is stale.",
        )
        parser.add_argument("--no-reload", action="store_false", dest="reload")

    def handle(self, *, interval: float, batch: bool, reload: bool, verbosity: int, **options):
        self.verbosity = verbosity
        reload = reload and not batch
        worker = Worker(
            queue_names=["default"],
            interval=0,
            batch=True,  # one pass over the ready jobs per round; work() does the waiting
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=f"{socket.gethostname()[:30]}-{os.getpid()}-{get_random_string(8)}",
            excluded_queue_names=[],
        )
        if not reload:
            worker.configure_signals()  # SIGTERM/SIGINT: finish the job in hand, then stop
            self.work(worker, interval=interval, batch=batch)
            return
        # The reloader runs work() in a thread of a child process; signals are set in
        # that child's main thread, here.
        if os.environ.get(autoreload.DJANGO_AUTORELOAD_ENV) == "true":
            worker.configure_signals()
        autoreload.run_with_reloader(self.work, worker, interval=interval, batch=batch)

    def work(self, worker: Worker, *, interval: float, batch: bool) -> None:
        worker_id = worker.worker_id
        # The process that started us: the server script, or the reloader's parent.
        parent = os.getppid()
        started_at = timezone.now()
        last_beat = 0.0
        # Under the reloader this loop runs in a thread that a signal does not unwind:
        # remove the heartbeat at exit too, so /healthz does not wait for it to go stale.
        atexit.register(health.stopped, worker_id=worker_id)
        if self.verbosity:
            self.stdout.write(f"Worker {worker_id} started.")
        try:
            while worker.running:
                if time.monotonic() - last_beat >= settings.WORKER_HEARTBEAT_SECONDS:
                    health.beat(worker_id=worker_id, started_at=started_at)
                    last_beat = time.monotonic()
                schedule.run_due()
                worker.run()
                if batch or os.getppid() != parent:  # done, or whoever started us is gone
                    break
                time.sleep(interval)
        finally:
            health.stopped(worker_id=worker_id)
            atexit.unregister(health.stopped)
            if threading.current_thread() is threading.main_thread():
                worker.reset_signals()
            if self.verbosity:
                self.stdout.write(f"Worker {worker_id} stopped.")
