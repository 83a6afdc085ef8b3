"""Task actions through the pages and the API; another department can neither see nor open a task."""

from __future__ import annotations

import io
import re

from tests.integration.test_web_flow import as_form, happy_path, open_task_of, register, task_ids
from tests.integration.web_client import Web


def to_handling(app) -> tuple[Web, str, str]:
    """Walk a network complaint to its handling step; return the agent's client, its number and the task id."""
    sc = happy_path()
    agent = Web(app).login("agent")
    number, task_id = register(agent, sc["start_data"])
    for step in sc["steps"][:3]:
        assert agent.post(f"/tasks/{open_task_of(agent, number)}", as_form(step["data"])).status_code == 302
    dispatcher = Web(app).login("dispatcher")
    assert (
        dispatcher.post(f"/tasks/{open_task_of(dispatcher, number)}", as_form(sc["steps"][3]["data"])).status_code
        == 302
    )
    network = Web(app).login("network")
    return agent, number, open_task_of(network, number)


def events(app, number: str) -> list[dict]:
    from app.services.instances.store import list_events

    rt = app.extensions["complaintflow"]
    from sqlalchemy import select
    from app.models import Complaint

    with rt.db.read() as s:
        instance_id = s.scalar(select(Complaint.instance_id).where(Complaint.number == number))
    return list_events(rt, instance_id)


def _department(app, number: str) -> str:
    from sqlalchemy import select

    from app.models import Complaint

    with app.extensions["complaintflow"].db.read() as s:
        return s.scalar(select(Complaint.department).where(Complaint.number == number))


def test_another_department_neither_sees_nor_opens_the_task(app, deployed, api):
    _, number, task_id = to_handling(app)
    billing = Web(app).login("billing")
    assert number not in billing.text("/") and task_ids(billing.text(f"/?q={number}")) == []
    assert billing.get(f"/tasks/{task_id}").status_code == 404
    assert billing.post(f"/tasks/{task_id}/claim").status_code in (302, 404)
    assert "network" not in [t["candidate_group"] for t in api.get("billing", "/tasks").get_json()["items"]]
    assert api.get("billing", f"/tasks/{task_id}").status_code == 404
    assert api.post("billing", f"/tasks/{task_id}/complete", json={"data": {}}).status_code == 404
    assert (
        api.post(
            "billing", f"/tasks/{task_id}/transfer", json={"reason": "x", "to_group": "handler_billing"}
        ).status_code
        == 404
    )
    assert api.get("network", f"/tasks/{task_id}").status_code == 200


def test_transfer_to_a_group_moves_the_task_and_needs_a_reason(app, deployed, api):
    _, number, task_id = to_handling(app)
    network = Web(app).login("network")
    r = network.post(f"/tasks/{task_id}/transfer", {"to": "g:handler_billing", "reason": ""})
    assert r.status_code == 302
    assert number in network.text("/")  # refused: still here
    r = network.post(f"/tasks/{task_id}/transfer", {"to": "g:handler_billing", "reason": "计费问题，应由计费部处理"})
    assert r.status_code == 302
    assert number not in network.text("/")
    assert network.get(f"/tasks/{task_id}").status_code == 404
    assert number in Web(app).login("billing").text("/")
    moved = [e for e in events(app, number) if e["type"] == "task.transferred"]
    assert moved and moved[0]["reason"] == "计费问题，应由计费部处理"
    assert moved[0]["data_after"]["candidate_group"] == "handler_billing"
    assert _department(app, number) == "billing"  # search, reports and the dashboard follow the handling department
    from tests.integration.test_report_rollups import assert_rollups_equal_a_recount

    assert_rollups_equal_a_recount(app.extensions["complaintflow"], "after a transfer to another department")


