"""Appeals from the regulator's appeal centre: admissibility, priority, closing only with proof or a report."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from app.models import Appeal, HumanTask

from .branch_walk import upload
from .flow import ready_task

PHONE = "13666667777"


def _order(**over) -> dict:
    body = {
        "case_number": "GXB-2026-031245",
        "regulator_deadline": "2026-03-12T17:00:00+08:00",
        "customer_name": "冯军",
        "customer_phone": PHONE,
        "category": "billing",
        "fee_dispute": True,
        "occurred_at": "2026-01-20T10:00:00+08:00",
        "matter": "不认可对 1 月份 300 元增值业务费的处理结果。",
        "demand": "全额退还。",
    }
    return body | over


def _complained_first(
    api,
    rt,
    phone: str = PHONE,
    matter: str = "1 月份被扣 300 元增值业务费。",
    at: datetime = datetime(2026, 2, 10, 2, 0, tzinfo=timezone.utc),
) -> str:
    """A complaint registered at ``at`` (by default 2026-02-10, never answered: past its 15-day limit by now)."""
    now = rt.clock.now()
    rt.clock.set(at)
    try:
        r = api.post(
            "agent",
            "/complaints",
            json={"customer_name": "冯军", "customer_phone": phone, "channel": "phone", "matter": matter},
        )
    finally:
        rt.clock.set(now)
        api._tokens.clear()  # a token signed in the past has expired by now: sign in again
    assert r.status_code == 201, r.get_json()
    return r.get_json()["number"]


def test_inadmissible_appeals_are_recorded_with_the_reason(api, rt, deployed):
    r = api.post("agent", "/appeals", json=_order(case_number="GXB-1"))
    assert r.status_code == 201
    assert (r.get_json()["admissible"], r.get_json()["reason_code"]) == (False, "no_prior_complaint")
    assert "未先向本公司投诉" in r.get_json()["inadmissible_reason"]
    _complained_first(api, rt)
    r = api.post("agent", "/appeals", json=_order(case_number="GXB-2", occurred_at="2025-09-20T10:00:00+08:00"))
    assert (r.get_json()["admissible"], r.get_json()["reason_code"]) == (False, "fee_dispute_too_old")
    r = api.post(
        "agent",
        "/appeals",
        json=_order(
            case_number="GXB-3", fee_dispute=False, category="network", occurred_at="2024-02-20T10:00:00+08:00"
        ),
    )
    assert (r.get_json()["admissible"], r.get_json()["reason_code"]) == (False, "too_old")
    r = api.post(
        "agent",
        "/appeals",
        json=_order(
            case_number="GXB-4", fee_dispute=False, category="network", occurred_at="2024-04-20T10:00:00+08:00"
        ),
    )
    assert r.get_json()["admissible"] is True  # not a fee dispute: two years
    with rt.db.read() as s:
        rows = {a.case_number: (a.status, a.instance_id is None) for a in s.scalars(select(Appeal))}
    assert rows == {
        "GXB-1": ("inadmissible", True),
        "GXB-2": ("inadmissible", True),
        "GXB-3": ("inadmissible", True),
        "GXB-4": ("open", False),
    }
    listed = api.get("supervisor", "/appeals?status=inadmissible").get_json()["items"]
    assert {a["case_number"] for a in listed} == {"GXB-1", "GXB-2", "GXB-3"}
    assert api.post("agent", "/appeals", json=_order(case_number="GXB-4")).status_code == 409  # the same case twice
    assert api.post("network", "/appeals", json=_order(case_number="GXB-5")).status_code == 403
    bad = api.post("agent", "/appeals", json=_order(case_number="GXB-6", regulator_deadline="next week"))
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "regulator_deadline"


def test_an_admissible_appeal_is_high_priority_and_closes_only_with_the_withdrawal_uploaded(api, rt, deployed):
    number = _complained_first(api, rt)
    r = api.post("agent", "/appeals", json=_order())
    appeal = r.get_json()
    assert appeal["admissible"] and appeal["complaint_number"] == number
    iid = appeal["process_instance_id"]
    contact = ready_task(api, iid, "appeal_contact", "agent")
    assert contact["priority"] == 2
    first = api.get("agent", "/tasks").get_json()["items"]
    assert (
        api.post(
            "agent",
            f"/tasks/{contact['id']}/complete",
            json={"data": {"contact_result": "reached", "customer_position": "同意退费后撤诉。", "settled": True}},
        ).status_code
        == 200
    )
    settle = ready_task(api, iid, "appeal_settle", "agent")
    data = {"settlement_terms": "退还 300 元并致歉。", "compensation_type": "refund", "compensation_amount": 300}
    r = api.post("agent", f"/tasks/{settle['id']}/complete", json={"data": data})
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "withdrawal_proof"  # required
    r = api.post("agent", f"/tasks/{settle['id']}/complete", json={"data": data | {"withdrawal_proof": ["0" * 32]}})
    assert r.status_code == 422 and r.get_json()["errors"][0]["code"] == "appeal.proof_missing"  # not uploaded
    proof = upload(api, "agent", "撤诉证明.png")
    r = api.post("agent", f"/tasks/{settle['id']}/complete", json={"data": data | {"withdrawal_proof": [proof]}})
    assert r.status_code == 200, r.get_json()
    close = ready_task(api, iid, "appeal_close", "supervisor")
    r = api.post(
        "supervisor",
        f"/tasks/{close['id']}/complete",
        json={
            "data": {
                "close_decision": "approve",
                "close_note": "撤诉证明齐全。",
                "reply_to_regulator": "已和解，客户已撤诉。",
            }
        },
    )
    assert r.status_code == 200 and r.get_json()["status"] == "completed"
    closed = api.get("agent", f"/appeals/{appeal['id']}").get_json()
    assert (closed["status"], closed["outcome"]) == ("closed", "settled") and closed["closed_at"]
    with rt.db.read() as s:
        assert set(s.scalars(select(HumanTask.priority).where(HumanTask.instance_id == iid))) == {2}
    assert first  # the appeal's task is in the agents' inbox


def test_a_not_settled_appeal_closes_with_the_investigation_report(api, rt, deployed):
    _complained_first(api, rt)
    iid = api.post("agent", "/appeals", json=_order()).get_json()["process_instance_id"]
    contact = ready_task(api, iid, "appeal_contact", "agent")
    api.post(
        "agent",
        f"/tasks/{contact['id']}/complete",
        json={"data": {"contact_result": "reached", "customer_position": "坚持全额退还。", "settled": False}},
    )
    task = ready_task(api, iid, "appeal_investigate", "handler_billing")  # the category's department
    r = api.post(
        "billing",
        f"/tasks/{task['id']}/complete",
        json={
            "data": {
                "cause": "客户本人订购。",
                "responsibility": "customer",
                "solution": "维持原处理。",
                "compensation_type": "none",
            }
        },
    )
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "investigation_report"
    r = api.post(
        "billing",
        f"/tasks/{task['id']}/complete",
        json={
            "data": {
                "investigation_report": "订购记录完整，系客户本人短信订购。",
                "cause": "客户本人订购。",
                "responsibility": "customer",
                "solution": "维持原处理。",
                "compensation_type": "none",
            }
        },
    )
    assert r.status_code == 200
    close = ready_task(api, iid, "appeal_close", "supervisor")
    r = api.post(
        "supervisor",
        f"/tasks/{close['id']}/complete",
        json={"data": {"close_decision": "approve", "close_note": "报告完整。"}},
    )
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "reply_to_regulator"
    r = api.post(
        "supervisor",
        f"/tasks/{close['id']}/complete",
        json={
            "data": {
                "close_decision": "approve",
                "close_note": "报告完整。",
                "reply_to_regulator": "经调查维持原处理。",
            }
        },
    )
    assert r.status_code == 200
    appeal = api.get("manager", "/appeals").get_json()["items"][0]
    assert (appeal["status"], appeal["outcome"]) == ("closed", "investigated")
