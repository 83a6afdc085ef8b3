"""Need to know: a customer's personal data shows only to those who work the complaint; others see a mask and,
when entitled, reveal it with a reason; every reading goes to the access log; notes need a readable task;
exports never carry a live formula."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from .flow import ready_task
from .test_instance_audit import walk
from .web_client import Web

PHONE, NAME = "13998765432", "李娜"  # the major billing scenario's customer


@pytest.fixture
def billing(api, deployed):
    """A major billing complaint at the billing department's handling step (the supervisor reviewed it)."""
    created = walk(api, "major_complaint_supervisor_review", steps=5)
    task = ready_task(api, created["process_instance_id"], "handle", "handler_billing")
    return created, task


def _log(api, **filters) -> list[dict]:
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    r = api.get("manager", f"/access-log?{query}")
    assert r.status_code == 200, r.get_json()
    return r.get_json()["items"]


def test_those_who_work_the_complaint_see_the_customer_and_others_a_mask(api, billing):
    created, task = billing
    cid, iid = created["id"], created["process_instance_id"]
    mine = api.get("billing", f"/complaints/{cid}").get_json()
    assert (mine["customer_phone"], mine["customer_name"], mine["personal_data"]) == (PHONE, NAME, "shown")
    for outsider in ("manager", "director"):  # they may open it, but do not work it
        record = api.get(outsider, f"/complaints/{cid}").get_json()
        assert (record["customer_phone"], record["customer_name"]) == ("139****5432", "李**")
        assert record["personal_data"] == "masked"
    seen = api.get("manager", f"/tasks/{task['id']}").get_json()  # an overseer reads the task, masked
    assert seen["data"]["customer_phone"] == "139****5432" and seen["personal_data"] == "masked"
    instance = api.get("manager", f"/process-instances/{iid}").get_json()
    trail = api.get("manager", f"/process-instances/{iid}/events").get_json()
    assert PHONE not in json.dumps(instance, ensure_ascii=False) and NAME not in json.dumps(trail, ensure_ascii=False)
    listed = api.get("manager", "/complaints?q=1399876").get_json()["items"]
    assert [c["customer_phone"] for c in listed] == ["139****5432"]


def test_process_owners_see_diagrams_not_customers(api, billing):
    created, task = billing
    assert api.get("owner", f"/complaints/{created['id']}").status_code == 404
    assert api.get("owner", f"/process-instances/{created['process_instance_id']}").status_code == 404
    assert api.get("owner", f"/tasks/{task['id']}").status_code == 404
    assert api.get("owner", "/complaints").get_json()["items"] == []
    assert api.get("owner", "/tasks").get_json()["items"] == []
    assert api.get("owner", "/process-models").status_code == 200


def test_a_reveal_needs_an_entitlement_and_a_reason_and_is_logged(app, api, billing):
    created, _ = billing
    cid = created["id"]
    r = api.post("manager", f"/complaints/{cid}/reveal", json={})
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "reason"
    assert api.post("network", f"/complaints/{cid}/reveal", json={"reason": "想看看"}).status_code == 404
    r = api.post("manager", f"/complaints/{cid}/reveal", json={"reason": "质检抽查，需回访核实"})
    assert r.status_code == 200 and (r.get_json()["customer_phone"], r.get_json()["customer_name"]) == (PHONE, NAME)
    revealed = _log(api, action="personal_data.revealed")
    assert [(e["actor"], e["complaint_id"], e["detail"]["reason"]) for e in revealed] == [
        ("manager", cid, "质检抽查，需回访核实")
    ]
    # the same on the complaint page: a masked record, a button, and the data after a reason
    web = Web(app).login("director")
    page = web.text(f"/complaints/{cid}")
    assert 'data-testid="masked-note"' in page and PHONE not in page and NAME not in page
    r = web.post(f"/complaints/{cid}/reveal", {"reason": ""})
    assert r.status_code == 302 and PHONE not in web.text(f"/complaints/{cid}")
    shown = web.post(f"/complaints/{cid}/reveal", {"reason": "客户来电要求主任回电"}).get_data(as_text=True)
    assert 'data-testid="revealed-phone">13998765432<' in shown
    assert [e["actor"] for e in _log(api, action="personal_data.revealed")] == ["director", "manager"]


