"""The record version: one number that moves with every change of the desk's records,
and one that moves only with a change readers can see.

`bump()` runs at the start of every service's transaction (tracker/desk/services/common.py,
`writing()`): the UPDATE both moves the number and takes the row's lock, so the desk's
writers queue on this one row in a fixed order (this row first, their records after)
and cannot deadlock on it.

`public_change(keys)` runs when a change is one readers can see (the event log calls it
when it writes an event: tracker/events/log.py): it moves the public number, under the
same lock, and writes a PublicChange with that number and the keys of what the change
touched. Both become visible with the change itself, on commit, to every app server.
A draft's edits, reviews, comments and assignments move only `number`.

`current()` is what readers check: the public number and its date, one primary-key
read, which on PostgreSQL is also the connection's health check (see `_read_checked`)
and goes straight to libpq when it can (see `_read_libpq`). The response cache
(tracker/caching/) reads the PublicChanges past the number it last saw to learn what
went stale.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

from django.db import IntegrityError, InterfaceError, OperationalError, connections, router, transaction
from django.db.models import F
from django.utils import timezone

from .models import PublicChange, RecordVersion

ROW = 1
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_EPOCH_UNIX = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_CURRENT = f"SELECT public_number, public_changed_at FROM {RecordVersion._meta.db_table} WHERE id = %s"


# Whole microseconds since the epoch: an integer, so the text result needs no date parsing.
_CURRENT_LIBPQ = (
    f"SELECT public_number, (extract(epoch FROM public_changed_at) * 1000000)::bigint "
    f"FROM {RecordVersion._meta.db_table} WHERE id = {ROW}"
).encode()
_STATEMENT = b"tracker_public_version"


def _read(connection):
    with connection.cursor() as cursor:
        cursor.execute(_CURRENT, [ROW])
        return cursor.fetchone()


def _read_checked(connection):
    """The version row; on PostgreSQL also the connection's health check.

    It is a request's first query, and Django checks a reused connection before it with
    a `SELECT 1` of its own (conn_health_checks): a second round trip on every request.
    Here the read is the check: should the server have dropped the connection since the
    last request, the read fails, and is made again once on a new connection.
    """
    folded = (
        connection.vendor == "postgresql"
        and connection.connection is not None
        and connection.health_check_enabled
        and not connection.health_check_done
        and not connection.in_atomic_block
    )
    if not folded:
        return _read(connection)
    connection.health_check_done = True
    try:
        return _read(connection)
    except (OperationalError, InterfaceError):
        if connection.is_usable():
            raise  # the connection is fine: the error is the database's answer
        connection.close()
        return _read(connection)


def _read_libpq(connection):
    """The version row read on the connection's libpq handle, or None to read it the
    usual way.

    Every public page and API answer makes this read, cached or not, and on PostgreSQL
    half of its time was the client's own: Django's cursor wrapper, then psycopg's
    cursor, around a round trip that libpq makes in about as long as the two together
    (docs/benchmarks.md). Here it is one `PQexecPrepared` (see `_execute`). Only on an
    open connection in autocommit (outside any transaction, where Django would have
    nothing to add), with no query being logged or wrapped (debug cursors, the tests'
    query counts): there the usual path runs and is counted. Anything but a row (an error, a dropped
    connection, no row) falls back to the usual path, which raises or reconnects as
    it always has, so the answer and the errors are the same either way.
    """
    raw = connection.connection
    if (
        raw is None
        or connection.vendor != "postgresql"
        or connection.in_atomic_block
        or not connection.get_autocommit()
        or connection.queries_logged
        or connection.execute_wrappers
    ):
        return None
    import psycopg
    from psycopg import pq

    try:
        result = _execute(connection, raw)
    except psycopg.Error:  # a handle psycopg has closed
        return None
    if result.status != pq.ExecStatus.TUPLES_OK or result.ntuples != 1:
        return None
    number, micros = result.get_value(0, 0), result.get_value(0, 1)
    if number is None or micros is None:
        return None
    connection.health_check_done = True  # the read was the check
    return int(number), _EPOCH_UNIX + dt.timedelta(microseconds=int(micros))


def _execute(connection, raw):
    """The read, as a statement prepared once per connection: the server then neither
    parses nor plans it again (126 -> 78 us a read on loopback). Where it cannot be
    prepared or run prepared (a pooler that hands each transaction another server
    connection, a DEALLOCATE, a changed table), that connection reads it unprepared
    from then on."""
    from psycopg import pq

    pgconn = raw.pgconn
    prepared_on, ok = getattr(connection, "_version_statement", (None, False))
    if prepared_on is not raw:
        ok = pgconn.prepare(_STATEMENT, _CURRENT_LIBPQ).status == pq.ExecStatus.COMMAND_OK
        connection._version_statement = (raw, ok)
    if ok:
        result = pgconn.exec_prepared(_STATEMENT, [])
        if result.status == pq.ExecStatus.TUPLES_OK:
            return result
        connection._version_statement = (raw, False)
    return pgconn.exec_(_CURRENT_LIBPQ)


class Version(NamedTuple):
    """The public number and the date of the latest change readers can see."""

    number: int
    changed_at: dt.datetime


def _make_row(**values) -> None:
    """The row, in a flushed test database that lacks it."""
    try:
        with transaction.atomic():
            RecordVersion.objects.create(pk=ROW, **values)
    except IntegrityError:  # made meanwhile by another writer
        pass


def bump() -> None:
    """Move the version. Call it inside the transaction that changes the record."""
    now = timezone.now()
    if RecordVersion.objects.filter(pk=ROW).update(number=F("number") + 1, changed_at=now):
        return
    _make_row(number=2, changed_at=now)


def public_change(keys: Iterable[str]) -> int:
    """Record a change readers can see, touching `keys`: move the public number and write
    the PublicChange, in the caller's transaction (or one of its own). Numbers are taken
    under the row's lock, so they are committed in order. Returns the number."""
    now = timezone.now()
    with transaction.atomic():
        rows = RecordVersion.objects.filter(pk=ROW)
        if not rows.update(public_number=F("public_number") + 1, public_changed_at=now):
            _make_row(changed_at=now, public_number=0, public_changed_at=now)
            rows.update(public_number=F("public_number") + 1, public_changed_at=now)
        number = rows.values_list("public_number", flat=True).get()
        PublicChange.objects.create(number=number, at=now, keys=sorted(set(keys)))
    connection = connections[router.db_for_write(RecordVersion)]
    connection.public_change_pending = True
    return number


