"""The version read doubles as the connection's health check on PostgreSQL."""

import psycopg
import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from tracker.desk import versioning
from tracker.desk.models import RecordVersion

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's connections only")


def start_request() -> None:
    """What Django does when a request starts (request_started -> close_old_connections)."""
    connection.close_if_unusable_or_obsolete()


def terminate_from_elsewhere(pid: int) -> None:
    params = connection.get_connection_params()
    with psycopg.connect(**{**params, "dbname": connection.settings_dict["NAME"]}, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.fixture
def reused_connection(transactional_db, settings):
    """A persistent, health-checked connection, as in production."""
    connection.settings_dict["CONN_MAX_AGE"] = 60
    connection.settings_dict["CONN_HEALTH_CHECKS"] = True
    connection.close()
    versioning.current()  # connects
    yield connection
    connection.settings_dict["CONN_MAX_AGE"] = 0
    connection.settings_dict["CONN_HEALTH_CHECKS"] = False
    connection.close()


def test_a_request_on_a_reused_connection_sends_no_separate_health_check(reused_connection, monkeypatch):
    checks = []
    wrapper = connections["default"]
    original = type(wrapper).is_usable
    monkeypatch.setattr(type(wrapper), "is_usable", lambda self: checks.append(1) or original(self))
    pid = reused_connection.connection.info.backend_pid
    start_request()

    versioning.current()

    assert checks == []
    assert reused_connection.connection.info.backend_pid == pid  # the same connection, still in use


def test_a_connection_the_server_dropped_between_requests_is_replaced_without_an_error(reused_connection):
    before = versioning.current()
    pid = reused_connection.connection.info.backend_pid
    terminate_from_elsewhere(pid)
    start_request()

    assert versioning.current() == before
    assert reused_connection.connection.info.backend_pid != pid


@pytest.fixture
def autocommit_connection(transactional_db):
    versioning.bump()  # connects, and makes the row a flushed database lacks
    yield connection


def test_the_libpq_read_answers_what_the_usual_read_answers(autocommit_connection):
    for change in (versioning.bump, lambda: versioning.public_change(["public"]), versioning.stamp):
        change()
        fast = versioning._read_libpq(connection)
        assert fast is not None  # an open connection in autocommit: the fast path ran
        assert fast == versioning._read_checked(connection)
        assert versioning.current() == versioning.Version(*fast)


def test_a_logged_or_wrapped_query_and_a_transaction_take_the_usual_counted_path(autocommit_connection):
    with CaptureQueriesContext(connection) as queries:
        assert versioning._read_libpq(connection) is None
        versioning.current()
    assert len(queries) == 1

    seen = []
    with connection.execute_wrapper(lambda execute, sql, *args: seen.append(sql) or execute(sql, *args)):
        versioning.current()
    assert len(seen) == 1

    with transaction.atomic():
        assert versioning._read_libpq(connection) is None
        assert versioning.current().number >= 0


def test_without_the_version_row_the_version_is_the_epoch(autocommit_connection):
    RecordVersion.objects.all().delete()

    assert versioning._read_libpq(connection) is None
    assert versioning.current() == versioning.Version(0, versioning._EPOCH)


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements WHERE name = %s", [versioning._STATEMENT.decode()])
        return [name for (name,) in cursor.fetchall()]


def test_the_libpq_read_is_prepared_once_per_connection(autocommit_connection):
    first = versioning._read_libpq(connection)
    assert prepared_statements() == ["tracker_public_version"]
    versioning.public_change(["claim:a-claim"])
    assert versioning._read_libpq(connection) == versioning._read_checked(connection) != first

    connection.close()  # the first read connects; the next prepares on the new connection
    versioning.current()
    assert prepared_statements() == []
    assert versioning.current() == versioning.Version(*versioning._read_checked(connection))
    assert prepared_statements() == ["tracker_public_version"]


def test_a_read_whose_statement_went_away_answers_the_same_and_stops_preparing(autocommit_connection):
    versioning._read_libpq(connection)
    with connection.cursor() as cursor:
        cursor.execute(f"DEALLOCATE {versioning._STATEMENT.decode()}")  # as a pooler or a reset does
    versioning.bump()

    assert versioning._read_libpq(connection) == versioning._read_checked(connection)
    assert connection._version_statement == (connection.connection, False)
    assert versioning._read_libpq(connection) == versioning._read_checked(connection)  # unprepared from now on
    assert prepared_statements() == []


def test_a_statement_that_cannot_be_prepared_is_read_unprepared(autocommit_connection):
    connection.close()
    connection.ensure_connection()
    with connection.cursor() as cursor:  # the name is taken, by another statement
        cursor.execute(f"PREPARE {versioning._STATEMENT.decode()} AS SELECT 0, 0")
    versioning.bump()

    assert versioning._read_libpq(connection) == versioning._read_checked(connection)
    assert connection._version_statement == (connection.connection, False)