def test_transfer_to_a_person_and_the_api(app, deployed, api):
    _, number, task_id = to_handling(app)
    r = api.post("network", f"/tasks/{task_id}/transfer", json={"reason": "请协助", "to_user": "billing"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["assignee_id"] is not None
    billing = Web(app).login("billing")
    assert billing.get(f"/tasks/{task_id}").status_code == 200
    r = api.post("billing", f"/tasks/{task_id}/transfer", json={"reason": "", "to_group": "handler_network"})
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "reason"


def test_return_to_the_dispatcher_and_redispatch(app, deployed, api):
    _, number, task_id = to_handling(app)
    network = Web(app).login("network")
    assert network.post(f"/tasks/{task_id}/return", {"reason": "不属于网络问题，系计费争议"}).status_code == 302
    dispatcher = Web(app).login("dispatcher")
    page = dispatcher.text(f"/tasks/{task_id}")
    assert 'data-testid="returned-notice"' in page and "data-main-form" not in page
    assert (
        dispatcher.post(f"/tasks/{task_id}/transfer", {"to": "g:handler_billing", "reason": "改派计费部"}).status_code
        == 302
    )
    assert number in Web(app).login("billing").text("/")
    types = [e["type"] for e in events(app, number)]
    assert "task.returned" in types and types.count("task.transferred") == 1
    assert _department(app, number) == "billing"
    shown = api.get("manager", f"/complaints?q={number}").get_json()["items"][0]
    assert (shown["transfer_count"], shown["return_count"]) == (1, 1)  # first-contact resolution reads them
    r = api.post("billing", f"/tasks/{task_id}/return", json={"reason": ""})
    assert r.status_code == 422


def test_urge_notes_and_contact_attempts_are_audited(app, deployed, api):
    agent, number, task_id = to_handling(app)
    complaint_page = agent.text(f"/complaints?q={number}")
    assert number in complaint_page
    complaint_id = re.search(r'href="/complaints/(\d+)"', complaint_page).group(1)
    page = agent.text(f"/complaints/{complaint_id}")
    assert f'action="/tasks/{task_id}/urge"' in page  # the first responder urges from the complaint page
    r = agent.post(f"/tasks/{task_id}/urge", {"reason": "客户再次来电催促", "next": f"/complaints/{complaint_id}"})
    assert r.status_code == 302 and r.headers["Location"] == f"/complaints/{complaint_id}"
    r = api.post("agent", f"/tasks/{task_id}/urge", json={"reason": "第二次催办"})
    assert r.status_code == 200 and r.get_json()["priority"] == 2
    assert api.post("network", f"/tasks/{task_id}/urge", json={"reason": "x"}).status_code == 403
    r = api.post("network", f"/tasks/{task_id}/notes", json={"text": "已派工程师上门"})
    assert r.status_code == 201
    r = api.post("network", f"/tasks/{task_id}/contact-attempts", json={"method": "phone", "result": "no_answer"})
    assert r.status_code == 201
    r = api.post("network", f"/tasks/{task_id}/contact-attempts", json={"method": "pigeon", "result": "no_answer"})
    assert r.status_code == 422
    network = Web(app).login("network")
    assert network.post(f"/tasks/{task_id}/notes", {"text": "第二条备注"}).status_code == 302
    page = network.text(f"/tasks/{task_id}")
    assert "客户再次来电催促" in page and "已派工程师上门" in page and "无人接听" in page and "第二条备注" in page
    assert "催" in network.text("/")
    types = [e["type"] for e in events(app, number)]
    assert {"task.urged", "note.added", "contact.attempted"} <= set(types)


def test_claim_and_release_from_the_pages(app, deployed):
    _, number, task_id = to_handling(app)
    network = Web(app).login("network")
    r = network.post(f"/tasks/{task_id}/claim")
    assert r.status_code == 302 and r.headers["Location"].endswith(task_id)
    assert number in network.text("/?tab=mine")
    assert network.post(f"/tasks/{task_id}/release").status_code == 302
    assert number not in network.text("/?tab=mine") and number in network.text("/?tab=group")


def events_of_access(app):
    from app.models import AccessLog

    with app.extensions["complaintflow"].db.read() as s:
        return list(s.query(AccessLog).order_by(AccessLog.id))


def test_evidence_is_checked_by_content_and_readable_only_by_those_who_may_see(app, deployed):
    sc = happy_path()
    agent = Web(app).login("agent")
    number, task_id = register(agent, sc["start_data"])
    for step in sc["steps"][:2]:
        agent.post(f"/tasks/{open_task_of(agent, number)}", as_form(step["data"]))
    reg = open_task_of(agent, number)
    data = as_form(sc["steps"][2]["data"])
    data["evidence__upload"] = (io.BytesIO(b"<html>not an image</html>"), "photo.jpg")
    r = agent.post(f"/tasks/{reg}", data, content_type="multipart/form-data")
    assert r.status_code == 422 and re.search(r'data-field="evidence">.*?只接受照片', r.get_data(as_text=True), re.S)
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    data = as_form(sc["steps"][2]["data"])
    data["evidence__upload"] = (io.BytesIO(png), "信号截图.png")
    r = agent.post(f"/tasks/{reg}", data, content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    submitted = [e for e in events(app, number) if e["type"] == "task.completed" and e["element_id"] == "register"][0]
    (file_id,) = submitted["data_after"]["evidence"]
    with agent.get(f"/evidence/{file_id}") as got:
        assert got.status_code == 200 and got.mimetype == "image/png" and got.data == png
    assert Web(app).login("billing").get(f"/evidence/{file_id}").status_code == 404
    assert agent.get("/evidence/../../etc/passwd").status_code == 404
    # a photo cannot be masked: an overseer who does not work the complaint opens it only if entitled to reveal
    with Web(app).login("manager").get(f"/evidence/{file_id}") as got:
        assert got.status_code == 200
    assert Web(app).login("owner").get(f"/evidence/{file_id}").status_code == 404
    opened = [e for e in events_of_access(app) if e.action == "evidence.viewed"]
    assert [(e.actor, e.detail["evidence_id"]) for e in opened] == [("agent", file_id), ("manager", file_id)]


def test_a_supervisor_suspends_and_resumes_from_the_task_page(app, deployed):
    _, number, task_id = to_handling(app)
    network = Web(app).login("network")
    assert 'data-dialog="dlg-suspend"' not in network.text(f"/tasks/{task_id}")  # supervisors only
    supervisor = Web(app).login("supervisor")
    page = supervisor.text(f"/tasks/{task_id}")
    assert 'data-dialog="dlg-suspend"' in page
    complaint_id = re.search(r'name="complaint_id" value="(\d+)"', page).group(1)
    r = supervisor.post(f"/tasks/{task_id}/suspend", {"complaint_id": complaint_id, "reason": "等待客户提供话单"})
    assert r.status_code == 302
    assert "sla-paused" in network.text(f"/?q={number}")
    assert 'data-dialog="dlg-resume"' in supervisor.text(f"/tasks/{task_id}")
    assert supervisor.post(f"/tasks/{task_id}/resume", {"complaint_id": complaint_id, "reason": ""}).status_code == 302
    assert "sla-paused" not in network.text(f"/?q={number}")
    types = [e["type"] for e in events(app, number)]
    assert "complaint.suspended" in types and "complaint.resumed" in types
