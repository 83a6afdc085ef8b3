"""Several `complaintflow scheduler` processes over a thousand due timers on PostgreSQL: every
timer fires exactly once, and none is lost when one process is killed (SIGKILL) mid-run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, text

from app.domain.clock import SystemClock
from tests.conftest import ROOT, _truncate_pg, make_app

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

TIMERS = 1000
PROCESSES = 3


def _count(engine, sql: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar_one()


def test_scheduler_processes_fire_each_timer_exactly_once_even_when_one_is_killed(pg_database, tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    from timers import deploy_timer_wait, seed_waiting_timers

    _truncate_pg(pg_database)
    app = make_app(pg_database, SystemClock(), tmp_path)
    rt = app.extensions["complaintflow"]
    with rt.db.write() as s:  # the truncate emptied the revision counter too
        s.execute(text("INSERT INTO calendar_revision (id, revision) VALUES (1, 0) ON CONFLICT DO NOTHING"))
    version_id = deploy_timer_wait(rt)
    # Every timer came due while no process was running.
    seed_waiting_timers(rt, version_id, [datetime.now(timezone.utc) - timedelta(minutes=1)] * TIMERS)
    rt.db.dispose()

    env = {
        **os.environ,
        "COMPLAINTFLOW_DATABASE_URL": pg_database,
        "COMPLAINTFLOW_SECRET_KEY": "test",
        "COMPLAINTFLOW_SCHEDULER_TICK_SECONDS": "0.2",
        "COMPLAINTFLOW_TIMER_BATCH": "10",
    }
    command = [sys.executable, "-c", "from app.cli import main; main()", "scheduler"]
    procs = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(PROCESSES)
    ]
    db = create_engine(pg_database)
    fired_sql = "SELECT count(*) FROM timer WHERE status = 'fired'"
    try:
        # A bound, not a target: about 30 s on a quiet 2-core machine, far more under load.
        deadline = time.monotonic() + 180
        while _count(db, fired_sql) < TIMERS // 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        killed_at = _count(db, fired_sql)
        assert killed_at < TIMERS, "the processes finished before one could be killed mid-run"
        procs[0].send_signal(signal.SIGKILL)  # mid-batch: its transaction dies with its connection
        while _count(db, fired_sql) < TIMERS and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        for p in procs[1:]:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
    errors = b"".join(p.stderr.read() or b"" for p in procs[1:]).decode(errors="replace")
    for p in procs:
        p.stderr.close()

    assert _count(db, fired_sql) == TIMERS, errors[-2000:]
    assert _count(db, "SELECT count(*) FROM timer WHERE status <> 'fired'") == 0
    # Exactly once: one firing event per instance, each state saved once after its start.
    assert _count(db, "SELECT count(*) FROM audit_event WHERE type = 'timer.fired'") == TIMERS
    assert _count(db, "SELECT count(DISTINCT instance_id) FROM audit_event WHERE type = 'timer.fired'") == TIMERS
    db.dispose()
    assert _count(db, "SELECT count(*) FROM process_instance WHERE status = 'completed' AND version = 2") == TIMERS
    assert 0 < killed_at
    db.dispose()
