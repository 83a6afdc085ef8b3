"""A major outage: complaints matched at registration, linked at classification, told of progress, and
answered all at once when the incident is resolved."""

from __future__ import annotations

from sqlalchemy import select

from app.models import Complaint, Notification
from app.services.notifications.outbox import send_due

from .flow import complete, ready_task

AREA = "望京西园"


def _incident(api) -> dict:
    r = api.post(
        "network",
        "/outages",
        json={
            "title": "望京片区光缆中断",
            "area": AREA,
            "service": "broadband",
            "started_at": "2026-03-01T22:00:00+08:00",
            "expected_fix_at": "2026-03-02T18:00:00+08:00",
        },
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _register_outage_complaint(api, i: int, number: str) -> int:
    phone = f"1370000{i:04d}"
    body = {
        "customer_name": f"客户{i}",
        "customer_phone": phone,
        "channel": "phone",
        "matter": f"{AREA}{i} 号楼从昨晚开始宽带和手机都没有信号。",
    }
    r = api.post("agent", "/complaints", json=body)
    assert r.status_code == 201, r.get_json()
    created = r.get_json()
    assert [m["number"] for m in created["matched_outages"]] == [number]  # shown to the agent at registration
    iid = created["process_instance_id"]
    assert (
        complete(api, iid, "receive", "agent", body | {"received_at": "2026-03-02T09:00:00+08:00"}).status_code == 200
    )
    task = api.get("agent", f"/tasks/{ready_task(api, iid, 'classify', 'agent')['id']}").get_json()
    assert task["data"]["incident_id"] == number  # the match fills in the classification
    assert number in task["data"]["outage_suggestion"]
    r = complete(
        api,
        iid,
        "classify",
        "agent",
        {"category": "network", "severity": "major", "special_type": "outage", "incident_id": number},
    )
    assert r.status_code == 200, r.get_json()
    r = complete(
        api, iid, "register", "agent", body | {"demand": "尽快恢复。", "tried_self": False, "read_back_confirmed": True}
    )
    assert r.status_code == 200, r.get_json()
    ready_task(api, iid, "outage_wait", "handler_network")
    return iid


def test_an_incident_links_ten_complaints_and_answers_them_all_at_once(api, rt, deployed):
    incident = _incident(api)
    iids = [_register_outage_complaint(api, i, incident["number"]) for i in range(10)]

    detail = api.get("agent", f"/outages/{incident['id']}").get_json()
    assert detail["linked_complaints"] == 10 and all(c["waiting_for_fix"] for c in detail["complaints"])
    assert all("****" in c["customer_phone_masked"] for c in detail["complaints"])

    r = api.post(
        "network", f"/outages/{incident['id']}/notices", json={"text": "抢修队伍已到现场，预计 18:00 前恢复。"}
    )
    assert r.status_code == 201 and r.get_json()["recipients"] == 10

    r = api.post(
        "network",
        f"/outages/{incident['id']}/resolve",
        json={"resolution": "光缆已熔接，14:00 全部恢复；断网期间月租按天减免。"},
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["answered"] == 10 and r.get_json()["failed"] == []

    for iid in iids:  # every complaint was answered and waits for the customer's rating
        ready_task(api, iid, "visit_await", "agent")
        inst = api.get("manager", f"/process-instances/{iid}").get_json()
        assert inst["data"]["solution"].startswith("光缆已熔接")
        events = api.get("manager", f"/process-instances/{iid}/events").get_json()["items"]
        answered = [e for e in events if e["type"] == "task.completed" and e["element_id"] == "outage_wait"]
        assert answered[0]["actor"] == "network" and "统一答复" in answered[0]["reason"]
        assert any(e["type"] == "outage.linked" for e in events) and any(e["type"] == "outage.notice" for e in events)
    with rt.db.read() as s:
        kinds = [n.template for n in s.scalars(select(Notification).order_by(Notification.id))]
        assert kinds.count("outage_linked") == 10 and kinds.count("outage_progress") == 10
        assert kinds.count("outage_resolved") == 10
        assert {(c.outage_incident_id, c.department) for c in s.scalars(select(Complaint))} == {
            (incident["id"], "network")
        }
    assert send_due(rt) == len(kinds)
    with rt.db.read() as s:
        resolved = s.scalars(select(Notification).where(Notification.template == "outage_resolved")).all()
        assert all(n.status == "sent" and "/customer/survey/" in n.body and "光缆已熔接" in n.body for n in resolved)
    again = api.post("network", f"/outages/{incident['id']}/resolve", json={}).get_json()
    assert again["answered"] == 0  # nothing left waiting: resolving again sends nothing twice
    listed = api.get("agent", "/outages?status=resolved").get_json()["items"]
    assert [(i["number"], i["linked_complaints"]) for i in listed] == [(incident["number"], 10)]


def test_an_unknown_or_resolved_incident_cannot_be_linked(api, deployed):
    incident = _incident(api)
    body = {"customer_name": "赵一", "customer_phone": "13700009999", "channel": "phone", "matter": "家里没网。"}
    iid = api.post("agent", "/complaints", json=body).get_json()["process_instance_id"]
    complete(api, iid, "receive", "agent", body)
    outage = {"category": "network", "severity": "general", "special_type": "outage"}
    r = complete(api, iid, "classify", "agent", outage | {"incident_id": "GZ20990101001"})
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "incident_id"
    r = complete(api, iid, "classify", "agent", outage)
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "incident_id"  # required for an outage
    api.post("network", f"/outages/{incident['id']}/resolve", json={"resolution": "已恢复。"})
    r = complete(api, iid, "classify", "agent", outage | {"incident_id": incident["number"]})
    assert r.status_code == 422 and r.get_json()["errors"][0]["code"] == "outage.incident_resolved"
    ready_task(api, iid, "classify", "agent")  # nothing changed


def test_only_the_network_department_and_supervisors_open_incidents(api, deployed):
    body = {"title": "x", "area": "y", "service": "mobile", "started_at": "2026-03-02T08:00:00+08:00"}
    assert api.post("agent", "/outages", json=body).status_code == 403
    r = api.post("supervisor", "/outages", json=body | {"service": "radio"})
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "service"


def test_the_registration_page_tells_the_agent_of_a_matching_outage(app, api, deployed):
    from tests.integration.web_client import Web

    number = _incident(api)["number"]
    agent = Web(app).login("agent")
    r = agent.post(
        "/complaints/new",
        {
            "customer_name": "王芳",
            "customer_phone": "13700009999",
            "channel": "phone",
            "matter": f"{AREA}3 号楼宽带从昨晚起上不了网。",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:800]
    page = agent.text(r.headers["Location"])
    assert "flash-warning" in page and f"可能属于重大故障 {number}" in page and AREA in page
    r = agent.post(
        "/complaints/new",
        {
            "customer_name": "李雷",
            "customer_phone": "13700009998",
            "channel": "phone",
            "matter": "账单里多扣了 20 元。",
        },
    )
    assert "flash-warning" not in agent.text(r.headers["Location"])  # no match, no warning
