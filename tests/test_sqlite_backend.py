"""The SQLite backend keeps its connection only while the file at the path is the one it
opened (tracker/db/sqlite3): moved away, deleted or replaced, the connection is dropped."""

import shutil

import pytest

from tracker.db.sqlite3.base import DatabaseWrapper


@pytest.fixture
def wrapper(tmp_path, django_db_blocker):
    settings = {
        "NAME": str(tmp_path / "db.sqlite3"), "ENGINE": "tracker.db.sqlite3", "OPTIONS": {}, "TIME_ZONE": None,
        "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True, "AUTOCOMMIT": True, "ATOMIC_REQUESTS": False, "TEST": {},
        "USER": "", "PASSWORD": "", "HOST": "", "PORT": "",
    }  # fmt: skip
    db = DatabaseWrapper(settings, alias="sqlite-backend-test")
    with django_db_blocker.unblock():  # a database of its own, not the suite's
        db.ensure_connection()
        with db.cursor() as cursor:
            cursor.execute("CREATE TABLE t (x int)")
        yield db
        db.close()


def test_the_same_file_keeps_its_connection(wrapper):
    assert wrapper.is_usable()


def test_a_file_moved_away_drops_the_connection(wrapper, tmp_path):
    (tmp_path / "db.sqlite3").rename(tmp_path / "elsewhere.sqlite3")
    assert not wrapper.is_usable()


def test_a_replaced_file_drops_the_connection(wrapper, tmp_path):
    path = tmp_path / "db.sqlite3"
    shutil.copy(path, tmp_path / "copy.sqlite3")
    (tmp_path / "copy.sqlite3").replace(path)
    assert not wrapper.is_usable()
    wrapper.close()
    wrapper.ensure_connection()  # the next connection opens the file that is there now
    assert wrapper.is_usable()
