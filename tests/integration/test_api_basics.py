"""Authentication, model upload errors, tasks without forms, and the OpenAPI document."""

from __future__ import annotations

import io
import json
import re

from tests.conftest import ROOT

EIGHT = (ROOT / "bench" / "eight_tasks.bpmn").read_bytes()


def upload(api, user, name, data, **extra_files):
    files = {"file": (io.BytesIO(data), name)}
    for field, (fname, content) in extra_files.items():
        files[field] = (io.BytesIO(content), fname)
    return api.post(user, "/process-models", data=files, content_type="multipart/form-data")


def test_calls_without_a_valid_token_are_refused(client, demo_users):
    assert client.get("/api/v1/tasks").status_code == 401
    r = client.get("/api/v1/tasks", headers={"Authorization": "Bearer nonsense"})
    assert r.status_code == 401 and r.mimetype == "application/problem+json"
    bad = client.post("/api/v1/auth/token", json={"username": "agent", "password": "wrong-password"})
    assert bad.status_code == 401
    missing = client.post("/api/v1/auth/token", json={"username": "agent"})
    assert missing.status_code == 422 and missing.get_json()["errors"][0]["field"] == "password"


def test_a_task_without_a_form_accepts_any_object(api):
    assert upload(api, "owner", "eight_tasks.bpmn", EIGHT).status_code == 201
    r = api.post("agent", "/process-instances", json={"process_id": "eight_tasks", "data": {"n": 0}})
    assert r.status_code == 201
    iid = r.get_json()["id"]
    for i in range(8):
        task = r.get_json()["ready_tasks"][0] if i == 0 else r.get_json()["next_tasks"][0]
        r = api.post("agent", f"/tasks/{task['id']}/complete", json={"data": {"anything": [i, {"nested": True}]}})
        assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "completed"
    assert api.get("agent", f"/process-instances/{iid}").get_json()["data"]["anything"] == [7, {"nested": True}]


def test_nan_and_infinity_are_refused_and_change_nothing(api):
    assert upload(api, "owner", "eight_tasks.bpmn", EIGHT).status_code == 201
    r = api.post("agent", "/process-instances", json={"process_id": "eight_tasks", "data": {}})
    task = r.get_json()["ready_tasks"][0]
    for constant in ("NaN", "Infinity", "-Infinity"):
        r = api.post(
            "agent",
            f"/tasks/{task['id']}/complete",
            data='{"data": {"x": %s}}' % constant,
            content_type="application/json",
        )
        assert r.status_code == 422 and r.mimetype == "application/problem+json", r.get_data(as_text=True)
    assert api.get("agent", f"/tasks/{task['id']}").get_json()["state"] == "ready"


def test_json_values_come_back_as_sent(api):
    """Big integers stay integers, Chinese stays Chinese, however the API reads and writes its JSON."""
    assert upload(api, "owner", "eight_tasks.bpmn", EIGHT).status_code == 201
    sent = {
        "big": 12345678901234567890123,
        "near": 9223372036854775807,
        "ratio": 0.1,
        "text": "话费多扣 ‘50’ 元 <b>",
        "nested": {"list": [1, "二", None, True]},
    }
    body = '{"process_id": "eight_tasks", "data": %s}' % json.dumps(sent, ensure_ascii=False)
    r = api.client.post(
        "/api/v1/process-instances", data=body.encode(), headers=api.headers("agent"), content_type="application/json"
    )
    assert r.status_code == 201, r.get_data(as_text=True)
    assert r.mimetype == "application/json" and r.get_data(as_text=True).endswith("\n")
    assert api.get("agent", f"/process-instances/{r.get_json()['id']}").get_json()["data"] == sent


def test_deploying_twice_the_same_files_keeps_the_version(api):
    assert upload(api, "owner", "eight_tasks.bpmn", EIGHT).get_json()["version"] == 1
    again = upload(api, "owner", "eight_tasks.bpmn", EIGHT)
    assert again.status_code == 200 and again.get_json()["version"] == 1
    changed = upload(api, "owner", "eight_tasks.bpmn", EIGHT.replace(b'name="Step 3"', b'name="Third"'))
    assert changed.status_code == 201 and changed.get_json()["version"] == 2
    versions = api.get("owner", "/process-models").get_json()["items"][0]["versions"]
    assert [v["version"] for v in versions] == [2, 1] and versions[0]["is_current"]


def test_only_process_owners_deploy(api):
    assert upload(api, "agent", "eight_tasks.bpmn", EIGHT).status_code == 403


def test_malformed_xml_is_refused_with_its_line(api):
    broken = EIGHT.replace(b"</bpmn:process>", b"</bpmn:proces>")
    r = upload(api, "owner", "eight_tasks.bpmn", broken)
    assert r.status_code == 422
    err = r.get_json()["errors"][0]
    assert err["line"] and "well-formed" in err["message"]


def test_an_xml_bomb_is_refused(api):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><x>&lol2;</x>'
    )
    r = upload(api, "owner", "bomb.bpmn", bomb)
    assert r.status_code == 422
    assert "DOCTYPE" in r.get_json()["errors"][0]["message"]


def with_form_on_step_2(form_name: str) -> bytes:
    """The eight-task model whose second task names a form."""
    return EIGHT.replace(
        b'<bpmn:userTask id="step_2" name="Step 2">',
        b'<bpmn:userTask id="step_2" name="Step 2"><bpmn:extensionElements><spiffworkflow:properties>'
        b'<spiffworkflow:property name="formJsonSchemaFilename" value="' + form_name.encode() + b'"/>'
        b"</spiffworkflow:properties></bpmn:extensionElements>",
    ).replace(b"xmlns:bpmn=", b'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" xmlns:bpmn=')


def test_a_missing_form_names_the_element(api):
    r = upload(api, "owner", "eight_tasks.bpmn", with_form_on_step_2("nowhere-schema.json"))
    assert r.status_code == 422, r.get_json()
    err = r.get_json()["errors"][0]
    assert err["element_id"] == "step_2" and "nowhere-schema.json" in err["message"] and err["line"]


def test_an_invalid_form_schema_is_refused(api):
    r = upload(
        api,
        "owner",
        "eight_tasks.bpmn",
        with_form_on_step_2("bad-schema.json"),
        forms=("bad-schema.json", b'{"type": "nonsense"}'),
    )
    assert r.status_code == 422
    assert "bad-schema.json" in r.get_json()["errors"][0]["message"]


def test_unknown_routes_answer_problem_json(api):
    r = api.get("agent", "/no-such-thing")
    assert r.status_code == 404 and r.mimetype == "application/problem+json"


def test_the_openapi_document_lists_exactly_the_routes(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    methods = {"get", "post", "put", "patch", "delete"}
    documented = {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops if method in methods}
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("ops."):  # /healthz, /readyz, /metrics: documented with servers: [/]
            assert doc["paths"][rule.rule]["servers"] == [{"url": "/"}]
            served |= {(rule.rule, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
            continue
        if not rule.rule.startswith("/api/v1/") or rule.endpoint in {"api.not_found", "api.openapi"}:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule[len("/api/v1") :])
        path = path.replace("{instance_id}", "{id}").replace("{complaint_id}", "{id}")
        served |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert served == documented
