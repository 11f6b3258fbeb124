"""The background worker: `python manage.py run_worker`.

It runs the jobs in the database (django-tasks-db), the webhook deliveries and the
mail outbox, each on loops of their own, enqueues the recurring jobs when they are due
(schedule.py) and writes a heartbeat that /healthz reads (tracker/delivery/worker.py).
It outlives database restarts and hangs. `make run` and `make serve` start it beside
the web server and restart it should it ever stop (scripts/with-worker); in production
systemd does (docs/deploying.md). It also stops by itself when the process that
started it goes away.
"""

import os

from django.core.management.base import BaseCommand
from django.utils import autoreload

from tracker.delivery.worker import Runner


class Command(BaseCommand):
    help = "Run background jobs, webhook deliveries and alert mail until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds to wait when nothing is due.")
        parser.add_argument("--batch", action="store_true", help="Run what is due now, then exit.")
        parser.add_argument(
            "--webhook-loops", type=int, default=None, help="Webhook loops beside the mail loop (WEBHOOK_WORKERS)."
        )
        parser.add_argument(
            "--reload",
            action="store_true",
            default=False,
            help="Restart on code changes (development). Off by default: a stop under the reloader "
            "skips the clean shutdown, so /healthz sees the worker as alive until its heartbeat is stale.",
        )
        parser.add_argument("--no-reload", action="store_false", dest="reload")

    def handle(self, *, interval: float, batch: bool, webhook_loops, reload: bool, verbosity: int, **options):
        def run() -> None:
            runner = Runner(interval=interval, webhook_loops=webhook_loops, verbosity=verbosity, out=self.stdout)
            if batch:
                runner.run_batch()
            else:
                runner.run_forever(parent=os.getppid())

        if reload and not batch:
            autoreload.run_with_reloader(run)
        else:
            run()
