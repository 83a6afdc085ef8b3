"""转派 only to people who can work the step: a handling task goes to handling departments (or the
dispatchers after a 退单), an agent's step to agents; the page offers only those, the API refuses others."""

from __future__ import annotations

from tests.integration.test_web_actions import to_handling
from tests.integration.test_web_flow import happy_path, open_task_of, register
from tests.integration.web_client import Web


def test_a_handling_task_cannot_go_to_the_manager(app, deployed, api):
    _, number, task_id = to_handling(app)
    r = api.post("network", f"/tasks/{task_id}/transfer", json={"reason": "请处理", "to_user": "manager"})
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "to_user"
    r = api.post("network", f"/tasks/{task_id}/transfer", json={"reason": "请处理", "to_group": "agent"})
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "to_group"
    task = api.get("network", f"/tasks/{task_id}").get_json()  # nothing moved: still the network's, unheld
    assert task["candidate_group"] == "handler_network" and task["assignee_id"] is None


def test_the_targets_are_the_handling_departments_and_their_members(app, deployed, api):
    _, number, task_id = to_handling(app)
    targets = api.get("network", f"/tasks/{task_id}/transfer-targets").get_json()
    assert "handler_billing" in targets["groups"] and "handler_network" in targets["groups"]
    assert not {"agent", "manager", "supervisor", "process_owner"} & set(targets["groups"])
    people = {u["username"] for u in targets["users"]}
    assert "billing" in people and not {"manager", "agent", "owner"} & people
    # The page's dialog offers the same people and groups, and only them.
    page = Web(app).login("network").text(f"/tasks/{task_id}")
    options = page[page.index('data-testid="transfer-to"') :]
    options = options[: options.index("</select>")]
    assert "g:handler_billing" in options and "g:agent" not in options
    assert "杨帆" not in options


def test_an_agents_step_goes_only_to_agents(app, deployed, api):
    agent = Web(app).login("agent")
    number, _ = register(agent, happy_path()["start_data"])
    task_id = open_task_of(agent, number)
    targets = api.get("agent", f"/tasks/{task_id}/transfer-targets").get_json()
    assert targets["groups"] == ["agent"]
    r = api.post("agent", f"/tasks/{task_id}/transfer", json={"reason": "请协助", "to_user": "network"})
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "to_user"
