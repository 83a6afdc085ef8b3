"""A connector that fails when a person completes the task before it: the person's step is kept, the call
is retried with back-off, and what still fails is an incident on the instance a supervisor retries."""

from __future__ import annotations

import io

import pytest

from tests.conftest import make_app

CALLS: list[str] = []
FAULT = {"broken": True, "flaky_left": 0}


def flaky(rt, phone):
    """The BSS adapter of the tests: fails while flaky_left > 0 or while broken."""
    CALLS.append(phone)
    if FAULT["flaky_left"] > 0:
        FAULT["flaky_left"] -= 1
        raise ConnectionError("BSS timed out")
    if FAULT["broken"]:
        raise ConnectionError("BSS refused the connection")
    return {"found": True, "phone": phone, "level": "gold"}


DIAGRAM = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
<bpmn:process id="vip_check" isExecutable="true">
  <bpmn:extensionElements><spiffworkflow:properties>
    <spiffworkflow:property name="startGroups" value="agent" />
  </spiffworkflow:properties></bpmn:extensionElements>
  <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
  <bpmn:userTask id="enter" name="Enter the phone"><bpmn:extensionElements><spiffworkflow:properties>
    <spiffworkflow:property name="candidateGroupExpression" value="'agent'" />
  </spiffworkflow:properties></bpmn:extensionElements>
    <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
  <bpmn:serviceTask id="lookup" name="Ask the BSS"><bpmn:extensionElements>
    <spiffworkflow:serviceTaskOperator id="customer/lookup" resultVariable="customer">
      <spiffworkflow:parameters><spiffworkflow:parameter id="phone" type="str" value="phone" /></spiffworkflow:parameters>
    </spiffworkflow:serviceTaskOperator></bpmn:extensionElements>
    <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:serviceTask>
  <bpmn:scriptTask id="note" name="Note the level"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
    <bpmn:script>level = customer["level"]
print("level", level)</bpmn:script></bpmn:scriptTask>
  <bpmn:endEvent id="end"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="enter" />
  <bpmn:sequenceFlow id="f2" sourceRef="enter" targetRef="lookup" />
  <bpmn:sequenceFlow id="f3" sourceRef="lookup" targetRef="note" />
  <bpmn:sequenceFlow id="f4" sourceRef="note" targetRef="end" />
