"""For tests that count a page's queries: this process learns the public changes made
so far first (tracker/caching/freshness.py: once per change per process, not per page),
so what is counted is the page's own queries."""

from tracker.caching import freshness
from tracker.desk import versioning


def caught_up() -> None:
    freshness.log.sync(versioning.current())
