"""The SQLite test database from an image: the migrations run once, not once per worker.

Running the migrations is the dearest part of a test run's start (about 17 s of CPU:
Django renders the models' state after each of ~90 migrations), and pytest-xdist pays it
in every worker. Instead, the first worker to need a test database migrates it and
saves it to `.test-db/<key>.sqlite3`; the others (and later runs) copy that image into
their own in-memory database with SQLite's backup API, in milliseconds.

The key hashes Django's version and every migration file of every installed app, with
the project modules those migrations import (the roles' permissions, the search index):
change any of them and the next run migrates afresh. A lock file makes concurrent
workers wait for the one migrating. PostgreSQL (CI's second run) migrates as before.
`rm -rf .test-db` forgets the images.
"""

import contextlib
import fcntl
import hashlib
import os
import re
import sqlite3
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.core import management
from django.db import DEFAULT_DB_ALIAS, connections

IMAGES = Path(settings.BASE_DIR) / ".test-db"
_IMPORTED = re.compile(r"^\s*(?:from|import)\s+(tracker(?:\.\w+)+)", re.MULTILINE)


def image_key() -> str:
    digest = hashlib.sha256(f"{django.__version__} {settings.AUTH_USER_MODEL}".encode())
    modules: set[str] = set()
    for app in sorted(apps.get_app_configs(), key=lambda config: config.label):
        folder = Path(app.path) / "migrations"
        for path in sorted(folder.glob("*.py")) if folder.is_dir() else []:
            text = path.read_bytes()
            digest.update(f"{app.label}/{path.name}".encode() + text)
            modules.update(_IMPORTED.findall(text.decode("utf-8", "replace")))
    root = Path(settings.BASE_DIR)
    for module in sorted(modules):
        path = root.joinpath(*module.split(".")).with_suffix(".py")
        if path.exists():
            digest.update(module.encode() + path.read_bytes())
    return digest.hexdigest()[:20]


def _save(connection, image: Path) -> None:
    partial = image.with_name(f"{image.name}.{os.getpid()}.partial")
    target = sqlite3.connect(partial)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    os.replace(partial, image)


def _load(connection, image: Path) -> None:
    source = sqlite3.connect(f"file:{image}?mode=ro", uri=True)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


@contextlib.contextmanager
def migrations_from_image():
    """While the test databases are set up, `migrate` on an in-memory SQLite database
    loads the image (making it first if there is none)."""
    real = management.call_command

    def call_command(name, *args, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if name != "migrate" or connection.vendor != "sqlite" or not connection.is_in_memory_db():
            return real(name, *args, **options)
        IMAGES.mkdir(exist_ok=True)
        image = IMAGES / f"{image_key()}.sqlite3"
        with open(IMAGES / f"{image.name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not image.exists():
                result = real(name, *args, **options)
                connection.ensure_connection()
                _save(connection, image)
                return result
        connection.ensure_connection()
        _load(connection, image)
        return None

    management.call_command = call_command
    try:
        yield
    finally:
        management.call_command = real
