"""Compensation: the decision table sets who approves; a process owner edits it, redeploys, and the next
complaint follows the new limits; every decision and approval is in the audit trail."""

from __future__ import annotations

import shutil

from sqlalchemy import select

from app.models import Complaint
from app.services.process_models.deployment import deploy_directory
from tests.conftest import ROOT

from .flow import complete, ready_task, registration, scenario

SC = scenario("general_satisfied_first_reply")


def _to_handling(api) -> tuple[int, int]:
    created = api.post("agent", "/complaints", json=registration(SC)).get_json()
    iid = created["process_instance_id"]
    for step in SC["steps"][:4]:  # receive, classify, register, dispatch
        assert complete(api, iid, step["task"], step["group"], step["data"]).status_code == 200
    return created["id"], iid


def _handle(api, iid: int, amount: float):
    data = dict(SC["steps"][4]["data"], compensation_type="refund", compensation_amount=amount)
    r = complete(api, iid, "handle", "handler_network", data)
    assert r.status_code == 200, r.get_json()
    return {t["element_id"]: t for t in r.get_json()["next_tasks"]}


def _events(api, iid: int, kind: str) -> list[dict]:
    return [e for e in api.get("manager", f"/process-instances/{iid}/events").get_json()["items"] if e["type"] == kind]


def test_an_edited_and_redeployed_table_sets_the_next_approval(api, rt, deployed, tmp_path):
    cid, iid = _to_handling(api)
    nxt = _handle(api, iid, 500)
    assert nxt["approve_compensation"]["candidate_group"] == "supervisor"  # 100 < 500 <= 1000: the supervisor
    decided = _events(api, iid, "compensation.decided")[0]["data_after"]
    assert decided["approval_level"] == "supervisor" and "班长审批" in decided["rule"]

    # A process owner raises the department's own authority from 100 to 800 yuan and redeploys.
    folder = tmp_path / "processes"
    shutil.copytree(ROOT / "processes", folder)
    table = folder / "compensation_approval.dmn"
    text = table.read_text(encoding="utf-8")
    assert text.count("&lt;= 100<") == 1
    table.write_text(text.replace("&lt;= 100<", "&lt;= 800<").replace("100 元以内", "800 元以内"), encoding="utf-8")
    results = {d.process_id: d for d in deploy_directory(rt, folder)}
    assert results["complaint_handling"].created and results["complaint_handling"].version == 2

    _, iid2 = _to_handling(api)
    nxt = _handle(api, iid2, 500)
    assert "approve_compensation" not in nxt and "track" in nxt  # within the new authority: no approval
    assert _events(api, iid2, "compensation.decided")[0]["data_after"]["rule"].startswith("800 元以内")
    nxt = {t["element_id"]: t for t in api.get("supervisor", f"/tasks?process_instance_id={iid}").get_json()["items"]}
    assert "approve_compensation" in nxt  # the complaint started before keeps its version's table
    with rt.db.read() as s:
        statuses = dict(s.execute(select(Complaint.instance_id, Complaint.compensation_status)).all())
    assert statuses == {iid: "pending", iid2: "not_required"}


def test_approvals_follow_the_table_and_are_audited(api, rt, deployed):
    cid, iid = _to_handling(api)
    nxt = _handle(api, iid, 5000)
    assert nxt["approve_compensation"]["candidate_group"] == "director"
    task = nxt["approve_compensation"]
    assert (
        api.post(
            "supervisor",
            f"/tasks/{task['id']}/complete",
            json={"data": {"approval_decision": "approved", "approval_note": "x"}},
        ).status_code
        == 403
    )  # not the supervisor's to approve
    r = api.post(
        "director",
        f"/tasks/{task['id']}/complete",
        json={
            "data": {
                "approval_decision": "adjusted",
                "approved_amount": 3000,
                "approval_note": "核实后按 3000 元补偿。",
            }
        },
    )
    assert r.status_code == 200, r.get_json()
    adjusted = _events(api, iid, "compensation.adjusted")
    assert [(e["actor"], e["reason"], e["data_after"]["approved_amount"]) for e in adjusted] == [
        ("director", "核实后按 3000 元补偿。", 3000)
    ]
    complaint = api.get("agent", f"/complaints/{cid}").get_json()
    assert complaint["status"] == "open"
    with rt.db.read() as s:
        c = s.get(Complaint, cid)
        assert (c.compensation_status, float(c.compensation_amount), c.responsibility) == ("adjusted", 3000.0, "ours")
    ready_task(api, iid, "track", "agent")


def test_a_rejected_compensation_goes_back_to_handling(api, deployed):
    _, iid = _to_handling(api)
    task = _handle(api, iid, 900)["approve_compensation"]
    r = api.post(
        "supervisor",
        f"/tasks/{task['id']}/complete",
        json={"data": {"approval_decision": "rejected", "approval_note": "证据不足。"}},
    )
    assert r.status_code == 200
    assert [t["element_id"] for t in r.get_json()["next_tasks"]] == ["handle"]
    assert [e["reason"] for e in _events(api, iid, "compensation.rejected")] == ["证据不足。"]
