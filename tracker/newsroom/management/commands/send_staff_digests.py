from django.core.management.base import BaseCommand

from tracker.newsroom import tasks


class Command(BaseCommand):
    help = "Queue today's staff digest (the worker sends it); the worker also runs this daily on its own."

    def handle(self, *args, **options):
        result = tasks.send_staff_digests.enqueue()
        self.stdout.write(f"Queued the staff digest job ({result.id}).")
