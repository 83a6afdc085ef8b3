"""Live work: notices of what happened to one's tasks (assigned, urged, warned, breached), bulk inbox actions."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from tests.integration.test_web_flow import happy_path, register
from tests.integration.web_client import Web


def _ready_task(rt, **where):
    from app.models import HumanTask

    with rt.db.read() as s:
        q = select(HumanTask).where(HumanTask.state == "ready")
        for k, v in where.items():
            q = q.where(getattr(HumanTask, k) == v)
        return s.scalars(q).first()


def _user_id(rt, username: str) -> int:
    from app.models import User

    with rt.db.read() as s:
        return s.scalar(select(User.id).where(User.username == username))


def test_a_task_assigned_and_urged_reaches_its_holder_as_notices(app, rt, deployed):
    agent = Web(app).login("agent")
    register(agent, happy_path()["start_data"])  # the first responder holds its first step
    task = _ready_task(rt, assignee_id=_user_id(rt, "agent"))
    supervisor = Web(app).login("supervisor")
    r = supervisor.post(f"/tasks/{task.id}/transfer", {"to": f"u:{_user_id(rt, 'agent2')}", "reason": "王芳请假"})
    assert r.status_code == 302
    supervisor.post(f"/tasks/{task.id}/urge", {"reason": "客户来电催问"})

    agent2 = Web(app).login("agent2")
    latest = agent2.get("/notices/latest").get_json()
    assert latest["unread"] == 2
    assert [i["title"] for i in latest["items"]] == ["您的任务被催办", "有任务转派给您"]
    assert latest["items"][0]["url"] == f"/tasks/{task.id}"
    page = agent2.text("/notices")
    assert "有任务转派给您" in page and "周敏" in page  # who did it, by name
    agent2.post("/notices/read", {"up_to": latest["items"][0]["id"]})
    assert agent2.get("/notices/latest").get_json()["unread"] == 0
    assert Web(app).login("agent").get("/notices/latest").get_json()["unread"] == 0, "the old holder is not told"


def test_a_warning_on_an_unclaimed_group_task_reaches_the_group(app, rt, deployed, clock):
    from app.services.sla.timers import fire_due_timers

    agent = Web(app).login("agent")
    _, task_id = register(agent, happy_path()["start_data"])
    agent.post(f"/tasks/{task_id}/release", {"reason": "交班"})  # back to the group, unclaimed
    task = _ready_task(rt, candidate_group="agent")
    assert task.assignee_id is None
    clock.set(task.warn_at + timedelta(minutes=1))
    fire_due_timers(rt)
    items = Web(app).login("agent2").get("/notices/latest").get_json()["items"]
    assert [i["title"] for i in items] == ["任务即将到期"]


def test_bulk_claim_and_release_from_the_inbox(app, rt, deployed):
    agent = Web(app).login("agent")
    for _ in range(2):
        register(agent, happy_path()["start_data"])
    mine = re.findall(r'name="task_ids" value="([^"]+)"', agent.text("/?tab=mine"))
    assert len(mine) == 2, "the first responder holds the complaints they registered"
    r = agent.post("/bulk", {"action": "release", "task_ids": mine, "next": "/"})
    assert r.status_code == 302
    assert "已退回组内 2 项任务" in agent.text("/")
    agent2 = Web(app).login("agent2")
    r = agent2.post("/bulk", {"action": "claim", "task_ids": mine + ["no-such-task"]})
    page = agent2.text("/?tab=mine")
    assert "已领取 2 项任务" in page and "未处理" in page
    assert sorted(re.findall(r'name="task_ids" value="([^"]+)"', page)) == sorted(mine)
    r = agent2.post("/bulk", {"action": "transfer", "task_ids": mine, "to_group": "agent"})
    assert "原因" in agent2.text("/") or "reason" in agent2.text("/")


def test_saved_inbox_views_are_each_users_own(app, deployed):
    agent = Web(app).login("agent")
    r = agent.post("/views", {"name": "重大投诉", "tab": "overdue", "severity": "major"})
    assert r.status_code == 302 and "severity=major" in r.headers["Location"]
    page = agent.text("/")
    assert re.search(
        r'href="/\?(tab=overdue&amp;severity=major|severity=major&amp;tab=overdue)" data-view="重大投诉"', page
    )
    assert 'data-view="重大投诉"' not in Web(app).login("agent2").text("/")
    agent.post("/views", {"name": "重大投诉", "tab": "mine"})  # the same name replaces the view
    assert len(re.findall(r'data-view="重大投诉"', agent.text("/"))) == 1
    agent.post("/views/delete", {"name": "重大投诉"})
    assert 'data-view="重大投诉"' not in agent.text("/")
    r = agent.post("/views", {"name": "x", "tab": "nonsense"})
    assert "tab" in agent.text("/")
