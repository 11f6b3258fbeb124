"""The record version: one number that moves with every change of the desk's records.

`bump()` runs at the start of every service's transaction (tracker/desk/services/common.py,
`writing()`): the UPDATE both moves the number and takes the row's lock, so the desk's
writers queue on this one row in a fixed order (this row first, their records after)
and cannot deadlock on it. The new number becomes visible with the change itself, on
commit, to every app server: a page cached under the old number is never served again.

`current()` is what readers key on: one primary-key read.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.db import IntegrityError, connections, router, transaction
from django.db.models import F
from django.utils import timezone

from .models import RecordVersion

ROW = 1
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_CURRENT = f"SELECT number, changed_at FROM {RecordVersion._meta.db_table} WHERE id = %s"


class Version(NamedTuple):
    number: int
    changed_at: dt.datetime


def bump() -> None:
    """Move the version. Call it inside the transaction that changes the record."""
    now = timezone.now()
    if RecordVersion.objects.filter(pk=ROW).update(number=F("number") + 1, changed_at=now):
        return
    try:  # the row is missing (a flushed test database): make it
        with transaction.atomic():
            RecordVersion.objects.create(pk=ROW, number=2, changed_at=now)
    except IntegrityError:  # made meanwhile by another writer
        RecordVersion.objects.filter(pk=ROW).update(number=F("number") + 1, changed_at=now)


def stamp() -> None:
    """Date the version at the end of the change's transaction, as close to its commit
    as the code gets: Last-Modified must not predate a change a reader can see."""
    RecordVersion.objects.filter(pk=ROW).update(changed_at=timezone.now())


def current() -> Version:
    """The version now. Every public page and API answer asks, so it is one statement
    on the read connection with no queryset to build (a third of a cached hit's time
    when it went through the ORM)."""
    connection = connections[router.db_for_read(RecordVersion)]
    with connection.cursor() as cursor:
        cursor.execute(_CURRENT, [ROW])
        row = cursor.fetchone()
    if row is None:
        return Version(0, _EPOCH)
    number, changed_at = row
    if isinstance(changed_at, str):  # SQLite without its converters
        changed_at = dt.datetime.fromisoformat(changed_at)
    if timezone.is_naive(changed_at):  # SQLite keeps UTC without a zone
        changed_at = changed_at.replace(tzinfo=dt.UTC)
    return Version(int(number), changed_at)