</bpmn:process></bpmn:definitions>"""


@pytest.fixture
def app(db_url, clock, tmp_path):
    config = tmp_path / "connectors.toml"
    config.write_text(
        "[http]\nallowed_hosts = []\n[retry]\nattempts = 3\nbackoff_seconds = 0\n"
        f'[customer]\nadapter = "{__name__}:flaky"\n',
        encoding="utf-8",
    )
    CALLS.clear()
    FAULT.update(broken=True, flaky_left=0)
    app = make_app(db_url, clock, tmp_path, CONNECTORS_CONFIG=str(config))
    yield app
    app.extensions["complaintflow"].db.dispose()


def deploy_and_reach_the_task(api) -> dict:
    deployed = api.post(
        "owner", "/process-models", data={"file": (io.BytesIO(DIAGRAM), "vip.bpmn")}, content_type="multipart/form-data"
    )
    assert deployed.status_code == 201, deployed.get_json()
    started = api.post("agent", "/process-instances", json={"process_id": "vip_check", "data": {}})
    assert started.status_code == 201, started.get_json()
    (task,) = started.get_json()["ready_tasks"]
    return task


def test_a_connector_that_fails_twice_then_answers_completes_the_step(api):
    task = deploy_and_reach_the_task(api)
    FAULT.update(broken=False, flaky_left=2)
    done = api.post("agent", f"/tasks/{task['id']}/complete", json={"data": {"phone": "13800000001"}})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["status"] == "completed" and "incidents" not in done.get_json()
    assert CALLS == ["13800000001"] * 3  # two failures, retried with back-off, then the answer


@pytest.mark.also_postgres
def test_a_connector_that_keeps_failing_is_an_incident_a_supervisor_retries(api):
    task = deploy_and_reach_the_task(api)
    done = api.post("agent", f"/tasks/{task['id']}/complete", json={"data": {"phone": "13800000002"}})
    assert done.status_code == 200, done.get_json()  # never a 422 or a 500: the person's step is kept
    body = done.get_json()
    assert body["status"] == "running" and body["next_tasks"] == []
    (incident,) = body["incidents"]
    assert incident["element_id"] == "lookup" and incident["connector"] == "customer/lookup"
    assert "BSS refused the connection" in incident["error"] and "failed 3 times" in incident["error"]
    assert len(CALLS) == 3
    instance_id = body["instance_id"]
    assert api.get("agent", f"/tasks/{task['id']}").get_json()["state"] == "completed"

    assert api.get("agent", "/service-incidents").status_code == 403
    listed = api.get("supervisor", f"/service-incidents?instance_id={instance_id}").get_json()["items"]
    assert [i["id"] for i in listed] == [incident["id"]]

    again = api.post("supervisor", f"/service-incidents/{incident['id']}/retry").get_json()
    assert again["status"] == "open" and again["attempts"] == 2 and len(CALLS) == 6  # still broken

    FAULT["broken"] = False  # the BSS is back
    fixed = api.post("supervisor", f"/service-incidents/{incident['id']}/retry").get_json()
    assert fixed["status"] == "resolved" and fixed["attempts"] == 3
    instance = api.get("supervisor", f"/process-instances/{instance_id}").get_json()
    assert instance["status"] == "completed" and instance["data"]["level"] == "gold"
    assert instance["data"]["phone"] == "13800000002"  # what the agent typed survived the outage
    assert api.post("supervisor", f"/service-incidents/{incident['id']}/retry").status_code == 409
    events = [e["type"] for e in api.get("supervisor", f"/process-instances/{instance_id}/events").get_json()["items"]]
    assert "incident.opened" in events and "incident.retry_failed" in events and "incident.resolved" in events
    log = api.get("manager", f"/process-instances/{instance_id}/log").get_json()["items"]
    assert [(line["element_id"], line["text"]) for line in log] == [("note", "level gold")]


def test_the_instance_page_shows_the_incident_to_supervisors_with_a_retry_and_the_log_to_auditors(api, app):
    from tests.integration.web_client import Web

    task = deploy_and_reach_the_task(api)
    body = api.post("agent", f"/tasks/{task['id']}/complete", json={"data": {"phone": "13800000003"}}).get_json()
    instance_id = body["instance_id"]
    supervisor = Web(app)
    supervisor.login("supervisor")
    page = supervisor.text(f"/reports/instances/{instance_id}")
    assert 'data-testid="incidents"' in page and "customer/lookup" in page and "BSS refused the connection" in page
    assert 'data-testid="print-log"' not in page  # the script output is for auditors and process owners
    FAULT["broken"] = False
    retried = supervisor.post(f"/reports/instances/{instance_id}/incidents/{body['incidents'][0]['id']}/retry")
    assert retried.status_code == 302
    page = supervisor.text(f"/reports/instances/{instance_id}")
    assert "已解决" in page and 'data-testid="retry-incident"' not in page
    auditor = Web(app)
    auditor.login("manager")
    page = auditor.text(f"/reports/instances/{instance_id}")
    assert 'data-testid="print-log"' in page and "level gold" in page
    assert 'data-testid="incidents"' not in page


def test_the_print_log_is_bounded_per_instance(api, rt):
    from app.models import InstanceLog
    from app.services.steps import print_log

    instance_id = deploy_and_reach_the_task(api)["instance_id"]
    rt.settings.update(PRINT_LOG_MAX_LINES=5, PRINT_LOG_MAX_BYTES=40)
    now = rt.clock.now()
    with rt.db.write() as s:
        assert print_log.record(s, rt, instance_id, [("a", "一二三")] * 2, now) == 2  # 9 bytes each in UTF-8
    with rt.db.write() as s:
        assert print_log.record(s, rt, instance_id, [("a", "x" * 20)] * 3, now) == 1  # 18 + 20 fits, 58 does not
    with rt.db.write() as s:
        assert print_log.record(s, rt, instance_id, [("a", "more")], now) == 0  # full: nothing more is written
    with rt.db.read() as s:
        rows = s.query(InstanceLog).filter_by(instance_id=instance_id).order_by(InstanceLog.id)
        texts = [r.text for r in rows]
    assert texts == ["一二三", "一二三", "x" * 20, print_log.DROPPED]


def test_a_process_owner_reads_the_script_output_from_the_process_page(api, app):
    from tests.integration.web_client import Web

    running = deploy_and_reach_the_task(api)
    FAULT.update(broken=False)
    done = api.post("agent", "/process-instances", json={"process_id": "vip_check", "data": {}}).get_json()
    (task,) = done["ready_tasks"]
    api.post("agent", f"/tasks/{task['id']}/complete", json={"data": {"phone": "13800000004"}})
    owner = Web(app)
    owner.login("owner")
    page = owner.text("/models/vip_check")
    assert f'data-testid="log-{running["instance_id"]}"' in page
    log = owner.text(f"/models/instances/{done['id']}/log?process_id=vip_check")
    assert "level gold" in log and "<code>note</code>" in log
    agent = Web(app)
    agent.login("agent")
    assert agent.get(f"/models/instances/{done['id']}/log").status_code == 403


def test_a_step_completed_on_someones_behalf_keeps_its_answer_too(api, app):
    from app.domain.actors import SYSTEM
    from app.services.instances.auto_complete import complete_for

    task = deploy_and_reach_the_task(api)
    rt = app.extensions["complaintflow"]
    got = complete_for(rt, SYSTEM, task["instance_id"], {"enter"}, {"phone": "13800000005"})
    assert got["status"] == "running"
    (incident,) = api.get("supervisor", f"/service-incidents?instance_id={task['instance_id']}").get_json()["items"]
    assert incident["element_id"] == "lookup" and "BSS refused" in incident["error"]


# The same connector right after the start event: the start has nobody's completed task to keep, but the
# instance and what it was started with are kept the same way.
AT_THE_START = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
<bpmn:process id="vip_at_start" isExecutable="true">
  <bpmn:extensionElements><spiffworkflow:properties>
    <spiffworkflow:property name="startGroups" value="agent" />
  </spiffworkflow:properties></bpmn:extensionElements>
  <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
  <bpmn:serviceTask id="lookup" name="Ask the BSS"><bpmn:extensionElements>
    <spiffworkflow:serviceTaskOperator id="customer/lookup" resultVariable="customer">
      <spiffworkflow:parameters><spiffworkflow:parameter id="phone" type="str" value="phone" /></spiffworkflow:parameters>
    </spiffworkflow:serviceTaskOperator></bpmn:extensionElements>
    <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>
  <bpmn:scriptTask id="note" name="Note the level"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    <bpmn:script>level = customer["level"]</bpmn:script></bpmn:scriptTask>
  <bpmn:userTask id="enter" name="Call the customer back"><bpmn:extensionElements><spiffworkflow:properties>
    <spiffworkflow:property name="candidateGroupExpression" value="'agent'" />
  </spiffworkflow:properties></bpmn:extensionElements>
    <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
  <bpmn:endEvent id="end"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="lookup" />
  <bpmn:sequenceFlow id="f2" sourceRef="lookup" targetRef="note" />
  <bpmn:sequenceFlow id="f3" sourceRef="note" targetRef="enter" />
  <bpmn:sequenceFlow id="f4" sourceRef="enter" targetRef="end" />
</bpmn:process></bpmn:definitions>"""


