"""With DATABASE_REPLICA_URL, public pages and the API read from the replica; the admin,
every POST and /healthz's primary check use the primary; migrations run on the primary
only. The probe runs in its own process because the setting is read at start-up."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import connection

from tracker import backups
from tracker.routers import PrimaryReplicaRouter


def database_url(tmp_path: Path) -> str:
    if connection.vendor == "sqlite":  # the suite's database is in memory: a file copy of it
        return f"sqlite:///{backups.backup(tmp_path / 'db.sqlite3')}"
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def test_public_reads_go_to_the_replica_and_the_admin_to_the_primary(transactional_db, tmp_path):
    url = database_url(tmp_path)  # transactional: what the probe reads is committed
    env = {
        **os.environ,
        "PYTHONPATH": str(settings.BASE_DIR),
        "DATABASE_URL": url,
        "DATABASE_REPLICA_URL": url,
        "DEBUG": "true",
        "CACHE_URL": "locmem://",
    }
    probe = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("replica_probe.py"))],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert probe.returncode == 0, probe.stderr[-3000:]
    results = json.loads(probe.stdout.strip().splitlines()[-1])

    for public in ("GET /claims/", "GET /api/v1/claims/"):
        assert results[public]["status"] == 200, probe.stderr[-2000:]
        assert results[public]["replica"] > 0 and results[public]["default"] == 0, (public, results[public])
    # A page that shows no record reads nothing (it serves while the database hangs).
    assert results["GET /methodology/"] == {"status": 200, "default": 0, "replica": 0}
    for staff in ("GET /admin/login/", "POST /admin/login/"):
        assert results[staff]["replica"] == 0, (staff, results[staff])
    assert results["POST /admin/login/"]["default"] > 0  # the failed sign-in is recorded on the primary
    health = results["GET /healthz"]
    assert health["status"] == 200
    assert health["checks"]["database"] == health["checks"]["replica"] == "ok"  # each checked


def test_writes_and_migrations_never_go_to_the_replica():
    router = PrimaryReplicaRouter()
    assert router.db_for_write(None) == "default"
    assert router.db_for_read(None) == "default"  # outside a public request
    assert router.allow_migrate("replica", "desk") is False
    assert router.allow_migrate("default", "desk") is True
