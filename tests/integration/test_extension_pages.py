"""延期 through the pages: the handler asks on the task page (new date, reason), a supervisor approves
on /extensions and the step's deadline moves, or refuses with a reason; both are in the history."""

from __future__ import annotations

from datetime import timedelta

from tests.integration.test_web_actions import events, to_handling
from tests.integration.web_client import Web


def _task(api, task_id):
    return api.get("network", f"/tasks/{task_id}").get_json()


def _ask(app, task_id, until_local: str, reason="需厂家更换设备，预计周五完成"):
    network = Web(app).login("network")
    page = network.text(f"/tasks/{task_id}")
    assert 'data-testid="request-extension"' in page and 'name="until"' in page
    r = network.post(f"/extensions/request/{task_id}", {"until": until_local, "reason": reason})
    assert r.status_code == 302


def test_a_handler_asks_and_a_supervisor_approves_on_the_pages(app, deployed, api, clock):
    _, number, task_id = to_handling(app)
    before = _task(api, task_id)["due_at"]
    _ask(app, task_id, "2026-03-13T18:00")  # China time; the handling limit ends earlier (3 working days)
    supervisor = Web(app).login("supervisor")
    listing = supervisor.text("/extensions")
    assert number in listing and "需厂家更换设备" in listing and "2026-03-13 18:00" in listing
    request_id = api.get("supervisor", "/extension-requests").get_json()["items"][0]["id"]
    assert supervisor.post(f"/extensions/{request_id}/decide", {"decision": "approve"}).status_code == 302
    after = _task(api, task_id)
    assert after["due_at"] == "2026-03-13T10:00:00+00:00" and after["due_at"] != before
    assert after["sla_state"] == "on_time"
    types = [e["type"] for e in events(app, number)]
    assert "sla.extension_requested" in types and "sla.extension_approved" in types
    assert number not in supervisor.text("/extensions")  # decided: no longer waiting


def test_a_refusal_needs_a_reason_and_changes_nothing(app, deployed, api, clock):
    _, number, task_id = to_handling(app)
    before = _task(api, task_id)["due_at"]
    _ask(app, task_id, "2026-03-13T18:00")
    request_id = api.get("supervisor", "/extension-requests").get_json()["items"][0]["id"]
    supervisor = Web(app).login("supervisor")
    supervisor.post(f"/extensions/{request_id}/decide", {"decision": "refuse", "reason": ""})
    assert api.get("supervisor", "/extension-requests").get_json()["items"]  # still waiting
    supervisor.post(f"/extensions/{request_id}/decide", {"decision": "refuse", "reason": "可先行答复客户，无需延期"})
    assert _task(api, task_id)["due_at"] == before
    rejected = [e for e in events(app, number) if e["type"] == "sla.extension_rejected"]
    assert rejected and rejected[0]["reason"] == "可先行答复客户，无需延期"


def test_a_date_in_the_past_is_refused_naming_the_field(app, deployed, api, clock):
    _, number, task_id = to_handling(app)
    r = api.post(
        "network",
        f"/tasks/{task_id}/extension-request",
        json={"reason": "x", "until": (clock.now() - timedelta(hours=1)).isoformat()},
    )
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "until"
