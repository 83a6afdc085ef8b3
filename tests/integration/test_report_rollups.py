"""The dashboard's daily roll-ups stay equal to a recomputation from the raw rows after the real flows,
the migration's backfill makes the same rows, and the search's "breached ever" flag follows the SLA."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

import pytest
from alembic import command
from sqlalchemy import select, update

from app.domain.clock import OPERATOR_ZONE, local_date
from app.domain.reporting import quarter_of
from app.migrate import alembic_config, upgrade
from app.models import (
    Complaint,
    ReportComplaint,
    ReportComplaintDay,
    ReportPersonComplaint,
    ReportPersonDay,
    ReportStepDay,
)
from app.services.reporting import dashboard as reports, people, regulator
from app.services.reporting.rebuild import rebuild
from app.domain.actors import Viewer
from app.services.sla.timers import fire_due_timers
from app.services.steps.people_counts import NO_DAY
from tests.conftest import ROOT

from . import report_oracle, team_oracle
from .branch_walk import start, walk
from .flow import USER_FOR_GROUP, complete, ready_task, registration, scenario

pytestmark = pytest.mark.also_postgres

MANAGER = Viewer(1, "manager", frozenset({"manager"}))
# Appeals have no complaint row (nothing to count) and are dated 2026-03-02: test_branch_scenarios walks them.
FILES = (
    "complaint_handling",
    "special_outage",
    "special_privacy",
    "special_fraud",
    "special_care",
    "compensation_approval",
    "return_visit",
)
# with the team page's per-person roll-up (report_person_day) and what each complaint is counted under there
TABLES = (ReportComplaint, ReportComplaintDay, ReportStepDay, ReportPersonDay, ReportPersonComplaint)
SNAPSHOTS = (ReportComplaint, ReportPersonComplaint)  # kept whatever they hold


def _scenarios():
    for name in FILES:
        doc = json.loads((ROOT / "processes" / f"{name}.scenarios.json").read_text(encoding="utf-8"))
        for sc in doc["scenarios"]:
            yield doc["process"], sc


def read_rollups(conn) -> dict:
    """The tables as {table: {key: values}}, rows that count nothing left out (a move leaves zeros)."""
    out = {}
    for model in TABLES:
        t = model.__table__
        keys = [c.name for c in t.primary_key.columns]
        rows = {}
        for r in conn.execute(select(t)).mappings():
            values = {k: v for k, v in r.items() if k not in keys}
            if model in SNAPSHOTS or any(v for k, v in values.items() if k != "name"):
                rows[tuple(r[k] for k in keys)] = values
        out[t.name] = rows
    return out


def maintained(rt) -> dict:
    with rt.db.engine.connect() as conn:
        return read_rollups(conn)


def rebuilt(rt) -> dict:
    """What the rebuild (the migration's backfill) makes of the raw rows, rolled back afterwards."""
    with rt.db.engine.connect() as conn:
        tx = conn.begin()
        try:
            rebuild(conn)
            return read_rollups(conn)
        finally:
            tx.rollback()


def assert_rollups_equal_a_recount(rt, when: str) -> None:
    have, want = maintained(rt), rebuilt(rt)
    for table in want:
        assert have[table] == want[table], (when, table, _diff(have[table], want[table]))


def _diff(have: dict, want: dict) -> dict:
    return {k: (have.get(k), want.get(k)) for k in set(have) | set(want) if have.get(k) != want.get(k)}


def everything(rt) -> reports.ReportFilter:
    return reports.ReportFilter(date(2026, 1, 1), reports.today(rt) + timedelta(days=1))


@pytest.fixture
def outage(api, deployed):
    r = api.post(
        "network",
        "/outages",
        json={
            "title": "望京光缆中断",
            "area": "望京西园",
            "service": "broadband",
            "started_at": "2026-03-01T22:00:00+08:00",
        },
    )
    assert r.status_code == 201, r.get_json()


def next_working_week(rt, clock) -> None:
    """Move the clock to 09:00 on the next Monday of a week of working days (scenarios are written for one)."""
    day = local_date(clock.now()) + timedelta(days=1)
    while day.weekday() != 0 or not all(rt.calendar.is_workday(day + timedelta(days=i)) for i in range(5)):
        day += timedelta(days=1)
    clock.set(datetime.combine(day, time(9), OPERATOR_ZONE))


def test_the_rollups_follow_every_scenario_suspensions_and_timers(api, rt, clock, deployed, outage):
    for process, sc in _scenarios():
        next_working_week(rt, clock)
        api._tokens.clear()
        walk(api, rt, clock, process, sc)
        assert_rollups_equal_a_recount(rt, f"{process}:{sc['name']}")
    # complaints left at a step: suspended and resumed, then past every deadline with the timers fired
    waiting = []
    for name in ("general_satisfied_first_reply", "major_complaint_supervisor_review"):
        sc = scenario(name)
        created = api.post("agent", "/complaints", json=registration(sc)).get_json()
        for step in sc["steps"][:4]:
            if "task" in step:
                assert (
                    complete(api, created["process_instance_id"], step["task"], step["group"], step["data"]).status_code
                    == 200
                )
        waiting.append(created)
    assert (
        api.post("supervisor", f"/complaints/{waiting[0]['id']}/suspend", json={"reason": "客户出差"}).status_code
        == 200
    )
    clock.advance(timedelta(hours=5))
    assert (
        api.post("supervisor", f"/complaints/{waiting[0]['id']}/resume", json={"reason": "客户已返回"}).status_code
        == 200
    )
    clock.advance(timedelta(days=20))
    assert fire_due_timers(rt) > 0
    assert_rollups_equal_a_recount(rt, "after suspension and timers")

    first, last = "2026-Q1", quarter_of(reports.today(rt))
    report_oracle.assert_regulator_matches(rt, regulator.regulator_view(rt, MANAGER, first, last))
    for f in (
        everything(rt),
        reports.ReportFilter(date(2026, 3, 2), date(2026, 3, 2)),
        reports.ReportFilter(everything(rt).date_from, everything(rt).date_to, category="network"),
        reports.ReportFilter(everything(rt).date_from, everything(rt).date_to, department="billing"),
    ):
        report_oracle.assert_matches(reports.dashboard(rt, MANAGER, f), report_oracle.expected(rt, f))
    person_days = maintained(rt)["report_person_day"]
    # people who came back to a complaint on a later day: a period counts such a pair once, or once from its start
    assert any(k[4] != NO_DAY for k in person_days)
    assert len(people.team_figures(rt, MANAGER, everything(rt))["departments"]) > 1
    assert person_days, "the scenarios' steps were completed by people"
    for f in (
        everything(rt),
        reports.ReportFilter(date(2026, 5, 19), date(2026, 6, 9)),  # pairs worked on 5/18 and 5/21, 5/25 and 6/1
        reports.ReportFilter(date(2026, 6, 9), date(2026, 6, 9)),  # a pair worked on 6/8 too, before the period
        reports.ReportFilter(everything(rt).date_from, everything(rt).date_to, category="network"),
        reports.ReportFilter(everything(rt).date_from, everything(rt).date_to, department="billing"),
    ):
        figures = people.team_figures(rt, MANAGER, f)
        assert team_oracle.shown_agents(figures) == team_oracle.expected_agents(rt, f), f
        assert team_oracle.shown_departments(figures) == team_oracle.expected_departments(rt, f), f


def test_a_complaint_registered_before_a_later_one_of_the_same_phone_shortens_its_repeat_gap(api, rt, clock, deployed):
    sc = scenario("phone_live_intake_one_form")  # classified at registration: a repeat is of the same category
    body = registration(sc)
    for move in (timedelta(days=3), timedelta(days=-2), timedelta(days=-10)):  # the latest registered first
        clock.advance(move)
        api._tokens.clear()  # tokens are dated by the clock
        assert api.post("agent", "/complaints", json=body).status_code == 201
    assert_rollups_equal_a_recount(rt, "registered out of order")
    with rt.db.read() as s:
        gaps = sorted(s.scalars(select(ReportComplaint.repeat_gap)))
    assert gaps == [-1, 2, 10]
    f = everything(rt)
    for window in (1, 2, 10, 30):
        report_oracle.assert_matches(reports._dashboard(rt, f, _window(window)), report_oracle.expected(rt, f, window))


def _window(days: int):
    from app.domain.reporting import ReportingConfig

    return ReportingConfig(repeat_window_days=days)


def test_the_migrations_backfill_makes_the_rows_the_services_kept(api, rt, clock, deployed):
    for name in (
        "general_satisfied_first_reply",
        "unsatisfied_once_then_satisfied",
        "classify_overdue_supervised",
        "not_solved_at_track_rehandled",
    ):
        next_working_week(rt, clock)
        api._tokens.clear()
        walk(api, rt, clock, "complaint_handling", scenario(name))
    kept, figures = maintained(rt), reports.dashboard(rt, MANAGER, everything(rt))
    with rt.db.read() as s:
        breached = set(s.scalars(select(Complaint.id).where(Complaint.breached_ever.is_(True))))
        replied = dict(s.execute(select(Complaint.id, Complaint.replied_at)).all())
    assert breached and any(replied.values())  # the overdue classification; the replies given
    cfg = alembic_config(rt.db.url)
    with rt.db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        # The PostgreSQL test database outlives each test: say where it stands whatever another test left there.
        command.stamp(cfg, "head", purge=True)
        command.downgrade(cfg, "0006")
    upgrade(rt.db)
    assert maintained(rt) == kept
    assert reports.dashboard(rt, MANAGER, everything(rt)) | {"generated_at": None} == figures | {"generated_at": None}
    report_oracle.assert_regulator_matches(rt, regulator.regulator_view(rt, MANAGER, "2026-Q1", "2026-Q4"))
    with rt.db.read() as s:
        assert set(s.scalars(select(Complaint.id).where(Complaint.breached_ever.is_(True)))) == breached
        assert dict(s.execute(select(Complaint.id, Complaint.replied_at)).all()) == replied


def test_breached_ever_is_set_by_a_late_step_and_by_a_fired_breach_timer(api, rt, clock, deployed):
    sc = scenario("general_satisfied_first_reply")
    receive, classify = sc["steps"][0], sc["steps"][1]

    def registered_and_received() -> dict:
        created = api.post("agent", "/complaints", json=registration(sc)).get_json()
        assert (
            complete(
                api, created["process_instance_id"], receive["task"], receive["group"], receive["data"]
            ).status_code
            == 200
        )
        return created

    late = registered_and_received()
    clock.advance(timedelta(days=2))  # past the classification's deadline, no tick ran: finished late
    api._tokens.clear()
    assert (
        complete(api, late["process_instance_id"], classify["task"], classify["group"], classify["data"]).status_code
        == 200
    )
    timed_out = registered_and_received()
    clock.advance(timedelta(hours=3))
    assert fire_due_timers(rt) > 0  # the classification's breach timer
    fresh = api.post("agent", "/complaints", json=registration(sc)).get_json()

    def ids(sla: str) -> set[int]:
        return {i["id"] for i in api.get("manager", f"/process-instances?sla={sla}").get_json()["items"]}

    assert ids("breached_ever") == {late["id"], timed_out["id"]}
    assert fresh["id"] in ids("on_time") and not ids("on_time") & {late["id"], timed_out["id"]}


def test_the_rebuild_command_repairs_roll_ups_a_writer_bypassed(app, api, rt, clock, deployed):
    walk(api, rt, clock, "complaint_handling", scenario("general_satisfied_first_reply"))
    kept = maintained(rt)
    with rt.db.write() as s:  # as if a script had changed complaints behind the services' back
        s.execute(update(ReportComplaintDay).values(registered=ReportComplaintDay.registered + 5))
    assert maintained(rt) != kept
    result = app.test_cli_runner().invoke(args=["rebuild-reports"])
    assert result.exit_code == 0 and "1 complaints and" in result.output, result.output
    assert maintained(rt) == kept


def test_first_contact_resolution_leaves_out_a_complaint_transferred_or_returned(api, rt, clock, deployed):
    sc = scenario("general_satisfied_first_reply")
    numbers = {}
    for passed_on in ("none", "transfer", "return"):
        next_working_week(rt, clock)
        api._tokens.clear()
        iid = start(api, clock, "complaint_handling", sc)
        for step in sc["steps"]:
            user = USER_FOR_GROUP[step["group"]]
            task = ready_task(api, iid, step["task"], step["group"])
            if step["task"] == "handle" and passed_on == "transfer":  # 转派 to the department it belongs to
                r = api.post(
                    user, f"/tasks/{task['id']}/transfer", json={"reason": "计费争议", "to_group": "handler_billing"}
                )
                assert r.status_code == 200, r.get_json()
                user = "billing"
            if step["task"] == "handle" and passed_on == "return":  # 退单, and the dispatcher sends it on again
                assert api.post(user, f"/tasks/{task['id']}/return", json={"reason": "非网络问题"}).status_code == 200
                r = api.post(
                    "dispatcher",
                    f"/tasks/{task['id']}/transfer",
                    json={"reason": "改派", "to_group": "handler_billing"},
                )
                assert r.status_code == 200, r.get_json()
                user = "billing"
            r = api.post(user, f"/tasks/{task['id']}/complete", json={"data": step["data"]})
            assert r.status_code == 200, (step["task"], r.get_json())
        with rt.db.read() as s:
            numbers[passed_on] = s.execute(
                select(Complaint.id, Complaint.transfer_count, Complaint.return_count).where(
                    Complaint.instance_id == iid
                )
            ).one()
    assert [tuple(numbers[k][1:]) for k in ("none", "transfer", "return")] == [(0, 0), (1, 0), (1, 1)]
    shown = api.get("manager", f"/complaints/{numbers['return'][0]}").get_json()
    assert (shown["transfer_count"], shown["return_count"]) == (1, 1)
    fcr = reports.dashboard(rt, MANAGER, everything(rt))["first_contact_resolution"]
    assert fcr == {"closed": 3, "resolved_first_time": 1, "rate": round(1 / 3, 4)}
    assert_rollups_equal_a_recount(rt, "after a transfer and a return")


def test_the_repeat_rate_and_the_flags_agree_per_category(api, rt, clock, deployed):
    """domain/metrics.is_repeat, once: the dashboard's repeat count per category equals the flagged complaints."""
    live = registration(scenario("phone_live_intake_one_form"))  # classified at registration
    unattended = scenario("general_satisfied_first_reply")  # classified later, at its classify step
    start_at = clock.now()
    flags = {}

    def register(key: str, day: int, phone: str, category: str | None) -> None:
        clock.set(start_at + timedelta(days=day))
        api._tokens.clear()
        body = dict(live, customer_phone=phone, category=category) if category else registration(unattended)
        r = api.post("agent", "/complaints", json=dict(body, customer_phone=phone))
        assert r.status_code == 201, r.get_json()
        flags[key] = r.get_json()

    register("a1", 0, "13900000001", "network")
    register("a2", 1, "13900000001", "billing")  # another category: not a repeat
    register("a3", 5, "13900000001", "network")  # a1 five days before: a repeat
    register("b1", 6, "13900000002", "network")  # another phone
    register("a5", 50, "13900000001", "network")  # 45 days after a3: outside the 30-day window
    register("a4", 40, "13900000001", "network")  # registered late, dated before a5: a5 repeats it now
    register("b2", 7, "13900000002", None)  # unattended: no category until classified
    clock.set(start_at + timedelta(days=7, hours=1))
    api._tokens.clear()
    for step in unattended["steps"][:2]:  # receive, classify as network: b1 the day before makes it a repeat
        assert (
            complete(api, flags["b2"]["process_instance_id"], step["task"], step["group"], step["data"]).status_code
            == 200
        )
    with rt.db.read() as s:
        rows = s.execute(select(Complaint.id, Complaint.category, Complaint.is_repeat)).all()
    by_id = {r.id: r for r in rows}
    flagged = {k for k, c in flags.items() if by_id[c["id"]].is_repeat}
    assert flagged == {"a3", "a5", "b2"}
    for category in ("network", "billing"):
        f = reports.ReportFilter(date(2026, 1, 1), date(2026, 12, 31), category=category)
        shown = reports.dashboard(rt, MANAGER, f)["repeat"]
        assert shown["repeats"] == sum(r.is_repeat for r in rows if r.category == category), category
        assert shown["total"] == sum(r.category == category for r in rows)
    assert_rollups_equal_a_recount(rt, "repeats per category")
