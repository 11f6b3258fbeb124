"""Writing down what was done, even while the database is away.

After a webhook was POSTed or a mail handed to the mail server, the worker must record
it, or the next attempt would send it again. If the database is unreachable at that
moment (restarting, failing over, frozen), the record is not dropped: it is tried again,
each try under a deadline of its own, with growing waits, until the database answers or
GIVE_UP_AFTER has passed.
"""

import logging
import time
from collections.abc import Callable

from django.db import connections

from tracker import deadline
from tracker.outage import DATABASE_ERRORS

logger = logging.getLogger("tracker.delivery")
GIVE_UP_AFTER = 600.0  # seconds
WRITE_DEADLINE = 30.0  # seconds for one try (a frozen database: tracker/deadline.py)


def close_this_threads_connections() -> None:
    """Drop this thread's database connections after an outage, so the next query
    connects afresh; never inside a transaction (only a test runs the worker in one)."""
    if not any(connection.in_atomic_block for connection in connections.all(initialized_only=True)):
        connections.close_all()


def until_the_database_answers[T](write: Callable[[], T], *, what: str, give_up_after: float = GIVE_UP_AFTER) -> T:
    started, delay, logged = time.monotonic(), 0.2, 0.0
    while True:
        try:
            with deadline.deadline(WRITE_DEADLINE, f"recording {what}", fresh=True):
                return write()
        except DATABASE_ERRORS as exc:
            if time.monotonic() - started > give_up_after:
                raise
            if time.monotonic() - logged > 10:
                logged = time.monotonic()
                logger.warning("database unavailable while recording %s (%s); trying again", what, type(exc).__name__)
            close_this_threads_connections()  # the next try connects afresh
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
