import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create (or reset) the local staff login for a development machine and print it."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="desk")

    def handle(self, *args, username: str, **options):
        if not settings.DEBUG:
            raise CommandError("local_staff only runs with DEBUG on: it prints a password.")
        password = secrets.token_urlsafe(12)
        user, _ = get_user_model().objects.get_or_create(username=username)
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        url = f"{settings.SITE_URL}/admin/"
        self.stdout.write(
            self.style.SUCCESS(
                f"\n  Local staff login (superuser) for {url}\n"
                f"    username: {username}\n    password: {password}\n"
                "  A new password is made each time `make run` starts.\n"
            )
        )
