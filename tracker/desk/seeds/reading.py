"""Reading seed files: the seed accounts, where a problem is, and the small parsers every
file's loader shares."""

import datetime as dt
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from ..models import Agreement, Meeting, Party, Person, Source, Topic
from ..roles import EDITOR, REPORTER, sync_roles
from ..text import strip_control_chars

SEED_FILES = ["sources.yaml", "reference.yaml", "people.yaml", "agreements.yaml", "meetings.yaml", "claims.yaml"]

# The seeded record was drafted, reviewed and edited by the desk before the system
# existed; these accounts stand for those people, so that the seeds go through the
# same services, and maker-checker holds, as for anything made in the admin.
SEED_DRAFTER = "desk-seed-reporter"
SEED_REVIEWER = "desk-seed-verifier"
SEED_EDITOR = "desk-seed-editor"


class SeedError(Exception):
    def __init__(self, file: str, record: str, message: str):
        self.file, self.record, self.message = file, record, message
        super().__init__(f"{file}: {record}: {message}")


class _Context:
    """Where we are, for error messages, plus the slug lookups built so far."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.file = ""
        self.record = ""
        self.row_index = 0
        self.sources: dict[str, Source] = {}
        self.parties: dict[str, Party] = {}
        self.topics: dict[str, Topic] = {}
        self.people: dict[str, Person] = {}
        self.agreements: dict[str, Agreement] = {}
        self.meetings: dict[str, Meeting] = {}
        self.changed: set[tuple[str, int]] = set()
        self.steps: list = []  # history._Step: the corrections to publish, in _replay
        self.today = timezone.localdate()
        self.reporter = self.verifier = self.editor = None

    def fail(self, message: str) -> SeedError:
        return SeedError(self.file, self.record, message)

    def ref(self, table: dict, key: Any, what: str):
        try:
            return table[key]
        except (KeyError, TypeError):
            raise self.fail(f"unknown {what} {key!r}") from None

    def refs(self, table: dict, keys: Any, what: str) -> list:
        if keys is None:
            return []
        if not isinstance(keys, list):
            raise self.fail(f"{what} must be a list, not {keys!r}")
        return [self.ref(table, key, what) for key in keys]

    def mark_changed(self, record: models.Model) -> None:
        self.changed.add((type(record).__name__, record.pk))


def _date(ctx: _Context, value: Any, field: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ctx.fail(f"{field} must be a date like 2025-10-29, not {value!r}") from None


def _choice(ctx: _Context, value: Any, choices: type[models.TextChoices], field: str) -> str:
    if value not in choices.values:
        raise ctx.fail(f"{field} {value!r} is not one of {', '.join(choices.values)}")
    return value


def _require(ctx: _Context, row: dict, *fields: str) -> None:
    if not isinstance(row, dict):
        raise ctx.fail(f"expected a mapping of fields, got {row!r}")
    missing = [f for f in fields if row.get(f) in (None, "")]
    if missing:
        raise ctx.fail(f"missing {', '.join(missing)}")


def _message(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(exc.messages)


def _rows(ctx: _Context, data: Any, key: str | None = None) -> list:
    rows = data.get(key) if key and isinstance(data, dict) else data
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise ctx.fail(f"expected a list{f' under {key!r}' if key else ''}")
    return rows


def _each(ctx: _Context, rows: list, label: Callable[[dict], str]):
    seen = set()
    for index, row in enumerate(rows):
        ctx.record, ctx.row_index = f"#{index + 1}", index
        if isinstance(row, dict):
            ctx.record = label(row) or ctx.record
        if ctx.record in seen:
            raise ctx.fail("appears twice")
        seen.add(ctx.record)
        yield row


@contextmanager
def _refused_as_seed_error(ctx: _Context):
    """A service's refusal, reported with the seed file and record it came from."""
    try:
        yield
    except ValidationError as exc:
        raise ctx.fail(_message(exc)) from None


def _clean_note(value: Any) -> str:
    return strip_control_chars(str(value or "")).strip()


def _seed_users(ctx: _Context) -> None:
    """The accounts the seeded record is written by. They hold their roles but cannot
    sign in (no usable password), so maker-checker holds for the seeds too."""
    from django.apps import apps
    from django.contrib.auth.models import Group

    if not Group.objects.filter(name=EDITOR).exists():
        sync_roles(apps)  # a test database flushed after the migrations ran
    User = get_user_model()
    for attr, username, role in (("reporter", SEED_DRAFTER, REPORTER), ("verifier", SEED_REVIEWER, EDITOR),
                                 ("editor", SEED_EDITOR, EDITOR)):  # fmt: skip
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, is_active=True)
            user.set_unusable_password()
            user.save()
        if not user.is_active:
            User.objects.filter(pk=user.pk).update(is_active=True)
            user.is_active = True
        if not user.groups.filter(name=role).exists():
            user.groups.set([Group.objects.get(name=role)])
        setattr(ctx, attr, User.objects.get(pk=user.pk))  # fresh, without a cached permission set
