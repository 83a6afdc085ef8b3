"""Escape attempts deployed in real diagrams: refused at deploy naming the element, or stopped at run time.

Script tasks, gateway conditions and timer expressions each get the corpus: imports, dunder walks,
getattr tricks, str.format attribute access, reaching a module through an offered function.
What only fails when it runs (a loop without end, a string or number too large) stops that
instance with an incident naming the element; every time, the server answers the next request.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

import pytest

from tests.diagrams import SIMPLE_FORM, Node, build, form, linear, script, timer

SCRIPT_ESCAPES = {
    "import": "import os",
    "from-import": "from os import system",
    "dunder-import": "x = __import__('os')",
    "bases-walk": "x = ().__class__.__bases__[0].__subclasses__()",
    "mro-walk": "x = note.__class__.__mro__[-1].__subclasses__()",
    "getattr": "x = getattr(note, '__cla' + 'ss__')",
    "format-attribute": "x = '{0.__class__.__init__.__globals__}'.format(note)",
    "format-map": "x = '{a.__class__}'.format_map({'a': note})",
    "module-through-function": "x = sla_due.__globals__['os']",
    "function-attribute": "x = sla_due.__code__",
    "open-file": "x = open('/etc/passwd').read()",
    "eval": "x = eval('1 + 1')",
    "type-walk": "x = type(note).__base__",
    "lambda": "f = lambda: 1",
    "def": "def f():\n    return 1",
    "class": "class A:\n    pass",
    "try": "try:\n    x = 1\nexcept Exception:\n    x = 2",
}

CONDITION_ESCAPES = {
    "dunder-import": "__import__('os').system('id') == 0",
    "getattr": "getattr(note, '__class__') is not None",
    "format-attribute": "'{0.__class__}'.format(note) != ''",
    "bases-walk": "len(().__class__.__bases__) > 0",
    "module-through-function": "sla_due.__globals__ is not None",
}

TIMER_ESCAPES = {
    "dunder-import": "__import__('os').getenv('HOME')",
    "format-globals": "'{0.__globals__}'.format(sla_due)",
    "module-through-function": "sla_due.__globals__['datetime'].now().isoformat()",
    "getattr": "getattr(sla_due, '__globals__')",
    "unquoted-duration": "PT1H",
}


def upload(api, name: str, data: bytes, **forms):
    files = {"file": (io.BytesIO(data), name)}
    for i, (fname, content) in enumerate(forms.items()):
        files[f"form{i}"] = (io.BytesIO(content), fname.replace("_", "-") + ".json")
    return api.post("owner", "/process-models", data=files, content_type="multipart/form-data")


def assert_serves_normally(api):
    r = api.get("owner", "/process-models")
    assert r.status_code == 200 and isinstance(r.get_json()["items"], list)


def assert_refused_at(r, element_id: str):
    assert r.status_code == 422, r.get_json()
    errors = r.get_json()["errors"]
    mine = [e for e in errors if e["element_id"] == element_id]
    assert mine, errors
    assert mine[0]["line"] and mine[0]["element_name"]


FILL = Node("userTask", "fill", "填写", form("fill-schema.json"))


@pytest.mark.parametrize("source", SCRIPT_ESCAPES.values(), ids=SCRIPT_ESCAPES.keys())
def test_script_escapes_are_refused_at_deploy(api, source):
    diagram = linear(
        "escape_script",
        [
            Node("userTask", "fill", "填写", form("fill-schema.json")),
            Node("scriptTask", "evil", "脚本", script(source)),
        ],
    )
    assert_refused_at(upload(api, "escape.bpmn", diagram, fill_schema=SIMPLE_FORM), "evil")
    assert_serves_normally(api)


@pytest.mark.parametrize("condition", CONDITION_ESCAPES.values(), ids=CONDITION_ESCAPES.keys())
def test_condition_escapes_are_refused_at_deploy(api, condition):
    nodes = [
        Node("startEvent", "start", "开始", at=(0, 0)),
        Node("userTask", "fill", "填写", form("fill-schema.json"), at=(1, 0)),
        Node("exclusiveGateway", "gw", "判断", attrs={"default": "to_b"}, at=(2, 0)),
        Node("endEvent", "end_a", "甲", at=(3, 0)),
        Node("endEvent", "end_b", "乙", at=(3, 1)),
    ]
    flows = [
        ("f0", "start", "fill"),
        ("f1", "fill", "gw"),
        ("evil_flow", "gw", "end_a", "条件", condition),
        ("to_b", "gw", "end_b"),
    ]
    r = upload(api, "escape.bpmn", build("escape_condition", nodes, flows), fill_schema=SIMPLE_FORM)
    assert_refused_at(r, "evil_flow")
    assert_serves_normally(api)


@pytest.mark.parametrize("expression", TIMER_ESCAPES.values(), ids=TIMER_ESCAPES.keys())
def test_timer_escapes_are_refused_at_deploy(api, expression):
    diagram = linear(
        "escape_timer",
        [
            Node("userTask", "fill", "填写", form("fill-schema.json")),
            Node("intermediateCatchEvent", "evil_timer", "等待", timer(expression)),
        ],
    )
    assert_refused_at(upload(api, "escape.bpmn", diagram, fill_schema=SIMPLE_FORM), "evil_timer")
    assert_serves_normally(api)


TEMPLATE_ESCAPES = {
    "mro-walk": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "format-attribute": "{{ '{0.__class__}'.format(1) }}",
    "attr-filter": "{{ (1)|attr('__class__') }}",
    "huge-string": "{{ 'x' * 100000000 }}",
    "endless-range": "{% for i in range(100000000) %}{{ i }}{% endfor %}",
}


@pytest.mark.parametrize("template", TEMPLATE_ESCAPES.values(), ids=TEMPLATE_ESCAPES.keys())
def test_instructions_templates_that_reach_out_are_refused(api, template):
    task = Node(
        "userTask",
        "fill",
        "填写",
        "<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property "
        'name="formJsonSchemaFilename" value="fill-schema.json"/></spiffworkflow:properties>'
        f"<spiffworkflow:instructionsForEndUser>{escape(template)}</spiffworkflow:instructionsForEndUser>"
        "</bpmn:extensionElements>",
    )
    assert_refused_at(upload(api, "escape.bpmn", linear("escape_template", [task]), fill_schema=SIMPLE_FORM), "fill")
    assert_serves_normally(api)


RUNTIME_FAILURES = {
    "endless-loop": "n = 0\nwhile True:\n    n = n + 1",
    "huge-string": "big = 'x' * (10 ** 9)",
    "huge-number": "big = 10 ** (10 ** 8)",
    "growing-list": "items = []\nfor i in range(10 ** 9):\n    items.append(i)",
    "doubling-string": "s = 'ab'\nfor i in range(64):\n    s = s + s",
}


@pytest.mark.parametrize("source", RUNTIME_FAILURES.values(), ids=RUNTIME_FAILURES.keys())
def test_run_time_limits_stop_the_instance_with_an_incident_naming_the_element(api, source):
    diagram = linear(
        "runaway",
        [
            Node("userTask", "fill", "填写", form("fill-schema.json")),
            Node("scriptTask", "runaway_script", "失控脚本", script(source)),
        ],
    )
    assert upload(api, "runaway.bpmn", diagram, fill_schema=SIMPLE_FORM).status_code == 201
    started = api.post("agent", "/process-instances", json={"process_id": "runaway", "data": {}})
    assert started.status_code == 201, started.get_json()
    instance = started.get_json()
    task = instance["ready_tasks"][0]

    r = api.post("agent", f"/tasks/{task['id']}/complete", json={"data": {"note": "go"}})

    assert r.status_code == 422 and "runaway_script" in r.get_json()["detail"]
    after = api.get("manager", f"/process-instances/{instance['id']}").get_json()
    assert after["status"] == "error"
    assert "runaway_script" in after["error"] and "sandbox" in after["error"]
    assert after["ready_tasks"] == []
    events = api.get("manager", f"/process-instances/{instance['id']}/events").get_json()["items"]
    incident = [e for e in events if e["type"] == "instance.error"]
    assert incident and incident[0]["element_id"] == "runaway_script" and incident[0]["element_name"] == "失控脚本"
    # the stopped instance's task cannot be completed again, and the server goes on serving
    assert api.post("agent", f"/tasks/{task['id']}/complete", json={"data": {"note": "again"}}).status_code == 409
    assert_serves_normally(api)
    other = api.post("agent", "/process-instances", json={"process_id": "runaway", "data": {}})
    assert other.status_code == 201 and other.get_json()["status"] == "running"
