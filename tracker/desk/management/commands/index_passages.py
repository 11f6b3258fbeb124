from django.core.management.base import BaseCommand
from django.db import transaction

from tracker.desk.candidates import index_passages
from tracker.desk.models import Source


class Command(BaseCommand):
    help = (
        "Build the passages (for candidate evidence) of sources that have none, e.g. sources "
        "made with bulk_create by generate_demo. --all rebuilds every source's passages."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Rebuild every source, not only those without passages.")

    def handle(self, *args, all: bool, **options):
        sources = Source.objects.all() if all else Source.objects.filter(passages__isnull=True)
        done = 0
        for source in sources.only("pk", "text").iterator(chunk_size=200):
            with transaction.atomic():
                index_passages(source)
            done += 1
        self.stdout.write(f"Indexed the passages of {done} source(s).")
