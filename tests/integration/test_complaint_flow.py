"""A complaint registered through the API walks all eight steps, with a full audit trail."""

from __future__ import annotations

import pytest

from .flow import USER_FOR_GROUP, complete, ready_task, registration, scenario

pytestmark = pytest.mark.also_postgres


def register(api, sc) -> dict:
    r = api.post("agent", "/complaints", json=registration(sc))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_complaint_walks_all_eight_steps(api, deployed):
    sc = scenario("general_satisfied_first_reply")
    created = register(api, sc)
    assert created["number"].startswith("TS2026030") and len(created["number"]) == 16
    iid = created["process_instance_id"]

    for step in sc["steps"]:
        r = complete(api, iid, step["task"], step["group"], step["data"])
        assert r.status_code == 200, (step["task"], r.get_json())

    inst = api.get("manager", f"/process-instances/{iid}").get_json()
    assert inst["status"] == "completed"
    assert inst["ready_tasks"] == []
    complaint = api.get("agent", f"/complaints/{created['id']}").get_json()
    assert complaint["status"] == "closed" and complaint["category"] == "network"

    events = api.get("manager", f"/process-instances/{iid}/events").get_json()["items"]
    completed = [(e["element_id"], e["actor"]) for e in events if e["type"] == "task.completed"]
    expected = [(s["task"], USER_FOR_GROUP[s["group"]]) for s in sc["steps"]]
    assert completed == expected
    assert all(e["at"] for e in events)
    assert events[0]["type"] == "instance.started" and events[-1]["type"] == "instance.completed"


def test_invalid_data_is_refused_naming_the_field_and_changes_nothing(api, deployed):
    sc = scenario("general_satisfied_first_reply")
    iid = register(api, sc)["process_instance_id"]
    complete(api, iid, "receive", "agent", sc["steps"][0]["data"])
    before = api.get("manager", f"/process-instances/{iid}").get_json()
    task = ready_task(api, iid, "classify", "agent")

    r = api.post(
        "agent", f"/tasks/{task['id']}/complete", json={"data": {"category": "weather", "severity": "general"}}
    )

    assert r.status_code == 422
    assert r.mimetype == "application/problem+json"
    fields = {e["field"] for e in r.get_json()["errors"]}
    assert "category" in fields
    after = api.get("manager", f"/process-instances/{iid}").get_json()
    assert after["version"] == before["version"]
    assert [t["id"] for t in after["ready_tasks"]] == [t["id"] for t in before["ready_tasks"]]


def test_completing_the_same_task_twice_conflicts(api, deployed):
    sc = scenario("general_satisfied_first_reply")
    iid = register(api, sc)["process_instance_id"]
    task = ready_task(api, iid, "receive", "agent")
    first = api.post("agent", f"/tasks/{task['id']}/complete", json={"data": sc["steps"][0]["data"]})
    second = api.post("agent", f"/tasks/{task['id']}/complete", json={"data": sc["steps"][0]["data"]})
    assert first.status_code == 200
    assert second.status_code == 409
    assert second.get_json()["status"] == 409


def test_a_claimed_task_cannot_be_completed_by_a_colleague(api, deployed):
    sc = scenario("general_satisfied_first_reply")
    iid = register(api, sc)["process_instance_id"]
    task = ready_task(api, iid, "receive", "agent")
    assert api.post("agent", f"/tasks/{task['id']}/claim").status_code == 200
    r = api.post("agent2", f"/tasks/{task['id']}/complete", json={"data": sc["steps"][0]["data"]})
    assert r.status_code == 409
    assert api.post("agent2", f"/tasks/{task['id']}/claim").status_code == 409


def test_another_department_can_neither_see_nor_open_the_task(api, deployed):
    sc = scenario("general_satisfied_first_reply")
    iid = register(api, sc)["process_instance_id"]
    for step in sc["steps"][:4]:  # up to dispatch: the handle task now waits for the network department
        assert complete(api, iid, step["task"], step["group"], step["data"]).status_code == 200
    task = ready_task(api, iid, "handle", "handler_network")

    listed = api.get("billing", "/tasks").get_json()["items"]
    assert task["id"] not in {t["id"] for t in listed}
    assert api.get("billing", f"/tasks/{task['id']}").status_code == 404
    assert api.post("billing", f"/tasks/{task['id']}/complete", json={"data": {}}).status_code == 404
    assert api.get("billing", f"/process-instances/{iid}").status_code == 404
    assert api.get("network", f"/tasks/{task['id']}").status_code == 200


def test_the_task_view_carries_its_form_schema(api, deployed):
    sc = scenario("general_satisfied_first_reply")
    iid = register(api, sc)["process_instance_id"]
    task = ready_task(api, iid, "receive", "agent")
    body = api.get("agent", f"/tasks/{task['id']}").get_json()
    assert body["form"] == "receive-schema.json"
    assert body["form_schema"]["type"] == "object"
    assert body["data"]["customer_phone"] == sc["steps"][0]["data"]["customer_phone"]


def live_intake(sc) -> dict:
    """One intake for a live call: the record, the classification and the read-back in one body."""
    receive, classify, record = (s["data"] for s in sc["steps"][:3])
    return receive | classify | record


def test_a_live_intake_goes_straight_to_dispatch_with_the_classification_clock_at_registration(api, deployed):
    sc = scenario("general_satisfied_first_reply")
    created = register(api, {"steps": [{"task": "receive", "data": live_intake(sc)}]})
    iid = created["process_instance_id"]

    assert ready_task(api, iid, "dispatch", "dispatcher")  # nothing left to ask the agent
    inst = api.get("manager", f"/process-instances/{iid}").get_json()
    assert [t["element_id"] for t in inst["ready_tasks"]] == ["dispatch"]
    task = ready_task(api, iid, "dispatch", "dispatcher")
    data = api.get("dispatcher", f"/tasks/{task['id']}").get_json()["data"]
    assert data["classified_at"] == data["registered_at"]  # the dispatch clock counts from the intake
    assert data["demand"] == sc["steps"][2]["data"]["demand"] and data["category"] == "network"
    for step in sc["steps"][3:]:  # the rest of the flow is unchanged
        assert complete(api, iid, step["task"], step["group"], step["data"]).status_code == 200, step["task"]
    assert api.get("manager", f"/process-instances/{iid}").get_json()["status"] == "completed"


def test_a_special_type_without_its_fields_is_refused_naming_the_field(api, deployed):
    body = live_intake(scenario("general_satisfied_first_reply")) | {"special_type": "fraud"}
    r = api.post("agent", "/complaints", json=body)
    assert r.status_code == 422
    assert "suspect_number" in {e["field"] for e in r.get_json()["errors"]}
    r = api.post("agent", "/complaints", json=body | {"special_type": "special_needs"})
    assert r.status_code == 422 and "need_type" in {e["field"] for e in r.get_json()["errors"]}


def test_an_unattended_complaint_still_lands_in_the_receive_queue(api, deployed):
    body = live_intake(scenario("general_satisfied_first_reply")) | {"channel": "letter"}
    iid = register(api, {"steps": [{"task": "receive", "data": body}]})["process_instance_id"]
    assert ready_task(api, iid, "receive", "agent")
