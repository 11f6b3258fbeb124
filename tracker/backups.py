"""Backups of the whole database in one file, and restores that bring back every record
and its full history exactly (`make backup`, `make restore BACKUP=<file>`).

- PostgreSQL: `pg_dump --format=custom` (tables, sequences, indexes, constraints and
  data, consistent as of one snapshot while the site keeps running), restored with
  `pg_restore --clean --if-exists --single-transaction`: all of it or nothing.
- SQLite: the online backup API (`sqlite3.Connection.backup`), page by page, consistent
  even while the site writes, then compacted (no free pages); restored the same way
  into the live database.

The password, if any, goes to the PostgreSQL tools through PGPASSWORD, never on a
command line (where `ps` shows it). A restore checks the file is the kind of backup
the configured database takes before touching anything.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections

PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(Exception):
    pass


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return path


def _pg_args_and_env(settings_dict: dict) -> tuple[list[str], dict[str, str]]:
    args = ["--dbname", settings_dict["NAME"], "--no-password"]
    if settings_dict.get("HOST"):
        args += ["--host", settings_dict["HOST"]]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", settings_dict["USER"]]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return args, env


def _run(command: list[str], env: dict[str, str], failure: str = "") -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        why = f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}"
        raise BackupError(f"{failure} ({why})." if failure else why)


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][-300:] if lines else "no message"


def _check_sqlite(source: sqlite3.Connection, path: Path) -> None:
    """The whole file reads as a database: a file cut short or damaged is refused
    before the live database is touched (a restore copies page by page)."""
    rows = source.execute("PRAGMA quick_check").fetchall()
    if rows != [("ok",)]:
        problems = "; ".join(str(row[0]) for row in rows[:3])
        raise BackupError(f"{path} is damaged or cut short ({problems}); nothing was changed.")


def default_name(alias: str = "default") -> str:
    connection = connections[alias]
    return "dump" if connection.vendor == "postgresql" else "sqlite3"


def backup(path: Path, alias: str = "default") -> Path:
    """Writes the whole database to `path` (one file) and returns it."""
    connection = connections[alias]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    if connection.vendor == "postgresql":
        args, env = _pg_args_and_env(connection.settings_dict)
        dump = [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(partial)]
        _run([*dump, *args], env)
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(partial)
        try:
            connection.connection.backup(target)
            # The copy without free pages: every block of the file holds data, so a
            # restore's check finds any block damaged later (a zeroed free page was not
            # seen as damage).
            target.execute("VACUUM")
        finally:
            target.close()
    else:
        raise BackupError(f"No backup for a {connection.vendor} database.")
    partial.replace(path)  # a file named like a backup is always a whole one
    return path


def restore(path: Path, alias: str = "default") -> None:
    """Replaces the database's content with the backup at `path`."""
    connection = connections[alias]
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}.")
    with open(path, "rb") as file:
        head = file.read(16)
    if connection.vendor == "postgresql":
        if not head.startswith(PG_MAGIC):
            raise BackupError(f"{path} is not a PostgreSQL backup (pg_dump --format=custom); nothing was changed.")
        # Its table of contents must read whole before anything is touched; a file cut
        # short past it fails inside the restore's one transaction, which changes nothing.
        listed = subprocess.run([_pg_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True)
        if listed.returncode != 0:
            raise BackupError(f"{path} is damaged or cut short ({_last_line(listed.stderr)}); nothing was changed.")
        connection.close()  # our own connection must not hold locks on the tables being replaced
        args, env = _pg_args_and_env(connection.settings_dict)
        _run(
            [
                _pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                *args,
                str(path),
            ],
            env,
            failure="The restore failed and was rolled back; nothing was changed",
        )
    elif connection.vendor == "sqlite":
        if head != SQLITE_MAGIC:
            raise BackupError(f"{path} is not a SQLite backup; nothing was changed.")
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            _check_sqlite(source, path)
            connection.ensure_connection()
            source.backup(connection.connection)
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{path} is damaged or cut short ({exc}); nothing was changed.") from exc
        finally:
            source.close()
    else:
        raise BackupError(f"No restore for a {connection.vendor} database.")
