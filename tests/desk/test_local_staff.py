"""`manage.py local_staff` prints a login for each role, so the maker-checker flow can be tried."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command


def test_it_creates_a_superuser_and_one_login_per_role(db, settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("local_staff", stdout=out)
    printed = dict(re.findall(r"^\s+(desk|reporter|verifier|editor)\s+(\S+)", out.getvalue(), re.M))
    assert set(printed) == {"desk", "reporter", "verifier", "editor"}
    for username, group in [("reporter", "Reporter"), ("verifier", "Verifier"), ("editor", "Editor")]:
        user = get_user_model().objects.get(username=username)
        assert user.check_password(printed[username]) and user.is_staff and not user.is_superuser
        assert [g.name for g in user.groups.all()] == [group]
    boss = get_user_model().objects.get(username="desk")
    assert boss.check_password(printed["desk"]) and boss.is_superuser


def test_it_refuses_to_print_passwords_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("local_staff", stdout=io.StringIO())
