"""Improvement actions: who may do what, transitions, bad input named and nothing lost, the due clock and its
督办 firing once, the before/after evaluation against improvement_data.py's hand count, and the API's answers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.domain.actors import Viewer
from app.models import ImprovementAction, ImprovementActionEvent, StaffNotice, User
from app.services.reporting import improvement_clock
from app.services.tasks import notices

from . import improvement_data
from .improvement_data import local


def user_id(rt, username: str) -> int:
    with rt.db.read() as s:
        return s.scalar(select(User.id).where(User.username == username))


def viewer(rt, username: str) -> Viewer:
    with rt.db.read() as s:
        u = s.scalar(select(User).where(User.username == username))
        return Viewer(u.id, u.username, frozenset(u.group_codes))


def move_clock(api, clock, at) -> None:
    """Move the clock; sign in again (a token lives for hours, the test jumps days)."""
    clock.set(at)
    api._tokens.clear()


def new_action(api, rt, **over):
    body = {
        "title": "弱覆盖小区整改",
        "category": "network",
        "root_cause": "新建小区未纳入室分规划",
        "measure": "补建室分，调整邻区",
        "owner_id": user_id(rt, "network"),
        "due_date": "2026-03-20",
        "window_days": 7,
    } | over
    return api.post("manager", "/improvement-actions", json=body)


@pytest.mark.also_postgres
def test_an_action_is_recorded_assigned_and_read_by_those_entitled(api, rt):
    numbers = improvement_data.load(rt)
    r = new_action(api, rt, complaints=[numbers[1], numbers[2]])
    assert r.status_code == 201, r.get_json()
    a = r.get_json()
    assert (a["status"], a["clock"], a["owner_name"], a["complaints"]) == (
        "open",
        "on_time",
        "赵磊",
        sorted([numbers[1], numbers[2]]),
    )
    assert [e["type"] for e in a["history"]] == ["action.created"] and a["chain"]["ok"]
    # the owner reads their own; a supervisor reads every one; another department sees none
    assert api.get("network", f"/improvement-actions/{a['id']}").status_code == 200
    assert api.get("supervisor", "/improvement-actions").get_json()["total"] == 1
    assert api.get("billing", f"/improvement-actions/{a['id']}").status_code == 404
    assert api.get("billing", "/improvement-actions").get_json()["items"] == []
    listed = api.get("manager", "/improvement-actions?status=open&category=network").get_json()
    assert [i["id"] for i in listed["items"]] == [a["id"]]
    assert api.get("manager", "/improvement-actions?category=billing").get_json()["total"] == 0


def test_policy_refuses_what_a_role_may_not_do(api, rt):
    assert new_action(api, rt).status_code == 201
    aid = api.get("manager", "/improvement-actions").get_json()["items"][0]["id"]
    for user in ("agent", "network", "owner"):  # only overseers create
        assert api.post(user, "/improvement-actions", json={"title": "x"}).status_code == 403
    # the owner reports progress but may not change the record, reassign, cancel or evaluate
    assert api.post("network", f"/improvement-actions/{aid}", json={"title": "改名"}).status_code == 403
    assert (
        api.post(
            "network", f"/improvement-actions/{aid}/status", json={"status": "cancelled", "reason": "不做"}
        ).status_code
        == 403
    )
    ok = api.post("network", f"/improvement-actions/{aid}", json={"progress": "已勘站"})
    assert ok.status_code == 200 and ok.get_json()["progress"] == "已勘站"
    # someone else's action is not theirs to report on
    assert api.post("billing", f"/improvement-actions/{aid}", json={"progress": "x"}).status_code == 404


def test_transitions_are_checked_and_bad_input_is_named_and_changes_nothing(api, rt):
    bad = new_action(api, rt, category="weather", due_date="2026-02-30", owner_id="abc", title="")
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.get_json()["errors"]}
    assert fields == {"category", "due_date", "owner_id", "title"}
    unknown = new_action(api, rt, owner_id=99999)
    assert unknown.status_code == 422 and unknown.get_json()["errors"][0]["field"] == "owner_id"
    past = new_action(api, rt, due_date="2026-03-01")  # today is 2026-03-02
    assert past.status_code == 422 and past.get_json()["errors"][0]["field"] == "due_date"
    linked = new_action(api, rt, complaints=["TS00000000000000"])
    assert linked.status_code == 422 and linked.get_json()["errors"][0]["field"] == "complaints"
    with rt.db.read() as s:
        assert s.scalar(select(func.count()).select_from(ImprovementAction)) == 0  # nothing half-written

    a = new_action(api, rt).get_json()
    aid = a["id"]
    move = lambda user, status, **kw: api.post(user, f"/improvement-actions/{aid}/status", json={"status": status} | kw)  # noqa: E731
    assert move("manager", "done").status_code == 409  # open → done skips the work
    assert move("manager", "finished").get_json()["errors"][0]["field"] == "status"
    assert move("manager", "cancelled").get_json()["errors"][0]["field"] == "reason"
    stale = api.post("manager", f"/improvement-actions/{aid}", json={"title": "新标题", "version": a["version"] + 5})
    assert stale.status_code == 409
    assert api.get("manager", f"/improvement-actions/{aid}").get_json()["title"] == "弱覆盖小区整改"
    assert move("network", "in_progress").status_code == 200
    assert move("network", "done").status_code == 200
    assert move("network", "evaluated").status_code == 403  # evaluating is the overseers'
    early = move("manager", "evaluated")
    assert early.status_code == 409 and "2026-03-09" in early.get_json()["detail"]  # the after window is not over
    assert move("manager", "cancelled", reason="方案调整").status_code == 409  # done is not cancelled
    history = api.get("manager", f"/improvement-actions/{aid}").get_json()["history"]
    assert [e["after"].get("status") for e in history if e["type"] == "action.status_changed"] == [
        "in_progress",
        "done",
    ]


@pytest.mark.also_postgres
def test_the_evaluation_matches_the_hand_count(api, rt, clock):
    improvement_data.load(rt)
    aid = new_action(api, rt).get_json()["id"]
    assert api.get("manager", f"/improvement-actions/{aid}").get_json()["evaluation"] is None  # not started
    api.post("network", f"/improvement-actions/{aid}/status", json={"status": "in_progress"})  # Mon 03-02
    move_clock(api, clock, local("2026-03-05 17:00"))
    api.post("network", f"/improvement-actions/{aid}/status", json={"status": "done"})  # Thu 03-05
    move_clock(api, clock, local("2026-03-13 09:00"))  # the after window 03-06..03-12 is over
    r = api.post("manager", f"/improvement-actions/{aid}/status", json={"status": "evaluated"})
    assert r.status_code == 200, r.get_json()
    ev = r.get_json()["evaluation"]
    pick = lambda w: {k: w[k] for k in improvement_data.BEFORE}  # noqa: E731
    assert (ev["before"]["from"], ev["before"]["to"]) == ("2026-02-23", "2026-03-01")
    assert (ev["after"]["from"], ev["after"]["to"]) == ("2026-03-06", "2026-03-12")
    assert pick(ev["before"]) == improvement_data.BEFORE
    assert pick(ev["after"]) == improvement_data.AFTER
    assert ev["complete"] and ev["volume_change"] == -2 and ev["satisfaction_change"] == -0.1667
    # the dashboard counts the same window the same way: one definition
    dash = api.get("manager", "/reports/dashboard?from=2026-02-23&to=2026-03-01&category=network").get_json()
    assert (dash["volume"]["total"], dash["satisfaction"]["rate"]) == (4, 0.6667)
    move_clock(api, clock, local("2026-04-30 09:00"))  # evaluated: frozen, later data do not move it
    assert api.get("manager", f"/improvement-actions/{aid}").get_json()["evaluation"] == ev


@pytest.mark.also_postgres
def test_the_due_clock_warns_then_supervises_each_exactly_once(api, rt, clock):
    aid = new_action(api, rt, due_date="2026-03-06").get_json()["id"]  # due at 03-07 00:00 local
    owner, manager, supervisor, director = (user_id(rt, u) for u in ("network", "manager", "supervisor", "director"))
    assert improvement_clock.watch_due(rt) == {"due_soon": 0, "overdue": 0}
    move_clock(api, clock, local("2026-03-04 00:00"))  # three days before the end of the due day
    assert improvement_clock.watch_due(rt) == {"due_soon": 1, "overdue": 0}
    assert improvement_clock.watch_due(rt) == {"due_soon": 0, "overdue": 0}  # a re-run sends nothing
    move_clock(api, clock, local("2026-03-07 00:00"))
    assert improvement_clock.watch_due(rt) == {"due_soon": 0, "overdue": 1}
    assert improvement_clock.watch_due(rt) == {"due_soon": 0, "overdue": 0}
    with rt.db.read() as s:
        sent = sorted((n.user_id, n.kind) for n in s.scalars(select(StaffNotice)))
        types = list(s.scalars(select(ImprovementActionEvent.type).where(ImprovementActionEvent.action_id == aid)))
    assert sent == sorted(
        [
            (owner, "improvement.assigned"),  # at creation: the action is theirs
            (owner, "improvement.due_soon"),
            (owner, "improvement.overdue"),
            (manager, "improvement.supervised"),  # who assigned it
            (supervisor, "improvement.supervised"),
            (director, "improvement.supervised"),
        ]
    )
    assert types == ["action.created", "action.due_soon", "action.supervised"]
    # the owner's notices list them (newest first), unread until read
    mine = notices.list_notices(rt, viewer(rt, "network"))
    kinds = [i["kind"] for i in mine["items"]]
    assert kinds == ["improvement.overdue", "improvement.due_soon", "improvement.assigned"] and mine["unread"] == 3
    notices.mark_read(rt, viewer(rt, "network"), mine["up_to"], mine["up_to_staff"])
    assert notices.list_notices(rt, viewer(rt, "network"))["unread"] == 0
    # a new due date runs its clock again; a finished action's does not
    r = api.post("manager", f"/improvement-actions/{aid}", json={"due_date": "2026-03-20"})
    assert r.status_code == 200 and r.get_json()["clock"] == "on_time"
    api.post("network", f"/improvement-actions/{aid}/status", json={"status": "in_progress"})
    api.post("network", f"/improvement-actions/{aid}/status", json={"status": "done"})
    move_clock(api, clock, clock.now() + timedelta(days=30))
    assert improvement_clock.watch_due(rt) == {"due_soon": 0, "overdue": 0}
    assert api.get("manager", "/improvement-actions?overdue=true").get_json()["total"] == 0


def test_list_filters_are_checked(api):
    for query, field in (
        ("status=later", "status"),
        ("category=x", "category"),
        ("owner_id=abc", "owner_id"),
        ("overdue=maybe", "overdue"),
    ):
        r = api.get("manager", f"/improvement-actions?{query}")
        assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == field, query
