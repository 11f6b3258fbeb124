"""The keys a response is kept under besides its address: what it shows.

While a response is built, every record the desk loads from the database adds its key
(`claim:<slug>`, `party:<code>`...: tracker/events/touched.py names the same keys when
a change touches them), and the view declares what else it depends on: the record a
page is about (`about:...`, the records naming it), the lists it shows (`list:claim`),
or any change of a type (`changed:claim`). A response that declares nothing depends on
every public change (`public`): forgetting a declaration costs speed, never
correctness.

A record loaded without its slug (a deferred field) adds `changed:<type>` instead:
any change of that type then drops the response.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db.models import Model
from django.db.models.signals import post_init

from tracker.desk.models import Agreement, Claim, Meeting, Party, Person, Source, Topic

RECORD_TYPES: dict[type[Model], tuple[str, str]] = {
    Claim: ("claim", "slug"),
    Source: ("source", "slug"),
    Agreement: ("agreement", "slug"),
    Meeting: ("meeting", "slug"),
    Person: ("person", "slug"),
    Party: ("party", "code"),
    Topic: ("topic", "slug"),
}
TYPES = tuple(record_type for record_type, _field in RECORD_TYPES.values())
EVERYTHING = "public"


class Collector:
    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.declared = False

    def result(self) -> frozenset[str]:
        return frozenset(self.keys if self.declared else self.keys | {EVERYTHING})


_current: contextvars.ContextVar[Collector | None] = contextvars.ContextVar("tracker_cache_keys", default=None)


@contextmanager
def collecting() -> Iterator[Collector]:
    """Collect the keys of the response (or the part of one) built inside. A part's
    keys are the keys of the response it is part of, too."""
    outer = _current.get()
    collector = Collector()
    token = _current.set(collector)
    try:
        yield collector
    finally:
        _current.reset(token)
        if outer is not None:
            outer.keys |= collector.result()


def add(keys: Iterable[str]) -> None:
    """The response being built shows a kept part with these keys."""
    collector = _current.get()
    if collector is not None:
        collector.keys.update(keys)


def record_key(record: Model) -> str:
    record_type, field = RECORD_TYPES[type(record)]
    value = record.__dict__.get(field)
    return f"{record_type}:{value}" if value is not None else f"changed:{record_type}"


def _loaded(sender, instance, **kwargs) -> None:
    collector = _current.get()
    if collector is not None:
        collector.keys.add(record_key(instance))


def connect_signals() -> None:
    for model in RECORD_TYPES:
        post_init.connect(_loaded, sender=model, dispatch_uid=f"cache-keys-{model.__name__}")


def depends_on(*keys: str) -> None:
    """Declare what the response being built depends on besides the records it loads
    (nothing more, when called with no keys)."""
    collector = _current.get()
    if collector is not None:
        collector.declared = True
        collector.keys.update(keys)


def about(record: Model) -> None:
    """The response is a record's own page: it also lists the records that name it."""
    key = record_key(record)
    depends_on(key, f"about:{key}")


def lists(record_types: Iterable[str], *, changes: bool = False) -> None:
    """The response lists records of these types; with `changes`, filtered or ordered
    by the date of their last change (or by their text: any change can move them)."""
    record_types = list(record_types)
    depends_on(*(f"list:{t}" for t in record_types), *(f"changed:{t}" for t in record_types if changes))