def test_every_reading_of_personal_data_is_in_the_access_log(app, api, billing):
    created, task = billing
    iid = created["process_instance_id"]
    api.get("billing", f"/tasks/{task['id']}")
    Web(app).login("billing").text(f"/tasks/{task['id']}")
    api.get("manager", "/process-instances?phone=1399876")
    api.get("agent", "/complaints?q=13998765432")
    api.get("manager", f"/process-instances/{iid}")
    Web(app).login("billing").text("/?q=1399876")  # the inbox's search by phone
    rows = {(e["actor"], e["action"], e["via"]) for e in _log(api, limit=100)}
    assert {
        ("billing", "task.viewed", "api"),
        ("billing", "task.viewed", "web"),
        ("manager", "search.by_phone", "api"),
        ("agent", "complaints.listed", "api"),
        ("manager", "instance.viewed", "api"),
        ("billing", "inbox.searched", "web"),
    } <= rows
    viewed = _log(api, user="billing", action="task.viewed")
    assert {e["detail"]["personal_data"] for e in viewed} == {"shown"} and len(viewed) == 2
    assert all(e["instance_id"] == iid for e in viewed)
    assert _log(api, number=created["number"], via="web") == [e for e in viewed if e["via"] == "web"]
    bad = api.get("manager", "/access-log?via=pigeon&from=yesterday")
    assert bad.status_code == 422 and {e["field"] for e in bad.get_json()["errors"]} == {"via", "from"}
    assert api.get("agent", "/access-log").status_code == 403
    task_page = Web(app).login("director").text(f"/tasks/{task['id']}")  # an overseer: masked, with the way to reveal
    assert "139****5432" in task_page and PHONE not in task_page and 'data-testid="reveal-link"' in task_page
    page = Web(app).login("manager").text("/reports/access-log?user=billing&action=task.viewed")
    assert page.count("<tr data-row>") == 2 and created["number"] in page
    assert 'data-testid="filter-errors"' in Web(app).login("manager").text("/reports/access-log?from=2026-13-40")
    assert Web(app).login("agent").get("/reports/access-log").status_code == 403


def test_notes_and_actions_need_a_task_one_may_read(app, api, billing):
    _, task = billing
    for outsider in ("dispatcher", "agent", "network"):  # none of them reads a billing task
        assert api.get(outsider, f"/tasks/{task['id']}").status_code == 404
        assert api.post(outsider, f"/tasks/{task['id']}/notes", json={"text": "看不到也能写？"}).status_code == 404
        assert (
            api.post(
                outsider, f"/tasks/{task['id']}/contact-attempts", json={"method": "phone", "result": "no_answer"}
            ).status_code
            == 404
        )
    assert Web(app).login("dispatcher").post(f"/tasks/{task['id']}/notes", {"text": "x"}).status_code == 404
    assert api.post("billing", f"/tasks/{task['id']}/notes", json={"text": "已核查话单"}).status_code == 201
    assert api.post("supervisor", f"/tasks/{task['id']}/notes", json={"text": "请今日办结"}).status_code == 201
    # the first responder still urges from the complaint page: pressing a holder reads nothing of the task
    assert api.post("agent", f"/tasks/{task['id']}/urge", json={"reason": "客户再次来电"}).status_code == 200


FORMULA = "=cmd|' /C calc'!A0"


def test_exports_never_carry_a_live_formula(app, api, deployed):
    from .test_customer_page import NUMBER, _file

    status, page = _file(Web(app), customer_name=FORMULA, customer_phone="13912340001")  # the public page
    assert status == 201 and NUMBER.search(page)
    _file(Web(app), customer_name="@SUM(1+1)", customer_phone="13912340002")
    _file(Web(app), customer_name="+1-1", customer_phone="13912340003")
    _file(Web(app), customer_name="-2+3", customer_phone="13912340004")
    r = api.get("manager", "/process-instances/export?format=csv")
    rows = list(csv.reader(io.StringIO(r.get_data().decode("utf-8-sig"))))
    names = [row[2] for row in rows[1:]]
    assert len(names) == 4 and all(n.startswith("'") for n in names), names
    cells = [c for row in rows for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    r = api.get("manager", "/process-instances/export?format=xlsx")
    sheet = load_workbook(io.BytesIO(r.get_data()), read_only=True).active
    values = [v for row in sheet.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert len([v for v in values if v.startswith("'")]) == 4
    assert not [v for v in values if v[:1] in ("=", "+", "-", "@")]


def test_an_appeal_shows_its_customer_only_to_those_who_work_it(app, api, rt, deployed):
    from .test_appeals import PHONE as APPEAL_PHONE, _complained_first, _order

    _complained_first(api, rt)
    r = api.post("agent", "/appeals", json=_order(case_number="GXB-NTK-1"))
    assert r.status_code == 201 and r.get_json()["admissible"], r.get_json()
    appeal_id = r.get_json()["id"]
    mine = api.get("agent", f"/appeals/{appeal_id}").get_json()  # the agents' lane works it
    assert (mine["customer_phone"], mine["personal_data"]) == (APPEAL_PHONE, "shown")
    audited = api.get("manager", f"/appeals/{appeal_id}").get_json()
    assert (audited["customer_phone"], audited["customer_name"], audited["personal_data"]) == (
        "136****7777",
        "冯**",
        "masked",
    )
    assert all(a["customer_phone"] == "136****7777" for a in api.get("manager", "/appeals").get_json()["items"])
    page = Web(app).login("manager").text(f"/appeals/{appeal_id}")
    assert "冯军" not in page and APPEAL_PHONE not in page
    assert {(e["actor"], e["action"]) for e in _log(api, action="appeal.viewed")} >= {
        ("agent", "appeal.viewed"),
        ("manager", "appeal.viewed"),
    }