def deploy_the_lookup_at_the_start(api) -> None:
    deployed = api.post(
        "owner",
        "/process-models",
        data={"file": (io.BytesIO(AT_THE_START), "vip_at_start.bpmn")},
        content_type="multipart/form-data",
    )
    assert deployed.status_code == 201, deployed.get_json()


@pytest.mark.also_postgres
def test_a_connector_that_fails_twice_right_after_the_start_then_answers_starts_the_instance(api):
    deploy_the_lookup_at_the_start(api)
    FAULT.update(broken=False, flaky_left=2)
    started = api.post("agent", "/process-instances", json={"process_id": "vip_at_start", "data": {"phone": "1380001"}})
    assert started.status_code == 201, started.get_json()
    body = started.get_json()
    assert "incidents" not in body and body["data"]["level"] == "gold"
    assert [t["element_id"] for t in body["ready_tasks"]] == ["enter"]
    assert CALLS == ["1380001"] * 3  # two failures, retried with back-off, then the answer


@pytest.mark.also_postgres
def test_a_connector_that_keeps_failing_right_after_the_start_is_an_incident_a_supervisor_retries(api):
    deploy_the_lookup_at_the_start(api)
    started = api.post("agent", "/process-instances", json={"process_id": "vip_at_start", "data": {"phone": "1380002"}})
    assert started.status_code == 201, started.get_json()  # never a 422 or a 500: the start is kept
    body = started.get_json()
    instance_id = body["id"]
    assert body["status"] == "running" and body["ready_tasks"] == [] and body["data"]["phone"] == "1380002"
    (incident,) = body["incidents"]
    assert incident["element_id"] == "lookup" and incident["connector"] == "customer/lookup"
    assert incident["instance_id"] == instance_id
    assert "BSS refused the connection" in incident["error"] and "failed 3 times" in incident["error"]
    assert len(CALLS) == 3
    listed = api.get("supervisor", f"/service-incidents?instance_id={instance_id}").get_json()["items"]
    assert [i["id"] for i in listed] == [incident["id"]]

    again = api.post("supervisor", f"/service-incidents/{incident['id']}/retry").get_json()
    assert again["status"] == "open" and again["attempts"] == 2 and len(CALLS) == 6  # still broken

    FAULT["broken"] = False  # the BSS is back
    fixed = api.post("supervisor", f"/service-incidents/{incident['id']}/retry").get_json()
    assert fixed["status"] == "resolved" and fixed["attempts"] == 3
    instance = api.get("supervisor", f"/process-instances/{instance_id}").get_json()
    assert instance["status"] == "running" and instance["data"]["level"] == "gold"
    assert [t["element_id"] for t in instance["ready_tasks"]] == ["enter"]
    events = [e["type"] for e in api.get("supervisor", f"/process-instances/{instance_id}/events").get_json()["items"]]
    assert events[0] == "instance.started" and "incident.opened" in events and "incident.resolved" in events


