"""The whole record everywhere it is read: what 投诉登记 and 投诉处理 took (demand, account, place,
amount, cause, solution...) shows on the complaint page, the instance page, the printable record
and the export, not only in the audit row."""

from __future__ import annotations

from tests.integration.web_client import Web

from .flow import complete, registration, scenario

DEMAND = "尽快恢复信号，减免本月部分月租。"
PLACE = "北京市朝阳区望京西园三区"


def _handled(api):
    sc = scenario("general_satisfied_first_reply")
    created = api.post("agent", "/complaints", json=registration(sc)).get_json()
    iid = created["process_instance_id"]
    steps = sc["steps"]
    register = steps[2]["data"] | {"amount": 58.5}
    for task, group, data in (
        ("receive", "agent", steps[0]["data"]),
        ("classify", "agent", steps[1]["data"]),
        ("register", "agent", register),
        ("dispatch", "dispatcher", steps[3]["data"]),
        ("handle", "handler_network", steps[4]["data"]),
    ):
        assert complete(api, iid, task, group, data).status_code == 200, task
    return created["id"], iid, steps[4]["data"]["solution"]


def test_registration_and_handling_fields_on_every_page(app, deployed, api):
    cid, iid, solution = _handled(api)
    complaint = api.get("agent", f"/complaints/{cid}").get_json()  # the owner works it: nothing masked
    assert complaint["demand"] == DEMAND and complaint["account"] == "13812345678"
    assert complaint["amount"] == "58.50"

    agent = Web(app).login("agent")
    page = agent.text(f"/complaints/{cid}")
    assert 'data-testid="complaint-record"' in page
    for text in (DEMAND, PLACE, "58.5", solution, "已重启手机并更换卡槽"):
        assert text in page, text

    manager = Web(app).login("manager")
    audit = manager.text(f"/reports/instances/{iid}")
    for text in (DEMAND, PLACE, "58.5", solution):
        assert text in audit, text

    printed = agent.text(f"/complaints/{cid}/print")
    assert "print.css" in printed and DEMAND in printed and solution in printed and PLACE in printed

    csv = manager.get("/reports/instances/export.csv").get_data(as_text=True)
    assert "客户诉求" in csv and DEMAND in csv and "58.50" in csv and "首问责任人" in csv and "王芳" in csv