def stamp() -> None:
    """Date the version at the end of the change's transaction, as close to its commit
    as the code gets: Last-Modified must not predate a change a reader can see."""
    now = timezone.now()
    connection = connections[router.db_for_write(RecordVersion)]
    if getattr(connection, "public_change_pending", False):
        connection.public_change_pending = False
        RecordVersion.objects.filter(pk=ROW).update(changed_at=now, public_changed_at=now)
        number = RecordVersion.objects.filter(pk=ROW).values_list("public_number", flat=True).first()
        PublicChange.objects.filter(number=number).update(at=now)  # the date readers compare
    else:
        RecordVersion.objects.filter(pk=ROW).update(changed_at=now)


def current() -> Version:
    """The public version now. Every public page and API answer asks, so it is one
    statement on the read connection with no queryset to build (a third of a cached
    hit's time when it went through the ORM)."""
    connection = connections[router.db_for_read(RecordVersion)]
    row = _read_libpq(connection) or _read_checked(connection)
    if row is None:
        return Version(0, _EPOCH)
    number, changed_at = row
    if isinstance(changed_at, str):  # SQLite without its converters
        changed_at = dt.datetime.fromisoformat(changed_at)
    if timezone.is_naive(changed_at):  # SQLite keeps UTC without a zone
        changed_at = changed_at.replace(tzinfo=dt.UTC)
    return Version(int(number), changed_at)