@pytest.mark.also_postgres
def test_a_registration_whose_connector_keeps_failing_keeps_the_complaint_with_an_incident(api, deployed):
    from pathlib import Path

    from tests.integration.flow import registration, scenario
    from tests.integration.test_model_api import complaint_upload

    bpmn = (Path(__file__).resolve().parents[2] / "processes" / "complaint_handling.bpmn").read_text(encoding="utf-8")
    lookup = """<bpmn:serviceTask id="lookup" name="查询客户"><bpmn:extensionElements>
      <spiffworkflow:serviceTaskOperator id="customer/lookup" resultVariable="customer"><spiffworkflow:parameters>
        <spiffworkflow:parameter id="phone" type="str" value="customer_phone" /></spiffworkflow:parameters>
      </spiffworkflow:serviceTaskOperator></bpmn:extensionElements>
      <bpmn:incoming>flow_start_to_lookup</bpmn:incoming>
      <bpmn:outgoing>flow_start_to_init_rehandle_count</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:sequenceFlow id="flow_start_to_lookup" sourceRef="start" targetRef="lookup"/>
    <bpmn:scriptTask id="init_rehandle_count\""""
    edited = (
        bpmn.replace(
            "<bpmn:outgoing>flow_start_to_init_rehandle_count</bpmn:outgoing>\n    </bpmn:startEvent>",
            "<bpmn:outgoing>flow_start_to_lookup</bpmn:outgoing>\n    </bpmn:startEvent>",
        )
        .replace('<bpmn:scriptTask id="init_rehandle_count"', lookup, 1)
        .replace(
            'id="flow_start_to_init_rehandle_count" sourceRef="start"',
            'id="flow_start_to_init_rehandle_count" sourceRef="lookup"',
        )
    )
    assert edited.count("flow_start_to_lookup") == 3
    deployed_now = api.post("owner", "/process-models", **complaint_upload(edited.encode()))
    assert deployed_now.status_code == 201, deployed_now.get_json()

    registered = api.post("agent", "/complaints", json=registration(scenario("general_satisfied_first_reply")))
    assert registered.status_code == 201, registered.get_json()  # the complaint is registered, not refused
    body = registered.get_json()
    (incident,) = body["incidents"]
    assert incident["element_id"] == "lookup" and incident["connector"] == "customer/lookup"
    assert api.get("agent", f"/complaints/{body['id']}").get_json()["number"] == body["number"]
    instance_id = body["process_instance_id"]
    assert api.get("supervisor", f"/process-instances/{instance_id}").get_json()["ready_tasks"] == []

    FAULT["broken"] = False
    fixed = api.post("supervisor", f"/service-incidents/{incident['id']}/retry").get_json()
    assert fixed["status"] == "resolved"
    instance = api.get("supervisor", f"/process-instances/{instance_id}").get_json()
    assert instance["ready_tasks"] and instance["data"]["customer"]["level"] == "gold"
