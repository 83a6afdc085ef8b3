"""An API call's plain reads (the bearer token's, the use case's) share one pooled connection.

Between keep_plain() and release_plain() (the API blueprint's before-request and teardown hooks) every
db.plain() block uses the same checked-out connection; each block still ends its transaction, so a
request's reads hold no lock between them, and a connection lost mid-request is replaced.
"""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import event

from app.db import Database
from app.plain_sql import Sql

_ONE = Sql("SELECT count(*) FROM app_user")


@pytest.fixture
def db(db_url):
    database = Database(db_url)
    checkouts: list = []
    checkins: list = []
    event.listen(database.engine, "checkout", lambda _c, _r, proxy: checkouts.append(proxy))
    event.listen(database.engine, "checkin", lambda _c, record: checkins.append(record))
    database.counts = (checkouts, checkins)  # type: ignore[attr-defined]
    yield database
    database.dispose()


@pytest.mark.also_postgres
def test_reads_between_keep_and_release_check_out_one_connection_and_return_it(db):
    checkouts, checkins = db.counts
    kept = db.keep_plain()
    for _ in range(3):
        with db.plain() as p:
            assert p.first(_ONE) is not None
    assert len(checkouts) == 1 and not checkins
    db.release_plain(kept)
    assert len(checkins) == 1
    with db.plain() as p:  # outside a request: a checkout per block, as before
        p.first(_ONE)
    assert len(checkouts) == 2 and len(checkins) == 2


@pytest.mark.also_postgres
def test_a_kept_connection_holds_no_lock_between_blocks(db):
    kept = db.keep_plain()
    try:
        with db.plain() as p:
            p.first(_ONE)
        if db.is_sqlite:  # no read transaction left open: a full checkpoint is not kept busy by it
            other = sqlite3.connect(db.url.split("///", 1)[1], isolation_level=None)
            try:
                assert other.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
            finally:
                other.close()
        else:  # a migration's exclusive lock on the table is not kept waiting by the request's reads
            with db.engine.connect() as other:
                other.exec_driver_sql("SET lock_timeout = '200ms'")
                other.exec_driver_sql("LOCK TABLE app_user IN ACCESS EXCLUSIVE MODE")
                other.rollback()
        with db.plain() as p:
            assert p.first(_ONE) is not None
    finally:
        db.release_plain(kept)


@pytest.mark.also_postgres
def test_a_connection_lost_during_a_request_is_replaced_at_the_next_read(db):
    checkouts, checkins = db.counts
    kept = db.keep_plain()
    try:
        with db.plain() as p:
            p.first(_ONE)
        checkouts[0].invalidate()  # the database restarted: SQLAlchemy invalidates the connection
        with db.plain() as p:
            assert p.first(_ONE) is not None
        assert len(checkouts) == 2
    finally:
        db.release_plain(kept)
    assert not db.engine.pool.checkedout()
