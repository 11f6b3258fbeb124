"""Which kept responses are still fresh: this process's copy of the public changes.

Every change readers can see moves the public record version and writes a
PublicChange with the keys it touched (tracker/desk/versioning.py), in the change's
own transaction. A kept response carries its keys (tags.py) and the public number it
was built at. It is fresh while no change after that number touched any of its keys.

Each request reads the public version (one primary-key read). When the number moved,
this process reads the PublicChanges it has not seen yet (one query, once per change
per process, not per request) and notes, for each key, the last change that touched it.
A draft saved, a review, a comment move nothing here: the next request finds the same
number, and every kept response stays.

The process remembers the changes of the last WINDOW seconds (kept responses expire
sooner: responses.PAGE_TIMEOUT); a response built before them counts as stale. Should
the record's history go back (a database restored from a backup, a test's transaction
rolled back), the dates of the changes no longer match and the process starts afresh.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterable

from django.db import connections, router
from django.utils import timezone

from tracker.desk.models import PublicChange
from tracker.desk.versioning import Version

WINDOW = 900  # seconds; more than a kept response lives
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_SINCE = f"SELECT number, at, keys FROM {PublicChange._meta.db_table} WHERE number >= %s ORDER BY number"
_FLOOR = f"SELECT MAX(number) FROM {PublicChange._meta.db_table} WHERE at < %s"


def _datetime(at) -> dt.datetime:
    if not isinstance(at, dt.datetime):  # SQLite without its converters
        at = dt.datetime.fromisoformat(at)
    if timezone.is_naive(at):  # SQLite keeps UTC without a zone
        at = at.replace(tzinfo=dt.UTC)
    return at


class Stamp(tuple):
    """(number, its date): the public version a response was built at."""

    __slots__ = ()


class Log:
    """This process's memory of the recent public changes. Safe across threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.number = -1  # the public number last read; -1: nothing read yet
        self.floor = 0  # responses built before this number count as stale
        self.dates: dict[int, dt.datetime] = {}  # change number -> its date
        self.moved: dict[str, int] = {}  # key -> the last change that touched it

    def _rows(self, query: str, params: list) -> list[tuple]:
        connection = connections[router.db_for_read(PublicChange)]
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall()

    def _learn(self, rows: Iterable[tuple]) -> None:
        for number, at, keys in rows:
            if isinstance(keys, str):  # the JSON column, read raw
                keys = json.loads(keys)
            self.dates[number] = _datetime(at)
            for key in keys:
                self.moved[key] = number

    def _start(self) -> None:
        self.reset()
        cutoff = timezone.now() - dt.timedelta(seconds=WINDOW)
        self.floor = self._rows(_FLOOR, [cutoff])[0][0] or 0
        self.dates[0] = _EPOCH
        self._learn(self._rows(_SINCE, [self.floor]))

    def _current(self, version: Version) -> bool:
        """Whether this process has seen every change up to `version`."""
        if version.number != self.number:
            return False
        return version.number == 0 or self.dates.get(version.number) == version.changed_at

    def sync(self, version: Version) -> None:
        """Catch up with the public version a request read."""
        if self._current(version):
            return
        with self.lock:
            if self._current(version):
                return
            if version.number < self.number and version.number and self.dates.get(version.number) == version.changed_at:
                return  # a request that read the version before another thread caught up
            if self.number < 0 or version.number < self.number:
                self._start()
            else:
                rows = self._rows(_SINCE, [self.number])
                if self.number and (
                    not rows or rows[0][0] != self.number or _datetime(rows[0][1]) != self.dates[self.number]
                ):
                    self._start()  # the history went back, and on again: start afresh
                else:
                    self._learn(rows)
            self.number = max(version.number, max(self.dates))
            self._prune()

    def _prune(self) -> None:
        """Forget changes older than the window (a response built before them is stale)."""
        if len(self.dates) < 4096:
            return
        cutoff = timezone.now() - dt.timedelta(seconds=WINDOW)
        old = [number for number, at in self.dates.items() if at < cutoff and number]
        if not old:
            return
        self.floor = max(self.floor, max(old))
        for number in old:
            if number != self.floor:
                del self.dates[number]
        self.moved = {key: number for key, number in self.moved.items() if number > self.floor}

    def stamp(self) -> Stamp:
        """The stamp of a response built now: the latest change this process has seen
        (read before the response's own queries, so it never claims a later one)."""
        number = self.number
        return Stamp((number, self.dates.get(number, _EPOCH)))

    def fresh(self, stamp: Stamp, keys: Iterable[str]) -> bool:
        number, at = stamp
        if number < self.floor or self.dates.get(number, _EPOCH if number == 0 else None) != at:
            return False
        moved = self.moved
        if moved.get("*", 0) > number:
            return False
        return all(moved.get(key, 0) <= number for key in keys)


log = Log()
