"""SQLite write transactions take the write lock at BEGIN; one that cannot get it fails as SQLAlchemy's error."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from app.db import Database
from app.plain_sql import Plain, Sql

_READ = Sql("SELECT v FROM t")
_WRITE = Sql("UPDATE t SET v = v + 1")


@pytest.fixture
def db(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'lock.db'}")

    @event.listens_for(database.engine, "connect")
    def _wait_briefly(dbapi_conn, _record):  # after the app's own PRAGMAs: wait 50 ms, not 10 s
        dbapi_conn.execute("PRAGMA busy_timeout=50")

    with database.write() as s:
        Plain.of(s).run(Sql("CREATE TABLE t (v INTEGER)"))
        Plain.of(s).run(Sql("INSERT INTO t VALUES (0)"))
    yield database
    database.dispose()


def test_a_write_begins_immediate_and_a_second_writer_gets_sqlalchemys_error(db, tmp_path):
    other = sqlite3.connect(tmp_path / "lock.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        with pytest.raises(OperationalError, match="locked"):  # the API answers 503 for it
            with db.write() as s:
                Plain.of(s).run(_WRITE)
        with db.read() as s:  # readers are not blocked (WAL): a deferred BEGIN
            assert Plain.of(s).first(_READ) == (0,)
    finally:
        other.execute("ROLLBACK")
        other.close()
    with db.write() as s:
        Plain.of(s).run(_WRITE)
    with db.plain() as p:
        assert p.first(_READ) == (1,)


def test_the_write_lock_is_held_from_the_first_statement(db, tmp_path):
    """BEGIN IMMEDIATE: a transaction that only read so far already keeps other writers out."""
    with db.write() as s:
        Plain.of(s).first(_READ)
        other = sqlite3.connect(tmp_path / "lock.db", isolation_level=None, timeout=0.05)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
