from django.core.management.base import BaseCommand, CommandError

from tracker import backups


class Command(BaseCommand):
    help = (
        "Replace the database's content with a backup made by `manage.py backup`. "
        "Stop the app servers first; run `migrate` after restoring an older backup."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", help="The backup file.")

    def handle(self, *args, backup: str, **options):
        try:
            backups.restore(backup)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {backup}.")
