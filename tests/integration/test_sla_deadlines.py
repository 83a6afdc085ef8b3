"""Deadlines on the working-day calendar: provisional 2027 deadlines recomputed on import,
suspend/resume and extensions moving deadlines by working time, and who may do what."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.domain.clock import FixedClock
from app.domain.holiday_notice import parse_notice
from app.models import Timer
from app.services.sla.timers import fire_due_timers
from tests.notices import INVENTED_2027

from .flow import complete, ready_task, registration, scenario

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def jump(api, clock: FixedClock, when: datetime) -> None:
    """Move the clock; sign in again (tokens live 12 hours of the app's clock)."""
    clock.set(when)
    api._tokens.clear()


def to_handle(api, sc=None) -> tuple[dict, int, dict]:
    """Register a complaint and walk it to the handling step; return (complaint, instance id, handle task)."""
    sc = sc or scenario("general_satisfied_first_reply")
    created = api.post("agent", "/complaints", json=registration(sc)).get_json()
    iid = created["process_instance_id"]
    for step in sc["steps"]:
        if step["task"] == "handle":
            break
        r = complete(api, iid, step["task"], step["group"], step["data"])
        assert r.status_code == 200, r.get_json()
    return created, iid, ready_task(api, iid, "handle", "handler_network")


def handle_timers(rt, iid) -> dict[str, Timer]:
    with rt.db.read() as s:
        rows = s.scalars(select(Timer).where(Timer.instance_id == iid, Timer.attached_to == "handle")).all()
        return {r.kind: r for r in rows}


def engine_due(rt, iid) -> dict[str, datetime]:
    from app.services.instances.store import load_instance

    return {
        t.properties.get("slaKind"): t.due_at
        for t in load_instance(rt, iid).inst.waiting_timers()
        if t.attached_to == "handle"
    }


def test_a_2027_deadline_is_provisional_until_the_schedule_is_imported(api, deployed, rt, clock: FixedClock):
    clock.set(at(2026, 12, 31, 10, 0))  # 3 working days need 2027, which has no official data yet
    status = api.get("owner", "/calendar/status").get_json()
    assert status["needs_schedule"] == [2027]
    _, iid, task = to_handle(api)
    # 2027-01-01 元旦 is a fixed statutory day off, then a weekend: Mon 4, Tue 5, Wed 6.
    assert task["due_at"] == at(2027, 1, 6, 10, 0).astimezone(timezone.utc).isoformat()
    assert task["due_provisional"] is True
    timers = handle_timers(rt, iid)
    assert timers["breach"].provisional and timers["warning"].provisional
    complaint = api.get("agent", "/complaints?q=&limit=1").get_json()["items"][0]
    assert complaint["clocks"]["final_reply"]["provisional"] is True

    # The invented notice gives 元旦 a fourth day, Monday 4 January.
    notice = INVENTED_2027.replace("3日（周日）放假，共3天", "4日（周一）放假调休，共4天")
    assert api.post("agent", "/calendar/schedules", json={"year": 2027, "text": notice}).status_code == 403
    bad = api.post("owner", "/calendar/schedules", json={"year": 2027, "text": "2027-13-01 holiday x"})
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "text"
    two_lines = "2027-01-01..2027-01-04 holiday 元旦\n2027-02-05..2027-02-13 holiday 春节\n2027-02-20 workday 春节\n"
    incomplete = api.post("owner", "/calendar/schedules", json={"year": 2027, "text": two_lines})
    assert incomplete.status_code == 422
    assert [e["holiday"] for e in incomplete.get_json()["errors"]] == ["清明节", "劳动节", "端午节", "中秋节", "国庆节"]
    assert "清明节 is missing" in incomplete.get_json()["detail"]
    assert api.get("owner", "/calendar/status").get_json()["needs_schedule"] == [2027]  # refused: nothing changed
    assert ready_task(api, iid, "handle", "handler_network")["due_provisional"] is True
    r = api.post("owner", "/calendar/schedules", json={"year": 2027, "text": notice})
    assert r.status_code == 201, r.get_json()
    days = len(parse_notice(notice, 2027))
    assert r.get_json()["days"] == days
    recomputed = r.get_json()["recomputed"]
    assert recomputed["timers"] == 2 and recomputed["timers_moved"] == 2 and recomputed["still_provisional"] == 0
    assert recomputed["deadlines_moved"] >= 1  # the handling task's due time (and the complaint's clocks)

    task = ready_task(api, iid, "handle", "handler_network")
    moved = at(2027, 1, 7, 10, 0)  # 4 Jan became a day off: Tue 5, Wed 6, Thu 7
    assert task["due_at"] == moved.astimezone(timezone.utc).isoformat() and task["due_provisional"] is False
    assert engine_due(rt, iid)["breach"] == moved.astimezone(timezone.utc)
    timers = handle_timers(rt, iid)
    assert timers["breach"].due_at == moved and not timers["breach"].provisional and not timers["warning"].provisional
    assert engine_due(rt, iid)["warning"] == timers["warning"].due_at
    assert api.get("owner", "/calendar/status").get_json()["needs_schedule"] == []
    overrides = api.get("agent", "/calendar/overrides?year=2027").get_json()
    assert overrides["entered_years"] == [2027] and len(overrides["items"]) == days
    assert rt.calendar.add_working_days(at(2026, 12, 31, 10, 0), 3).at == moved.astimezone(timezone.utc)
    events = [e["type"] for e in api.get("manager", f"/process-instances/{iid}/events").get_json()["items"]]
    assert "sla.recomputed" in events

    clock.set(moved + timedelta(seconds=1))  # the moved timer fires at its new time, once
    assert fire_due_timers(rt) == 2  # the warning and the breach of the handling step
    assert ready_task(api, iid, "handle_supervise", "supervisor")


def test_overrides_are_added_and_removed_by_process_owners_and_reload_everywhere(api, deployed, rt, app, clock):
    day = {"day": "2026-03-04", "is_workday": False, "name": "停电检修"}
    assert api.post("agent", "/calendar/overrides", json=day).status_code == 403
    assert api.post("owner", "/calendar/overrides", json={"day": "2026-02-30", "is_workday": False}).status_code == 422
    assert api.post("owner", "/calendar/overrides", json=day).status_code == 201
    assert rt.calendar.is_workday(datetime(2026, 3, 4).date()) is False
    # Another process's runtime over the same database sees it after its refresh interval.
    from tests.conftest import make_app

    other = make_app(
        rt.db.url,
        clock,
        app.instance_path and __import__("pathlib").Path(app.instance_path),
        CALENDAR_REFRESH_SECONDS=0,
    )
    try:
        assert other.extensions["complaintflow"].calendar.is_workday(datetime(2026, 3, 4).date()) is False
        assert (
            api.client.delete("/api/v1/calendar/overrides/2026-03-04", headers=api.headers("owner")).status_code == 204
        )
        assert other.extensions["complaintflow"].calendar.is_workday(datetime(2026, 3, 4).date()) is True
    finally:
        other.extensions["complaintflow"].db.dispose()
    assert api.client.delete("/api/v1/calendar/overrides/2026-03-04", headers=api.headers("owner")).status_code == 404


def test_suspended_over_a_weekend_the_remaining_working_time_is_unchanged(api, deployed, rt, clock):
    clock.set(at(2026, 3, 6, 10, 0))  # Friday: the handling step is due in 3 working days, Wednesday 10:00
    created, iid, task = to_handle(api)
    old_due = at(2026, 3, 11, 10, 0)
    assert task["due_at"] == old_due.astimezone(timezone.utc).isoformat()

    clock.set(at(2026, 3, 6, 18, 0))  # suspended Friday evening
    path = f"/complaints/{created['id']}/suspend"
    assert api.post("network", path, json={"reason": "等待客户"}).status_code == 403
    missing = api.post("supervisor", path, json={"reason": "  "})
    assert missing.status_code == 422 and missing.get_json()["errors"][0]["field"] == "reason"
    r = api.post("supervisor", path, json={"reason": "客户出差，需返回后上门测试"})
    assert r.status_code == 200 and r.get_json()["held_timers"] == 2
    assert api.post("supervisor", path, json={"reason": "again"}).status_code == 409

    jump(api, clock, at(2026, 3, 12, 9, 0))  # long past the old deadline: nothing fires while suspended
    assert fire_due_timers(rt) == 0
    task = ready_task(api, iid, "handle", "handler_network")
    assert task["sla_state"] == "paused" and task["seconds_left"] == 112 * 3600  # frozen at the suspension
    complaint = api.get("agent", f"/complaints/{created['id']}").get_json()
    assert complaint["suspended"] is True and complaint["sla_state"] == "paused"
    done = api.post(
        "network",
        f"/tasks/{task['id']}/complete",
        json={"data": scenario("general_satisfied_first_reply")["steps"][4]["data"]},
    )
    assert done.status_code == 409

    resumed_at = at(2026, 3, 9, 9, 0)  # resumed Monday morning, after the weekend
    jump(api, clock, resumed_at)
    r = api.post("supervisor", f"/complaints/{created['id']}/resume", json={})
    assert r.status_code == 200 and r.get_json()["moved_timers"] == 2
    new_due = at(2026, 3, 12, 1, 0)  # 64 working hours from Monday 09:00: Mon 15 + Tue 24 + Wed 24 + Thu 1
    cal = rt.calendar
    assert cal.working_time_between(resumed_at, new_due) == cal.working_time_between(at(2026, 3, 6, 18, 0), old_due)
    task = ready_task(api, iid, "handle", "handler_network")
    assert task["due_at"] == new_due.astimezone(timezone.utc).isoformat() and task["sla_state"] == "on_time"
    assert engine_due(rt, iid)["breach"] == new_due.astimezone(timezone.utc)
    assert handle_timers(rt, iid)["breach"].status == "waiting"
    events = [
        e
        for e in api.get("manager", f"/process-instances/{iid}/events").get_json()["items"]
        if e["type"].startswith("complaint.")
    ]
    assert [(e["type"], e["actor"]) for e in events] == [
        ("complaint.suspended", "supervisor"),
        ("complaint.resumed", "supervisor"),
    ]
    assert events[0]["reason"] == "客户出差，需返回后上门测试"
    # The warning (50%: Monday 22:00 before) had 28 working hours left: Tuesday 13:00 now.
    assert handle_timers(rt, iid)["warning"].due_at == at(2026, 3, 10, 13, 0)
    clock.set(new_due + timedelta(seconds=1))
    assert fire_due_timers(rt) == 2  # the warning and the breach, at their new times


def test_an_approved_extension_moves_the_step_by_working_days(api, deployed, rt, clock):
    _, iid, task = to_handle(api)  # Monday 2026-03-02 09:00: due Thursday 09:00
    assert task["due_at"] == at(2026, 3, 5, 9, 0).astimezone(timezone.utc).isoformat()
    path = f"/tasks/{task['id']}/extension-request"
    assert api.post("network", path, json={"working_days": 2}).status_code == 422
    assert api.post("network", path, json={"reason": "需厂家返修", "working_days": 2, "hours": 3}).status_code == 422
    assert api.post("billing", path, json={"reason": "x", "working_days": 2}).status_code == 404  # not their task
    r = api.post("network", path, json={"reason": "需厂家返修板卡", "working_days": 2})
    assert r.status_code == 201, r.get_json()
    req = r.get_json()
    assert api.post("network", path, json={"reason": "again", "hours": 4}).status_code == 409
    assert api.post("network", f"/extension-requests/{req['id']}/approve", json={}).status_code == 403
    assert [x["id"] for x in api.get("supervisor", "/extension-requests").get_json()["items"]] == [req["id"]]
    old_warn = handle_timers(rt, iid)["warning"].due_at

    r = api.post("supervisor", f"/extension-requests/{req['id']}/approve", json={"reason": "同意"})
    assert r.status_code == 200, r.get_json()
    new_due = at(2026, 3, 9, 9, 0)  # Thursday + 2 working days = the next Monday (the weekend does not count)
    assert r.get_json()["new_due_at"] == new_due.astimezone(timezone.utc).isoformat()
    task = ready_task(api, iid, "handle", "handler_network")
    assert task["due_at"] == new_due.astimezone(timezone.utc).isoformat()
    timers = handle_timers(rt, iid)
    assert timers["breach"].due_at == new_due
    assert timers["warning"].due_at == rt.calendar.add_working_days(old_warn, 2).at
    assert engine_due(rt, iid) == {"breach": timers["breach"].due_at, "warning": timers["warning"].due_at}
    assert api.post("supervisor", f"/extension-requests/{req['id']}/approve", json={}).status_code == 409

    second = api.post("network", path, json={"reason": "再延", "hours": 4}).get_json()
    assert api.post("supervisor", f"/extension-requests/{second['id']}/reject", json={}).status_code == 422
    assert (
        api.post("supervisor", f"/extension-requests/{second['id']}/reject", json={"reason": "不予延期"}).status_code
        == 200
    )
    types = [e["type"] for e in api.get("manager", f"/process-instances/{iid}/events").get_json()["items"]]
    assert [t for t in types if t.startswith("sla.extension")] == [
        "sla.extension_requested",
        "sla.extension_approved",
        "sla.extension_requested",
        "sla.extension_rejected",
    ]
    clock.set(at(2026, 3, 5, 9, 0, 1))  # the old deadline passes: nothing fires (the warning moved to Thu 21:00)
    assert timers["warning"].due_at == at(2026, 3, 5, 21, 0)
    assert fire_due_timers(rt) == 0
