"""The engine's work per call is bounded: each runaway diagram stops with an incident naming the element.

The attacks as reported: a multi-instance task of 5,000 (156 s to start), a call activity calling
its own process (never returned), a gateway loop of 1,000 rounds (silently "completed" after 333),
scripts leaving values that are not JSON, and timers whose value is not a time (each a 500).
"""

from __future__ import annotations

import pytest

from tests.diagrams import SIMPLE_FORM, Node, build, form, linear, script, timer

from .test_escapes import upload

FILL = Node("userTask", "fill", "填写", form("fill-schema.json"))


def fill():
    return Node("userTask", "fill", "填写", form("fill-schema.json"))


def deploy(api, pid: str, diagram: bytes):
    r = upload(api, f"{pid}.bpmn", diagram, fill_schema=SIMPLE_FORM)
    assert r.status_code == 201, r.get_json()


def start_and_complete(api, pid: str):
    started = api.post("agent", "/process-instances", json={"process_id": pid, "data": {}})
    assert started.status_code == 201, started.get_json()
    instance = started.get_json()
    task = instance["ready_tasks"][0]
    return instance, api.post("agent", f"/tasks/{task['id']}/complete", json={"data": {"note": "go"}})


def assert_incident(api, instance_id: int, element_id: str, words: str):
    after = api.get("manager", f"/process-instances/{instance_id}").get_json()
    assert after["status"] == "error", after
    assert element_id in after["error"] and words in after["error"]
    events = api.get("manager", f"/process-instances/{instance_id}/events").get_json()["items"]
    incident = [e for e in events if e["type"] == "instance.error"]
    assert incident and incident[0]["element_id"] == element_id, events[-3:]


def multi_instance(cardinality: str) -> Node:
    return Node(
        "scriptTask",
        "many",
        "批量",
        "<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>"
        f"{cardinality}</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>" + script("n = 1"),
    )


@pytest.mark.parametrize("cardinality", ["size", "size * 1"])
def test_a_multi_instance_task_of_5000_stops_the_instance_naming_it(api, cardinality):
    deploy(
        api,
        "mi",
        linear(
            "mi", [fill(), Node("scriptTask", "size_it", "定量", script("size = 5000")), multi_instance(cardinality)]
        ),
    )
    instance, r = start_and_complete(api, "mi")
    assert r.status_code == 422 and "many" in r.get_json()["detail"] and "200" in r.get_json()["detail"]
    assert_incident(api, instance["id"], "many", "multi-instance")


def test_a_literal_multi_instance_size_beyond_the_limit_is_refused_at_deploy(api):
    r = upload(api, "mi.bpmn", linear("mi_literal", [fill(), multi_instance("5000")]), fill_schema=SIMPLE_FORM)
    assert r.status_code == 422
    assert any(e["element_id"] == "many" and "at most 200" in e["message"] for e in r.get_json()["errors"])


def test_a_multi_instance_task_at_start_is_refused_naming_it_and_nothing_is_stored(api):
    deploy(
        api,
        "mi_start",
        linear(
            "mi_start", [Node("scriptTask", "size_it", "定量", script("size = 5000")), multi_instance("size"), fill()]
        ),
    )
    r = api.post("agent", "/process-instances", json={"process_id": "mi_start", "data": {}})
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "many"
    assert api.get("manager", "/process-instances?process_id=mi_start").get_json()["items"] == []


def test_a_small_multi_instance_task_runs(api):
    deploy(api, "mi_small", linear("mi_small", [fill(), multi_instance("3")]))
    instance, r = start_and_complete(api, "mi_small")
    assert r.status_code == 200 and r.get_json()["status"] == "completed"


def test_a_process_calling_itself_is_stopped_naming_the_call(api):
    call = Node("callActivity", "again", "再来一次", attrs={"calledElement": "selfcall"})
    deployed = upload(
        api,
        "selfcall.bpmn",
        linear("selfcall", [Node("scriptTask", "count", "计数", script("depth = 1")), call, fill()]),
        fill_schema=SIMPLE_FORM,
    )
    assert deployed.status_code == 201  # a warning: the call leads back to its own process
    assert any(w["element_id"] == "again" and "leads back" in w["message"] for w in deployed.get_json()["warnings"])
    r = api.post("agent", "/process-instances", json={"process_id": "selfcall", "data": {}})
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "again"
    assert "nested" in r.get_json()["detail"]
    assert api.get("manager", "/process-instances?process_id=selfcall").get_json()["items"] == []


