"""The time a change is recorded at: now, except while the seed loader replays the past.

The seeded record has a history of its own (seeds/README.md): each record was first
published on a stated day and each correction made on a stated day. When `load_seeds`
writes a record or a correction through the services, it sets that day here with
`seeded_at`, and everything the change writes that readers and partners date it by
takes it: the record's first publication, a verdict's date, correction notes, history
rows (which the as-of views read) and events. `updated_at`, which partners sync on,
keeps the real time, so that a change loaded today is never older than a partner's
last sync. Nothing but the seed loader sets this clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone

_seeded: ContextVar[dt.datetime | None] = ContextVar("seeded_at", default=None)


def now() -> dt.datetime:
    """The time of the change being written."""
    return _seeded.get() or timezone.now()


def seeded_time() -> dt.datetime | None:
    """The seeded record's time while the loader replays it, else None."""
    return _seeded.get()


@contextmanager
def seeded_at(when: dt.datetime) -> Iterator[None]:
    """Date what is written inside at `when` (the seed loader only)."""
    if timezone.is_naive(when):
        raise ValueError("A seeded time needs a time zone.")
    token = _seeded.set(when)
    try:
        yield
    finally:
        _seeded.reset(token)


def date_new_row(sender, instance, raw=False, **kwargs) -> None:
    """pre_save: a record of the desk or the event log created while the clock is seeded
    is created at the seeded time (its correction notes, evidence, workflow steps).
    Machinery (deliveries, tasks) keeps the real time."""
    when = _seeded.get()
    if when is None or raw or not instance._state.adding or sender._meta.app_label not in ("desk", "events"):
        return
    if hasattr(sender, "instance_type"):
        return  # a history row copies its record's created_at, and is dated below
    if hasattr(instance, "created_at"):
        instance.created_at = when


def date_history_row(sender, history_instance, **kwargs) -> None:
    """simple-history's pre_create_historical_record: a history row written while the
    clock is seeded is dated at the seeded time (the as-of views read these dates)."""
    when = _seeded.get()
    if when is not None:
        history_instance.history_date = when
