from django.core.management.base import BaseCommand

from tracker.search.index import rebuild_index


class Command(BaseCommand):
    help = "Rebuild the full-text search index from the published records."

    def handle(self, *args, **options) -> None:
        size = rebuild_index()
        self.stdout.write(f"Search index rebuilt: {size} published records.")
