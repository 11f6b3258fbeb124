"""Parts of a page kept under their own keys, so a page assembles from them: a change
rebuilds the parts it touched and reuses the rest (Rails' "Russian doll" caching).

`part(name, build, lists=...)` returns what `build()` returns (plain values and model
instances, which are pickled), kept in the shared cache with the keys of the records
loaded while it was built and the lists declared, and fresh by the same rule as whole
responses (freshness.py). The page being built takes on the part's keys either way, so
the page itself is dropped whenever one of its parts is.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.utils import timezone

from tracker.outage import CACHE_ERRORS

from . import freshness, tags
from .responses import PAGE_TIMEOUT


def part[T](name: str, build: Callable[[], T], *, lists: Iterable[str] = ()) -> T:
    key = f"part:{timezone.localdate()}:{name}"
    try:
        entry = cache.get(key)
    except CACHE_ERRORS:
        entry = None
    if entry is not None:
        value, keys, stamp = entry
        if freshness.log.fresh(stamp, keys):
            tags.add(keys)
            return value
    stamp = freshness.log.stamp()  # before the part's own queries
    with tags.collecting() as collector:
        tags.lists(lists)
        value = build()
    keys = collector.result()
    with contextlib.suppress(*CACHE_ERRORS):
        cache.set(key, (value, keys, stamp), PAGE_TIMEOUT)
    return value
