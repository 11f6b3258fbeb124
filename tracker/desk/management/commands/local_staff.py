import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from tracker.desk.roles import EDITOR, REPORTER, VERIFIER

# One login per role, so that someone trying the site can walk the maker-checker flow:
# the reporter drafts and submits, the verifier publishes, the editor corrects or retracts.
ROLE_LOGINS = [("reporter", REPORTER), ("verifier", VERIFIER), ("editor", EDITOR)]


class Command(BaseCommand):
    help = "Create (or reset) the local staff logins for a development machine and print them."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="desk", help="The superuser's username.")

    def _reset(self, username: str, *, superuser: bool, group: str | None) -> str:
        password = secrets.token_urlsafe(12)
        user, _ = get_user_model().objects.get_or_create(username=username)
        user.is_staff = user.is_active = True
        user.is_superuser = superuser
        user.set_password(password)
        user.save()
        if group:
            try:
                user.groups.set([Group.objects.get(name=group)])
            except Group.DoesNotExist:
                raise CommandError(f"The {group} group is missing: run `manage.py migrate` first.") from None
        return password

    def handle(self, *args, username: str, **options):
        if not settings.DEBUG:
            raise CommandError("local_staff only runs with DEBUG on: it prints passwords.")
        lines = [f"    {username:<10} {self._reset(username, superuser=True, group=None)}   (superuser)"]
        for login, group in ROLE_LOGINS:
            lines.append(f"    {login:<10} {self._reset(login, superuser=False, group=group)}   ({group})")
        url = f"{settings.SITE_URL}/admin/"
        self.stdout.write(
            self.style.SUCCESS(
                f"\n  Local staff logins for {url}\n    username   password\n"
                + "\n".join(lines)
                + "\n  New passwords are made each time `make run` starts.\n"
            )
        )