def loop_diagram(pid: str, rounds: int) -> bytes:
    nodes = [
        Node("startEvent", "start", "开始", at=(0, 0)),
        Node("userTask", "fill", "填写", form("fill-schema.json"), at=(1, 0)),
        Node("scriptTask", "init", "起点", script("n = 0"), at=(2, 0)),
        Node("exclusiveGateway", "join", "汇合", at=(3, 0)),
        Node("scriptTask", "step", "一轮", script("n = n + 1"), at=(4, 0)),
        Node("exclusiveGateway", "again", "再来?", attrs={"default": "done"}, at=(5, 0)),
        Node("endEvent", "end", "结束", at=(6, 0)),
    ]
    flows = [
        ("f0", "start", "fill"),
        ("f1", "fill", "init"),
        ("f2", "init", "join"),
        ("f3", "join", "step"),
        ("f4", "step", "again"),
        ("back", "again", "join", "继续", f"n < {rounds}"),
        ("done", "again", "end"),
    ]
    return build(pid, nodes, flows)


def test_a_loop_of_1000_rounds_stops_with_an_incident_never_a_silent_completion(api):
    deploy(api, "loop", loop_diagram("loop", 1000))
    instance, r = start_and_complete(api, "loop")
    assert r.status_code == 422, r.get_json()
    assert_incident(api, instance["id"], r.get_json()["errors"][0]["field"], "rounds")


def test_a_loop_within_the_limit_completes_with_its_data(api):
    deploy(api, "short_loop", loop_diagram("short_loop", 50))
    instance, r = start_and_complete(api, "short_loop")
    assert r.status_code == 200 and r.get_json()["status"] == "completed"
    assert api.get("manager", f"/process-instances/{instance['id']}").get_json()["data"]["n"] == 50


NOT_JSON = {
    "function-in-list": "x = [len]",
    "range": "x = range(5)",
    "set": "x = {1, 2}",
    "tuple-keys": "x = {(1, 2): 3}",
    "dict-keys": "d = {'a': 1}\nx = d.keys()",
    "nan": "x = float('nan')",
}


@pytest.mark.parametrize("source", NOT_JSON.values(), ids=NOT_JSON.keys())
def test_a_script_leaving_a_value_that_is_not_json_fails_naming_the_element(api, source):
    deploy(api, "notjson", linear("notjson", [fill(), Node("scriptTask", "leave", "留值", script(source))]))
    instance, r = start_and_complete(api, "notjson")
    assert r.status_code == 422 and "leave" in r.get_json()["detail"] and "not JSON" in r.get_json()["detail"]
    assert_incident(api, instance["id"], "leave", "not JSON")


@pytest.mark.parametrize("expression", ["'not a duration'", "[1, 2, 3]", "'2026-13-45'", "12"])
@pytest.mark.parametrize("kind", ["timeDuration", "timeDate"])
def test_a_timer_whose_value_is_not_a_time_fails_naming_it(api, expression, kind):
    diagram = linear("badtimer", [fill(), Node("intermediateCatchEvent", "wait", "等待", timer(expression, kind))])
    r = upload(api, "badtimer.bpmn", diagram, fill_schema=SIMPLE_FORM)
    if r.status_code == 422:  # a literal the deploy check can already read
        assert any(e["element_id"] == "wait" for e in r.get_json()["errors"])
        return
    assert r.status_code == 201, r.get_json()
    instance, done = start_and_complete(api, "badtimer")
    assert done.status_code == 422 and "wait" in done.get_json()["detail"]


def test_a_name_the_data_does_not_hold_stops_the_instance_naming_the_element(api):
    # the deploy check can only warn (the name might come with the data); at run time it is an incident
    diagram = linear("named", [fill(), Node("scriptTask", "use", "使用", script("total = missing_amount + 1"))])
    r = upload(api, "named.bpmn", diagram, fill_schema=SIMPLE_FORM)
    assert r.status_code == 201
    assert [w["element_id"] for w in r.get_json()["warnings"] if w["rule"] == "undeclared-name"] == ["use"]
    instance, r = start_and_complete(api, "named")
    assert r.status_code == 422 and "use" in r.get_json()["detail"] and "missing_amount" in r.get_json()["detail"]
    assert_incident(api, instance["id"], "use", "missing_amount")
