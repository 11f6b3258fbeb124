"""Make a partner API key and print it once (only its hash is stored).

Editors can do the same in the admin (Partner API keys), and revoke keys there.
"""

from django.core.management.base import BaseCommand, CommandError
from rest_framework_api_key.models import APIKey


class Command(BaseCommand):
    help = "Create a partner API key named NAME and print the key (it cannot be shown again)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="Who the key is for, e.g. 'Example Newsroom' (50 characters at most).")

    def handle(self, *args, name: str, **options):
        name = name.strip()
        if not name or len(name) > 50:
            raise CommandError("The name must be 1 to 50 characters.")
        api_key, key = APIKey.objects.create_key(name=name)
        self.stderr.write(f"API key for {api_key.name} (prefix {api_key.prefix}). Store it now: it is not shown again.")
        self.stdout.write(key)
