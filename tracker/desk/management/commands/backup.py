import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tracker import backups


class Command(BaseCommand):
    help = "Back the whole database up into one file (pg_dump, or SQLite's online backup) and print its path."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="The file to write (default: backups/tracker-<UTC time>.<dump|sqlite3>).")

    def handle(self, *args, output=None, **options):
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        path = Path(output) if output else settings.BASE_DIR / "backups" / f"tracker-{stamp}.{backups.default_name()}"
        try:
            written = backups.backup(path)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(written))
