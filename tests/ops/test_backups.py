"""`manage.py backup` then `manage.py restore` brings back every row of every table:
each record and its full history, exactly, on SQLite and on PostgreSQL."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tracker.desk import services
from tracker.desk.models import Claim, Topic


def snapshot() -> dict[str, list[tuple]]:
    tables = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(include_views=False)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            tables[table] = sorted(cursor.fetchall(), key=repr)
    return tables


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_every_record_and_its_history_exactly(tmp_path, staff):
    call_command("load_seeds", stdout=io.StringIO())
    editor = staff.editor  # an account that exists in the backup
    before = snapshot()
    assert Claim.objects.exists() and before["desk_historicalclaim"]

    out = io.StringIO()
    call_command("backup", "--output", str(tmp_path / "tracker.backup"), stdout=out)
    path = out.getvalue().strip()

    # After the backup: a new record, and a published claim retracted.
    services.record_create(model=Topic, by=editor, fields={"slug": "after", "name": "After"}, links={}, rows={})
    claim = Claim.objects.published().first()
    services.claim_retract(claim=claim, by=editor, note="Retracted after the backup.")
    assert snapshot() != before

    call_command("restore", path, stdout=io.StringIO())

    assert snapshot() == before
    # Sequences came back too: the next record gets a fresh key, not a collision.
    topic = services.record_create(model=Topic, by=editor, fields={"slug": "later", "name": "Later"}, links={}, rows={})
    assert topic.pk > max(row[0] for row in before["desk_topic"])


def test_a_restore_refuses_a_file_that_is_not_a_backup_and_changes_nothing(db, tmp_path, make_claim):
    make_claim()
    before = snapshot()
    junk = tmp_path / "not-a-backup.dump"
    junk.write_bytes(b"hello, this is not a database")

    with pytest.raises(CommandError, match="is not a"):
        call_command("restore", str(junk), stdout=io.StringIO())
    with pytest.raises(CommandError, match="no backup file"):
        call_command("restore", str(tmp_path / "missing"), stdout=io.StringIO())
    assert snapshot() == before


@pytest.mark.django_db(transaction=True)
def test_a_restore_refuses_a_damaged_or_truncated_backup_with_a_clear_message(tmp_path, make_claim):
    make_claim()
    out = io.StringIO()
    call_command("backup", "--output", str(tmp_path / "whole.backup"), stdout=out)
    whole = (tmp_path / "whole.backup").read_bytes()
    before = snapshot()
    cut = tmp_path / "cut-short.backup"
    cut.write_bytes(whole[: len(whole) // 2])  # a copy that stopped halfway
    damaged = tmp_path / "damaged.backup"
    middle = len(whole) // 2
    damaged.write_bytes(whole[:middle] + bytes(4096) + whole[middle + 4096 :])  # a bad block

    for broken in (cut, damaged):
        with pytest.raises(CommandError, match="nothing was changed") as refused:
            call_command("restore", str(broken), stdout=io.StringIO())
        assert "Traceback" not in str(refused.value)
        assert snapshot() == before
