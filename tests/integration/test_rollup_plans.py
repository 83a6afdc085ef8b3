"""The roll-ups' reads probe through their own rows whatever the statistics: the rebuild (generate-demo's bulk
copies, a restore) runs before anything analysed the tables, and SQLite then chose an index that read every
complaint of a category, or every completed task, once per complaint or per slice (a recount of 100,000
complaints took 960 s instead of about 30)."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import create_engine

from app.services.reporting.rebuild import slice_complaints, slice_tasks
from app.services.steps import rollups

LO, HI = datetime(2026, 1, 1, tzinfo=timezone.utc), datetime(2026, 1, 8, tzinfo=timezone.utc)


def _plan(url: str, sql: str, params) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").scalar() == 0
            return "\n".join(row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params))
    finally:
        engine.dispose()


def _compiled(url: str, stmt) -> tuple[str, dict]:
    engine = create_engine(url)
    try:
        return str(stmt.compile(engine, compile_kwargs={"literal_binds": True})), {}
    finally:
        engine.dispose()


def test_the_rebuild_finds_a_previous_complaint_through_the_phone_not_the_category(sqlite_url):
    plan = _plan(sqlite_url, *_compiled(sqlite_url, slice_complaints(LO, HI)))
    assert "ix_complaint_created (created_at>? AND created_at<?)" in plan  # the slice's complaints
    assert "ix_complaint_phone (customer_phone=? AND created_at<?)" in plan  # each one's previous
    assert "category" not in plan


def test_the_rebuild_reads_the_tasks_of_the_slice_s_complaints_only(sqlite_url):
    plan = _plan(sqlite_url, *_compiled(sqlite_url, slice_tasks(LO, HI)))
    first, second = plan.splitlines()
    assert "ix_complaint_created" in first and "ix_human_task_instance_id (instance_id=?)" in second
    assert "state" not in plan


def test_classifying_finds_the_neighbours_through_the_phone(sqlite_url):
    params = {"phone": "13800000000", "cat": "network", "at": "2026-01-01 00:00:00.000000"}
    plan = _plan(sqlite_url, rollups._NEIGHBOURS.text, params)
    assert plan.count("ix_complaint_phone") == 2 and "category" not in plan
