"""Small things a user of the workspace checks: the icon, the highlighted menu, due-soon, dates, words."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from tests.integration.test_web_flow import happy_path, register
from tests.integration.web_client import Web


def _active_nav(html: str) -> list[str]:
    return re.findall(r'<a href="[^"]*" class="active" aria-current="page">([^<]+)</a>', html)


def test_every_page_has_an_icon(app):
    with app.test_client().get("/favicon.ico") as r:
        assert r.status_code == 200 and r.mimetype == "image/svg+xml"
    assert 'rel="icon"' in Web(app).text("/login")


def test_the_menu_highlights_the_list_a_detail_page_belongs_to(app, deployed):
    agent = Web(app).login("agent")
    register(agent, happy_path()["start_data"])
    listing = agent.text("/complaints")
    complaint_id = re.search(r'href="/complaints/(\d+)"', listing).group(1)
    assert _active_nav(agent.text(f"/complaints/{complaint_id}")) == ["投诉查询"]
    assert _active_nav(agent.text("/complaints/new")) == ["登记投诉"]
    manager = Web(app).login("manager")
    assert _active_nav(manager.text("/reports/regulator")) == ["报表"]
    assert _active_nav(manager.text("/reports/instances")) == ["审计查询"]


def test_due_soon_lists_only_tasks_past_their_warning(app, deployed, rt, clock):
    from app.models import HumanTask

    agent = Web(app).login("agent")
    register(agent, happy_path()["start_data"])
    with rt.db.read() as s:
        task = s.scalars(select(HumanTask).where(HumanTask.state == "ready", HumanTask.due_at.is_not(None))).first()
        warn_at, due_at = task.warn_at, task.due_at
    assert warn_at is not None and clock.now() < warn_at < due_at

    def due_soon_ids() -> list[str]:
        return re.findall(r'data-task-id="([^"]+)"', agent.text("/?tab=due_soon"))

    assert task.id not in due_soon_ids(), "a task still green is not about to breach"
    clock.set(warn_at + timedelta(minutes=1))
    assert task.id in due_soon_ids()
    clock.set(due_at + timedelta(minutes=1))
    assert task.id not in due_soon_ids(), "past its deadline it is overdue, not due soon"


def test_the_registration_look_up_shows_the_day_in_beijing(app, deployed, clock):
    # 23:20 UTC on 12-06 is 07:20 on 12-07 in Beijing: the agent saw "2026-12-06" before.
    clock.set(datetime(2026, 3, 1, 23, 20, tzinfo=timezone.utc))
    agent = Web(app).login("agent")
    start = happy_path()["start_data"]
    register(agent, start)
    items = agent.get(f"/complaints/lookup?phone={start['customer_phone']}").get_json()["items"]
    assert [i["created_on"] for i in items] == ["2026-03-02"]


def test_the_form_hint_promises_no_save_that_does_not_exist(app):
    from app.web.i18n import load_catalogue

    for messages in load_catalogue().values():
        assert "保存" not in messages["task.submit_hint"] and "save" not in messages["task.submit_hint"].lower()


def test_a_photo_is_previewed_on_the_next_task_page_and_each_opening_is_logged(app, deployed):
    import io

    from tests.integration.test_web_flow import as_form, open_task_of

    sc = happy_path()
    agent = Web(app).login("agent")
    number, _ = register(agent, sc["start_data"])
    for step in sc["steps"][:2]:
        agent.post(f"/tasks/{open_task_of(agent, number)}", as_form(step["data"]))
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    data = as_form(sc["steps"][2]["data"])
    data["evidence__upload"] = (io.BytesIO(png), "信号截图.png")
    r = agent.post(f"/tasks/{open_task_of(agent, number)}", data, content_type="multipart/form-data")
    assert r.status_code == 302
    dispatcher = Web(app).login("dispatcher")
    page = dispatcher.text(f"/tasks/{open_task_of(dispatcher, number)}")
    thumb = re.search(r'<img class="evidence-thumb" src="(/evidence/[^"]+)" alt="信号截图.png"', page)
    assert thumb, "the photo is shown where the dispatcher decides"
    with dispatcher.get(thumb.group(1)) as got:
        assert got.status_code == 200 and got.mimetype == "image/png"
    from app.models import AccessLog

    rt = app.extensions["complaintflow"]
    with rt.db.read() as s:
        opened = s.scalars(select(AccessLog).where(AccessLog.action == "evidence.viewed")).all()
    assert [row.actor for row in opened] == ["dispatcher"]


def _nav(html: str) -> list[str]:
    menu = html.split('<nav class="mainnav"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r"<a [^>]*>([^<]+)</a>", menu)


def test_the_satisfaction_page_has_its_menu_item_for_team_leaders(app, deployed):
    supervisor = Web(app).login("supervisor")
    assert "满意度" in _nav(supervisor.text("/"))
    assert _active_nav(supervisor.text("/reports/satisfaction")) == ["满意度"]
    agent = Web(app).login("agent")
    assert "满意度" not in _nav(agent.text("/")), "figures per agent are not for peers"
    assert agent.get("/reports/satisfaction").status_code == 403


def test_an_action_owner_without_the_reports_finds_their_actions_in_the_menu(app, deployed, rt, api):
    from tests.integration.test_improvement_actions import new_action, user_id

    owner = Web(app).login("owner")
    assert "整改措施" not in _nav(owner.text("/")), "no action of their own: no item"
    r = new_action(api, rt, owner_id=user_id(rt, "owner"), title="流程超时节点整改")
    assert r.status_code == 201, r.get_json()
    home = owner.text("/")
    assert "整改措施" in _nav(home) and "报表" not in _nav(home)
    listing = owner.text("/reports/improvement-actions")
    assert _active_nav(listing) == ["整改措施"] and "流程超时节点整改" in listing
    action = re.search(r'href="(/reports/improvement-actions/\d+)"', listing).group(1)
    assert _active_nav(owner.text(action)) == ["整改措施"]
    # report readers reach every action from the reports: one item, not two
    manager = Web(app).login("manager")
    assert "整改措施" not in _nav(manager.text("/"))
    assert _active_nav(manager.text("/reports/improvement-actions")) == ["报表"]
