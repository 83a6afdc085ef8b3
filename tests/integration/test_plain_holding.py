"""Writes held by Plain.holding (a timer batch's, sent in one pipeline on PostgreSQL) keep their order
against every other statement of the transaction, check their row counts, and vanish with an error."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.errors import Conflict
from app.plain_sql import Plain, Sql

pytestmark = pytest.mark.also_postgres

_SET = Sql("UPDATE calendar_revision SET revision = :n WHERE id = 1")
_READ = Sql("SELECT revision FROM calendar_revision WHERE id = 1")


@pytest.fixture
def revision(rt):
    with rt.db.write() as s:
        s.execute(text("DELETE FROM calendar_revision"))
        s.execute(text("INSERT INTO calendar_revision (id, revision) VALUES (1, 0)"))

    def read() -> int:
        with rt.db.read() as s:
            return s.execute(text("SELECT revision FROM calendar_revision WHERE id = 1")).scalar_one()

    return read


def test_held_writes_go_before_a_read_and_before_sqlalchemy_and_at_the_end(rt, revision):
    with rt.db.write() as s:
        db = Plain.of(s)
        with db.holding():
            db.later(_SET, {"n": 1}, expect=1)
            assert db.first(_READ) == (1,)  # a plain read sends them first
            db.later(_SET, {"n": 2}, expect=1)
            assert s.execute(text("SELECT revision FROM calendar_revision")).scalar_one() == 2  # so does SQLAlchemy
            db.later(_SET, {"n": 3}, expect=1)
        assert db.first(_READ) == (3,)  # and the block's end
    assert revision() == 3


def test_a_held_write_touching_other_than_expected_raises_and_commits_nothing(rt, revision):
    with pytest.raises(Conflict):
        with rt.db.write() as s:
            db = Plain.of(s)
            with db.holding():
                db.later(_SET, {"n": 5}, expect=1)
                db.later(
                    Sql("UPDATE calendar_revision SET revision = 6 WHERE id = 2"), {}, expect=1, error=Conflict("gone")
                )
    assert revision() == 0


def test_an_error_inside_the_block_drops_what_it_held(rt, revision):
    with pytest.raises(RuntimeError):
        with rt.db.write() as s:
            with Plain.of(s).holding():
                Plain.of(s).later(_SET, {"n": 7})
                raise RuntimeError("stop")
    assert revision() == 0
