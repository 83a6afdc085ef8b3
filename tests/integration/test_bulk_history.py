"""The bulk path of generate-demo (replay.py: executemany on SQLite, COPY on PostgreSQL) writes copies of
finished complaints that nobody can tell from complaints worked through the services: the same rows moved
in time, the same instance page, the same report figures, chains the verifier accepts, states the engine
loads."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.demo.history import generate_history
from app.domain.actors import Viewer
from app.models import AuditEvent, Complaint, HumanTask, ProcessInstance, ReportComplaint, Timer
from app.services.audit.trail import verify_all
from app.services.instances.store import load_instance
from app.services.reporting import dashboard as reports

from . import report_oracle
from .web_client import Web

pytestmark = pytest.mark.also_postgres

END = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
SIGNED = re.compile(r'(csrf[-_]token" (content|value)|nonce)="[^"]*"')
VIEWED = re.compile(r'<li><span class="muted">[^<]*</span> <code>manager</code>[^<]*</li>')
RENEWED = {  # columns a copy is given anew (ids, its customer, its number, its chain); every other one is moved
    "process_instance": {"id", "state"},
    "complaint": {"id", "instance_id", "number", "customer_name", "customer_phone", "account"},
    "human_task": {"id", "instance_id"},
    "timer": {"id", "instance_id", "task_id", "details"},
    "audit_event": {"id", "instance_id", "task_id", "data_before", "data_after", "prev_hash", "hash"},
}


def _rows(s, model, where) -> list[dict]:
    order = {HumanTask: (HumanTask.created_at, HumanTask.element_id), AuditEvent: (AuditEvent.seq,)}.get(
        model, (model.id,)
    )
    return [dict(r._mapping) for r in s.execute(select(model.__table__).where(where).order_by(*order))]


def _moved(row: dict, table: str, delta: timedelta) -> dict:
    return {k: (v + delta if isinstance(v, datetime) else v) for k, v in row.items() if k not in RENEWED[table]}


def _page(web, iid: int, c: Complaint) -> str:
    """The instance page with what a copy renews (customer, number, ids, instants) blanked out."""
    html = SIGNED.sub("", web.text(f"/reports/instances/{iid}"))  # CSRF tokens, nonces: new on every page
    html = VIEWED.sub("", html)  # the page lists its own viewings: the test views a template once per copy
    html = html.replace(c.customer_name, "NAME").replace(
        c.customer_name[0] + "*", "NAME*"
    )  # masked too.replace(c.customer_phone, "PHONE").replace(c.number, "NUMBER")
    for digest in set(re.findall(r"[0-9a-f]{64}", html)):  # each event's hash, shown whole and as its first 10
        html = html.replace(digest, "HASH").replace(f">{digest[:10]}<", ">HASH<")
    return re.sub(r"\d+", "#", UUID.sub("UUID", html))


def _indexes(rt) -> set[tuple[str, str]]:
    """Every index of the database with the statement that makes it (normalised: PostgreSQL's own text)."""
    with rt.db.engine.connect() as conn:
        if rt.db.is_sqlite:
            return set(conn.exec_driver_sql("SELECT name, COALESCE(sql, '') FROM sqlite_master WHERE type = 'index'"))
        return set(conn.exec_driver_sql("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"))


@pytest.mark.slow
@pytest.mark.parametrize("workers", [0, 2], ids=["built-here", "built-by-2-workers"])
def test_bulk_copies_are_indistinguishable_from_complaints_worked_through_the_services(app, rt, db_url, workers):
    indexes = _indexes(rt)
    stats = generate_history(
        dict(app.config), 24, END - timedelta(days=90), END, seed=5, templates=6, live_days=0, workers=workers
    )
    assert stats.complaints == 6 and stats.replayed == 18 and len(stats.copied) == 18
    # the load more than doubled the tables, so their indexes were dropped and made again: all of them are back
    assert _indexes(rt) == indexes
    if rt.db.is_sqlite:  # the load ran with foreign keys off: every reference must hold all the same
        with rt.db.engine.connect() as conn:
            assert list(conn.exec_driver_sql("PRAGMA foreign_key_check")) == []
    web = Web(app).login("manager")
    with rt.db.read() as s:
        for template_id, copy_id, days in stats.copied:
            t, c = s.get(Complaint, template_id), s.get(Complaint, copy_id)
            delta = timedelta(days=days)
            # every row the services wrote for the template is there for the copy, moved by whole days
            for model in (ProcessInstance, Complaint, HumanTask, Timer, AuditEvent):
                table = model.__tablename__
                key = model.id if model in (ProcessInstance,) else model.instance_id
                old, new = (_rows(s, model, key == x.instance_id) for x in (t, c))
                if model is Complaint:
                    old, new = [r for r in old if r["id"] == t.id], [r for r in new if r["id"] == c.id]
                assert [_moved(r, table, delta) for r in old] == [_moved(r, table, timedelta()) for r in new], table
            assert c.number.startswith(
                "TS" + (t.created_at + delta).astimezone(timezone(timedelta(hours=8))).strftime("%Y%m%d")
            )
            assert c.customer_name != t.customer_name or c.customer_phone != t.customer_phone
            # the audit data speaks of the copy's customer and task ids, never the template's
            events = list(s.scalars(select(AuditEvent).where(AuditEvent.instance_id == c.instance_id)))
            texts = repr([(e.data_before, e.data_after, e.task_id) for e in events])
            assert t.customer_phone not in texts or t.customer_phone == c.customer_phone
            task_ids = set(s.scalars(select(HumanTask.id).where(HumanTask.instance_id == c.instance_id)))
            old_ids = set(s.scalars(select(HumanTask.id).where(HumanTask.instance_id == t.instance_id)))
            assert task_ids and not task_ids & old_ids
            # the engine loads the copy's state, and its user tasks are the projection's rows
            inst = load_instance(rt, c.instance_id).inst
            assert all(isinstance(inst.task_data(tid), dict) for tid in task_ids)
            # the manager's instance page reads the same, but for the customer, the number, ids and instants
            assert _page(web, c.instance_id, c) == _page(web, t.instance_id, t)
        # the roll-ups count a copy as its template
        for template_id, copy_id, _ in stats.copied:
            old, new = (s.get(ReportComplaint, x) for x in (template_id, copy_id))
            assert (old.category, old.department, old.channel, old.severity, old.closed, old.first_time) == (
                new.category,
                new.department,
                new.channel,
                new.severity,
                new.closed,
                new.first_time,
            )
    verified = verify_all(rt)
    assert verified.ok and verified.instances == 24
    period = reports.ReportFilter(date(2025, 12, 2), date(2026, 3, 2))
    manager = Viewer(1, "manager", frozenset({"manager"}))
    report_oracle.assert_matches(reports.dashboard(rt, manager, period), report_oracle.expected(rt, period))
