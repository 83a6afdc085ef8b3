"""Service tasks call the operator's registered connectors: parameters checked at deploy, a failing
call retried with back-off and then reported naming the element and the connector, never a 500."""

from __future__ import annotations

import io

import pytest

from tests.conftest import Api, make_app

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">\n'
)


def service_diagram(operator: str, params: dict[str, str]) -> bytes:
    parameters = "".join(f'<spiffworkflow:parameter id="{k}" type="str" value={v!r} />' for k, v in params.items())
    return (
        HEAD
        + f'''<bpmn:process id="lookup" isExecutable="true">
  <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
  <bpmn:serviceTask id="call" name="Ask the BSS"><bpmn:extensionElements>
    <spiffworkflow:serviceTaskOperator id="{operator}" resultVariable="answer">
      <spiffworkflow:parameters>{parameters}</spiffworkflow:parameters>
    </spiffworkflow:serviceTaskOperator></bpmn:extensionElements>
    <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>
  <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call" />
  <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="end" />
</bpmn:process></bpmn:definitions>'''
    ).encode()


@pytest.fixture
def app(sqlite_url, clock, tmp_path):
    config = tmp_path / "connectors.toml"
    # 127.0.0.1:9 (discard) refuses connections at once: a host that is allowed but down
    config.write_text(
        '[http]\nallowed_hosts = ["127.0.0.1:9"]\ntimeout_seconds = 1\n'
        '[retry]\nattempts = 3\nbackoff_seconds = 0\n[customer]\nadapter = ""\n',
        encoding="utf-8",
    )
    app = make_app(sqlite_url, clock, tmp_path, CONNECTORS_CONFIG=str(config))
    yield app
    app.extensions["complaintflow"].db.dispose()


def upload(api: Api, data: bytes, path: str = "/process-models"):
    return api.post("owner", path, data={"file": (io.BytesIO(data), "lookup.bpmn")}, content_type="multipart/form-data")


def start(app, data: dict) -> dict:
    from app.services.instances.store import SYSTEM, describe_instance, start_instance

    rt = app.extensions["complaintflow"]
    with app.app_context():
        return describe_instance(rt, start_instance(rt, "lookup", data, SYSTEM))


def test_parameters_are_checked_at_deploy(api):
    unknown = upload(api, service_diagram("fax/send", {"to": '"1"'}), "/process-models/check").get_json()
    assert (
        any(
            p["rule"] == "connector" and p["element_id"] == "call" and "not registered" in p["message"]
            for p in unknown["problems"]
        )
        and unknown["ok"] is False
    )
    missing = upload(api, service_diagram("http/get", {"headers": "{}"}), "/process-models/check").get_json()
    assert any("needs parameter 'url'" in p["message"] for p in missing["problems"]) and missing["ok"] is False
    extra = upload(
        api, service_diagram("customer/lookup", {"phone": "phone", "pin": '"1"'}), "/process-models/check"
    ).get_json()
    assert any("has no parameter 'pin'" in p["message"] for p in extra["problems"])


def test_the_customer_lookup_seam_answers_from_the_records(api, app):
    assert upload(api, service_diagram("customer/lookup", {"phone": "phone"})).status_code == 201
    done = start(app, {"phone": "13800000000"})
    assert done["status"] == "completed" and done["data"]["answer"] == {"found": False, "phone": "13800000000"}


def incident_of(api: Api, instance: dict) -> str:
    """The error of the one incident a start left open (the start itself is kept: test_connector_incidents)."""
    assert instance["status"] == "running" and instance["ready_tasks"] == []
    (incident,) = api.get("supervisor", f"/service-incidents?instance_id={instance['id']}").get_json()["items"]
    assert incident["element_id"] == "call"
    return incident["error"]


def test_a_failing_call_is_retried_then_reported_naming_the_element(api, app, caplog):
    assert upload(api, service_diagram("http/get", {"url": '"http://127.0.0.1:9/customer"'})).status_code == 201
    message = incident_of(api, start(app, {}))
    assert "call" in message and "http/get" in message and "failed 3 times" in message and " at 0x" not in message
    assert sum("attempt" in r.getMessage() for r in caplog.records) == 3


def test_a_host_outside_the_allow_list_is_refused_without_retrying(api, app, caplog):
    assert upload(api, service_diagram("http/get", {"url": '"http://example.com/"'})).status_code == 201
    assert "allow-list" in incident_of(api, start(app, {}))
    assert not [r for r in caplog.records if "attempt" in r.getMessage()]
