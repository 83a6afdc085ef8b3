"""generate-demo makes realistic history through the services, replays finished complaints, and
everything it writes passes the chain check and the reports."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from app.models import AuditEvent, Complaint, HumanTask
from app.services.reporting import dashboard as reports
from app.demo.history import generate_history
from app.domain.actors import Viewer
from app.services.audit.trail import verify_all

from . import report_oracle

pytestmark = pytest.mark.also_postgres

END = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)


@pytest.mark.slow
def test_generated_history_is_real_replayed_and_verifiable(app, rt, db_url):
    stats = generate_history(dict(app.config), 40, END - timedelta(days=21), END, seed=3, templates=12, live_days=2)
    assert stats.complaints + stats.replayed == 40
    assert stats.replayed > 0 and stats.completed_tasks > stats.complaints * 5 and stats.fired_timers > 0
    with rt.db.read() as s:
        rows = list(s.scalars(select(Complaint)))
        assert len(rows) == 40 and len({c.number for c in rows}) == 40
        assert all(re.fullmatch(r"1[3-9]\d{9}", c.customer_phone) for c in rows)
        assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,3}", c.customer_name) for c in rows)
        assert all(END - timedelta(days=22) <= c.created_at < END for c in rows)
        statuses = {c.status for c in rows}
        assert statuses == {"open", "closed"}  # most finished; the last days' still at a step
        assert s.scalar(select(func.count()).select_from(HumanTask).where(HumanTask.completed_at > END)) == 0
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.at > END)) == 0
        replayed = max(rows, key=lambda c: c.id)
        events = list(s.scalars(select(AuditEvent).where(AuditEvent.instance_id == replayed.instance_id)))
        assert events and all(e.at >= replayed.created_at for e in events)
    result = verify_all(rt)
    assert result.ok and result.instances == 40
    # the replayed instances' state is real: the engine loads it
    from app.services.instances.store import load_instance

    assert load_instance(rt, replayed.instance_id).inst is not None
    # the dashboard's roll-ups count the replayed copies too (refreshed after them) and keep counting the
    # live days worked through the services: every figure equals a recomputation from the raw rows
    period = reports.ReportFilter(date(2026, 2, 1), date(2026, 3, 2))
    report_oracle.assert_matches(
        reports.dashboard(rt, Viewer(1, "manager", frozenset({"manager"})), period), report_oracle.expected(rt, period)
    )
