from django.core.management.base import BaseCommand
from django.db import transaction

from tracker.desk import versioning
from tracker.search.index import fill_index


class Command(BaseCommand):
    help = "Rebuild the full-text search index from the published records."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            versioning.bump()
            size = fill_index()
            versioning.public_change(["changed:claim", "changed:source", "changed:agreement", "changed:meeting"])
            versioning.stamp()
        self.stdout.write(f"Search index rebuilt: {size} published records.")
