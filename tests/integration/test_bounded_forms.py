"""Forms do bounded work: linear-time patterns, references only inside the form, no parser stack blow-ups.

Each attack is the one reported against the server, reproduced as written; each is refused with a
4xx naming the form or field, and the ReDoS completion runs while /healthz answers within a second.
"""

from __future__ import annotations

import json

import pytest

from tests.diagrams import SIMPLE_FORM, Node, form, linear

from .live_server import HEALTHZ_SLOWEST, call, healthz_during, serving
from .test_escapes import upload

REDOS_FORM = json.dumps({"type": "object", "properties": {"code": {"type": "string", "pattern": "^(a+)+$"}}})


def deploy_form(api, pid: str, schema: str | bytes):
    diagram = linear(pid, [Node("userTask", "fill", "填写", form("fill-schema.json"))])
    return upload(api, f"{pid}.bpmn", diagram, fill_schema=schema if isinstance(schema, bytes) else schema.encode())


def start(api, pid: str) -> dict:
    r = api.post("agent", "/process-instances", json={"process_id": pid, "data": {}})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_a_catastrophic_pattern_completes_in_linear_time_while_healthz_answers(app, api):
    assert deploy_form(api, "redos", REDOS_FORM).status_code == 201
    task = start(api, "redos")["ready_tasks"][0]
    token = api.headers("agent")["Authorization"][7:]
    with serving(app) as base:
        attack = "a" * 28 + "!"  # 25 s on Python's re, doubling with each extra "a"
        (status, body), slowest = healthz_during(
            base, lambda: call(base, "POST", f"/api/v1/tasks/{task['id']}/complete", token, {"data": {"code": attack}})
        )
        assert status == 422 and body["errors"][0]["field"] == "code"
        assert slowest < HEALTHZ_SLOWEST
        longer = "a" * 100_000 + "!"
        status, body = call(base, "POST", f"/api/v1/tasks/{task['id']}/complete", token, {"data": {"code": longer}})
        assert status == 422 and body["errors"][0]["field"] == "code"
        status, body = call(base, "POST", f"/api/v1/tasks/{task['id']}/complete", token, {"data": {"code": "aaaa"}})
        assert status == 200, body


def test_patterns_properties_and_additional_properties_use_the_linear_engine(api):
    schema = json.dumps(
        {
            "type": "object",
            "properties": {
                "bag": {
                    "type": "object",
                    "patternProperties": {"^(a+)+$": {"type": "integer"}},
                    "additionalProperties": False,
                }
            },
        }
    )
    assert deploy_form(api, "redos_keys", schema).status_code == 201
    task = start(api, "redos_keys")["ready_tasks"][0]
    r = api.post("agent", f"/tasks/{task['id']}/complete", json={"data": {"bag": {"a" * 40 + "!": 1}}})
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "bag"
    r = api.post("agent", f"/tasks/{task['id']}/complete", json={"data": {"bag": {"aaa": 1}}})
    assert r.status_code == 200, r.get_json()


@pytest.mark.parametrize("pattern", [r"(a)\1", r"(?=a)a", r"(?<!b)a"])
def test_patterns_the_linear_engine_cannot_run_are_refused_at_deploy(api, pattern):
    schema = json.dumps({"type": "object", "properties": {"x": {"type": "string", "pattern": pattern}}})
    r = deploy_form(api, "backref", schema)
    assert r.status_code == 422
    assert any("pattern" in e["message"] and e["element_id"] == "fill" for e in r.get_json()["errors"])


@pytest.mark.parametrize(
    "ref", ["http://127.0.0.1:5102/schema.json", "file:///etc/passwd", "other.json#/x", "#/$defs/missing", "#nowhere"]
)
def test_references_outside_the_form_are_refused_at_deploy_and_never_fetched(api, ref):
    schema = json.dumps({"type": "object", "properties": {"x": {"$ref": ref}}, "$defs": {"y": {"type": "string"}}})
    r = deploy_form(api, "ssrf", schema)
    assert r.status_code == 422, r.get_json()
    assert any("$ref" in e["message"] for e in r.get_json()["errors"])


@pytest.mark.parametrize(
    "schema",
    [
        {"$ref": "#"},
        {"allOf": [{"$ref": "#"}]},
        {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"anyOf": [{"$ref": "#/$defs/a"}]}}, "$ref": "#/$defs/a"},
    ],
    ids=["root", "all-of", "two-step"],
)
def test_reference_loops_that_never_enter_the_data_are_refused_at_deploy(api, schema):
    r = deploy_form(api, "loop", json.dumps(schema))
    assert r.status_code == 422
    assert any("loop" in e["message"] for e in r.get_json()["errors"])


