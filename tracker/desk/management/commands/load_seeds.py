from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tracker.desk.seeds import SeedError, load_seeds


class Command(BaseCommand):
    help = "Load the desk's seed sources and curated records (idempotent, all-or-nothing)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--folder",
            type=Path,
            default=settings.BASE_DIR / "seeds",
            help="The seed folder (default: seeds/ in the project).",
        )

    def handle(self, *args, folder: Path, **options):
        try:
            changed = load_seeds(folder)
        except SeedError as exc:
            raise CommandError(f"Seeds not loaded, nothing changed. {exc}") from None
        if changed:
            self.stdout.write(self.style.SUCCESS(f"Seeds loaded: {changed} records created or updated."))
        else:
            self.stdout.write("Seeds already loaded: nothing changed.")
