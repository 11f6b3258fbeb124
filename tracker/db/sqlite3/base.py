"""SQLite with persistent connections that notice when the database file goes away.

Opening a connection (and setting its pragmas) cost more than the rest of a cached
page, so SQLite connections are kept between requests like PostgreSQL's (CONN_MAX_AGE).
An open SQLite connection, though, holds the file it opened: it would go on reading a
file that was deleted, moved with its unmounted volume, or replaced by `make restore`.
Django asks `is_usable()` before a request's first query (conn_health_checks), so here
that check compares the file at the database's path with the one the connection opened
(one stat call): if it is gone or another file, the connection is closed and the next
one opens what is there now, or fails as an outage (tracker/outage.py).
"""

import os

from django.db.backends.sqlite3 import base


def _identity(path: str) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


class DatabaseWrapper(base.DatabaseWrapper):
    opened_file: tuple[int, int] | None = None

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        self.opened_file = None if self.is_in_memory_db() else _identity(str(self.settings_dict["NAME"]))
        return connection

    def is_usable(self) -> bool:
        if self.opened_file is None:  # an in-memory database (the test suite's)
            return super().is_usable()
        return _identity(str(self.settings_dict["NAME"])) == self.opened_file