def test_a_recursive_form_that_descends_into_the_data_still_works(api):
    schema = {
        "type": "object",
        "properties": {"tree": {"$ref": "#/$defs/node"}},
        "$defs": {"node": {"type": "object", "properties": {"child": {"$ref": "#/$defs/node"}}}},
    }
    assert deploy_form(api, "tree", json.dumps(schema)).status_code == 201
    task = start(api, "tree")["ready_tasks"][0]
    deep = {"child": {"child": {"child": {}}}}
    assert api.post("agent", f"/tasks/{task['id']}/complete", json={"data": {"tree": deep}}).status_code == 200


@pytest.mark.parametrize(
    "text",
    [
        b"[" * 100_000,
        ('{"type": "object", "properties": {"x": ' * 5000).encode() + b"{}" + b"}}" * 5000,
        b'{"allOf": [' * 40 + b"{}" + b"]}" * 40,
    ],
    ids=["brackets", "nested-5000", "nested-80"],
)
def test_form_files_nested_beyond_the_limit_are_refused_at_deploy(api, text):
    r = deploy_form(api, "deep", text)
    assert r.status_code == 422, r.get_json()
    assert any(e["element_id"] == "fill" for e in r.get_json()["errors"])


def test_a_dialect_switch_inside_the_form_is_refused(api):
    schema = {
        "type": "object",
        "properties": {
            "x": {"$schema": "http://json-schema.org/draft-04/schema#", "type": "string", "pattern": "^(a+)+$"}
        },
    }
    r = deploy_form(api, "dialect", json.dumps(schema))
    assert r.status_code == 422 and any("$schema" in e["message"] for e in r.get_json()["errors"])


def test_unique_items_over_many_objects_is_checked_in_linear_time(api):
    schema = {"type": "object", "properties": {"xs": {"type": "array", "uniqueItems": True}}}
    assert deploy_form(api, "uniq", json.dumps(schema)).status_code == 201
    task = start(api, "uniq")["ready_tasks"][0]
    many = [{"i": i} for i in range(20_000)] + [{"i": 5.0}]
    r = api.post("agent", f"/tasks/{task['id']}/complete", json={"data": {"xs": many}})
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "xs"


def test_submitted_data_nested_deeper_than_task_data_may_be_is_refused(api):
    assert deploy_form(api, "plain", SIMPLE_FORM).status_code == 201
    task = start(api, "plain")["ready_tasks"][0]
    deep: dict = {}
    for _ in range(40):
        deep = {"x": deep}
    r = api.post("agent", f"/tasks/{task['id']}/complete", json={"data": {"note": "n", "extra": deep}})
    assert r.status_code == 422 and "deeper" in r.get_json()["detail"]


def test_references_that_multiply_each_other_are_refused_at_deploy(api):
    defs = {f"a{i}": {"allOf": [{"$ref": f"#/$defs/a{i + 1}"}, {"$ref": f"#/$defs/a{i + 1}"}]} for i in range(40)}
    defs["a40"] = {"type": "string", "minLength": 5}
    schema = {"type": "object", "properties": {"x": {"$ref": "#/$defs/a0"}}, "$defs": defs}
    r = deploy_form(api, "laughs", json.dumps(schema))
    assert r.status_code == 422 and any("expands" in e["message"] for e in r.get_json()["errors"])


def test_validation_that_multiplies_with_the_data_stops_at_its_budget_while_healthz_answers(app, api):
    # Each level of the data applies the whole form twice: 2^depth checks; nothing to refuse at deploy.
    schema = {
        "type": "object",
        "properties": {"x": {"allOf": [{"$ref": "#"}, {"$ref": "#"}]}, "n": {"type": "integer"}},
    }
    assert deploy_form(api, "doubling", json.dumps(schema)).status_code == 201
    task = start(api, "doubling")["ready_tasks"][0]
    deep: dict = {"n": "not a number"}
    for _ in range(28):
        deep = {"x": deep}
    token = api.headers("agent")["Authorization"][7:]
    with serving(app) as base:
        (status, body), slowest = healthz_during(
            base, lambda: call(base, "POST", f"/api/v1/tasks/{task['id']}/complete", token, {"data": deep})
        )
    assert status == 422 and "too much work" in body["detail"]
    assert slowest < HEALTHZ_SLOWEST
    shallow = {"x": {"x": {"n": 1}}}
    assert api.post("agent", f"/tasks/{task['id']}/complete", json={"data": shallow}).status_code == 200
