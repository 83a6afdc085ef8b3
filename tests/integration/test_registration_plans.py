"""Registration and what the intake panel reads beside it probe through indexes, never through every complaint.

At 540,000 complaints a registration took over a second and a half (docs/performance.md, "Registration at
scale"): every statement of the path is run here on a database without statistics (as a fresh install, or a
restored or bulk-loaded one before ANALYZE), and SQLite's plan for it must search an index or a key, not scan
a table that grows with the complaints. The similar-complaint index's first read takes the window through the
registration-time index: the primary key's order from the first complaint would read every older one too.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from app.models import User

from app.services.accounts.users import viewer_of
from app.services.branches import appeals
from app.services.tasks.workspace import customer_history
from app.services.text_intelligence import model_registry, similar

# tables that stay small whatever the number of complaints (users, groups, deployed models, settings)
SMALL = {"app_user", "user_group", "user_groups", "process_version", "text_model", "api_token", "group_alias"}


@pytest.fixture
def trained(rt, deployed):
    return model_registry.train_version(rt, "test", evaluate=False)


def _statements(rt, run) -> list[tuple[str, object]]:
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        if not executemany:
            seen.append((statement, parameters))

    event.listen(rt.db.engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(rt.db.engine, "before_cursor_execute", record)
    return seen


def _scans(rt, seen: list[tuple[str, object]]) -> list[str]:
    """Every plan line that scans a table outside SMALL, with its statement."""
    found = []
    with rt.db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").scalar() == 0
        for sql, params in seen:
            # an INSERT's plan lists the child tables SQLite would search for a deferred foreign-key violation
            # pending at that moment (none on this path; it runs no deferred constraints): not the insert's cost
            if not re.match(r"\s*(SELECT|UPDATE|DELETE|WITH)", sql, re.I):
                continue
            for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params):
                m = re.match(r"SCAN (\w+)", row[-1])
                if m and m.group(1) not in SMALL:
                    found.append(f"{row[-1]}  <-  {' '.join(sql.split())[:200]}")
    return found


def test_registering_and_the_intake_reads_search_indexes_only(api, rt, trained, sqlite_url):
    phone = "13800000071"
    body = {"customer_name": "张伟", "customer_phone": phone, "channel": "phone"}

    def register(matter: str, **more) -> dict:
        r = api.post("agent", "/complaints", json=body | {"matter": matter} | more)
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    register("这个月话费莫名其妙多扣了五十元，要求退费")  # the first builds the process's similar index

    def the_path() -> None:
        again = register("上次投诉的话费多扣五十元还没退", category="billing", severity="general", special_type="none")
        assert again["repeat"] is not None  # the repeat check found the customer's earlier complaint
        r = api.post("agent", "/text/analyse", json={"text": "话费多扣了五十元", "phone": phone})
        assert r.status_code == 200 and r.get_json()["repeat"] is not None
        similar.refresh(rt)

    seen = _statements(rt, the_path)
    assert any("FROM complaint" in sql for sql, _ in seen)
    assert _scans(rt, seen) == [], "\n".join(_scans(rt, seen))


def test_a_new_similar_index_reads_its_window_through_the_registration_time_index(api, rt, trained, sqlite_url):
    r = api.post(
        "agent",
        "/complaints",
        json={"customer_name": "王芳", "customer_phone": "13800000073", "channel": "phone", "matter": "宽带断网三天了"},
    )
    assert r.status_code == 201
    vars(rt).pop("_similar_index", None)  # as a new worker process: its first lookup reads the whole window
    seen = _statements(rt, lambda: similar.refresh(rt))
    window = [(sql, p) for sql, p in seen if "complaint.created_at >=" in sql]
    assert len(window) == 1
    with rt.db.engine.connect() as conn:
        plan = " ".join(row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + window[0][0], window[0][1]))
    assert "USING INDEX ix_complaint_created (created_at>?)" in plan, plan
    assert _scans(rt, seen) == [], "\n".join(_scans(rt, seen))


def test_the_customer_s_history_and_an_appeal_s_comparison_search_the_phone_index(api, rt, trained, sqlite_url):
    phone = "13800000072"
    r = api.post(
        "agent",
        "/complaints",
        json={"customer_name": "李娜", "customer_phone": phone, "channel": "phone", "matter": "宽带断网三天了"},
    )
    assert r.status_code == 201
    with rt.db.read() as s:
        agent = viewer_of(s.scalars(select(User).where(User.username == "agent")).one())
    now = rt.clock.now() + timedelta(minutes=1)

    def reads() -> None:
        assert customer_history(rt, agent, phone, of_worked=True)
        assert customer_history(rt, agent, phone, limit=5)
        with rt.db.read() as s:
            assert appeals._earlier_complaints(s, rt, {"customer_phone": phone}, now, 15)

    seen = _statements(rt, reads)
    assert _scans(rt, seen) == [], "\n".join(_scans(rt, seen))
