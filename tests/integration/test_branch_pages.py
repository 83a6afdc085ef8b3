"""The staff pages of the branches: outage incidents, the appeal desk, and their tasks in the workspace."""

from __future__ import annotations

import re

from .flow import complete, ready_task
from .web_client import Web


def test_the_network_department_opens_an_incident_and_answers_its_complaints(app, api, deployed):
    web = Web(app).login("network")
    assert "重大故障" in web.text("/outages")
    r = web.post(
        "/outages",
        {"title": "望京光缆中断", "area": "望京西园", "service": "broadband", "started_at": "2026-03-02T07:30"},
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:800]
    page = web.text(r.headers["Location"])
    assert "GZ20260302001" in page and "尚无关联投诉" in page
    body = {
        "customer_name": "赵强",
        "customer_phone": "13700001111",
        "channel": "phone",
        "matter": "望京西园 3 号楼断网。",
    }
    iid = api.post("agent", "/complaints", json=body).get_json()["process_instance_id"]
    complete(api, iid, "receive", "agent", body)
    agent = Web(app).login("agent")
    task = ready_task(api, iid, "classify", "agent")
    page = agent.text(f"/tasks/{task['id']}")
    assert "可能与重大故障有关" in page and "GZ20260302001" in page  # shown to the agent at classification
    complete(
        api,
        iid,
        "classify",
        "agent",
        {"category": "network", "severity": "general", "special_type": "outage", "incident_id": "GZ20260302001"},
    )
    complete(
        api, iid, "register", "agent", body | {"demand": "恢复。", "tried_self": False, "read_back_confirmed": True}
    )
    web.post("/outages/1", {"action": "notice", "text": "抢修中，预计 12:00 恢复。"})
    page = web.text("/outages/1")
    assert "抢修中" in page and "1 位客户" in page and "137****1111" in page
    r = web.post("/outages/1", {"action": "resolve", "resolution": "已恢复。"})
    assert "已统一答复 1 件投诉" in web.text(r.headers["Location"])
    assert "新建故障单" not in agent.text("/outages")  # agents read incidents; they do not open them


def test_the_appeal_desk_registers_work_orders_and_works_them_in_the_workspace(app, api, rt, deployed):
    from .test_appeals import _complained_first

    _complained_first(api, rt, matter="不认可增值业务费的处理结果。")  # the same matter, unanswered past 15 days
    web = Web(app).login("agent")
    page = web.text("/appeals")
    assert "登记申诉工单" in page and 'name="case_number"' in page
    form = {
        "case_number": "GXB-2026-1",
        "regulator_deadline": "2026-03-12T17:00",
        "customer_name": "冯军",
        "customer_phone": "13666667777",
        "category": "billing",
        "fee_dispute": "true",
        "occurred_at": "2026-01-20T10:00",
        "matter": "不认可处理结果。",
    }
    r = web.post("/appeals", form)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    page = web.text(r.headers["Location"])
    assert "申诉协商" in page and "办理中" in page
    task_id = re.search(r'href="/tasks/([0-9a-f-]+)"', page).group(1)
    assert "申诉·优先办理" in web.text(f"/tasks/{task_id}")  # the appeal's task opens in the workspace
    assert "申诉协商" in web.text("/")  # and waits in the agents' inbox
    r = web.post("/appeals", form | {"case_number": "GXB-2026-2", "occurred_at": "2025-08-01T10:00"})
    page = web.text(r.headers["Location"])
    assert "不予受理" in page and "5 个月" in page
    assert Web(app).login("network").get("/appeals").status_code == 403
