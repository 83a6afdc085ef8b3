"""Diagrams as process owners bring them from spiff-arena and Camunda Modeler (tests/corpus/):
each passes the deploy check with only warnings for style, deploys, starts and computes what it says.

The corpus is written by hand in those tools' styles: unnamed start and end events, data objects
without shapes, multi-instance over script data, date arithmetic in scripts, a Camunda
decisionRef with its DMN table, a Latin-1 `.bpmn20.xml`. bench/diagram_corpus.py runs the same
check over any folder (SpiffWorkflow's own tests: see docs/architecture.md).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
# diagram -> (files it references, start data, what its instance holds when it completes)
CASES = {
    # refund_ok goes to the data object (the workflow's, not the task's data): the gateway read it to finish
    "spiff_data_objects.bpmn": ((), {"amount": 120}, {"tags": ["checked", "checked"]}),
    "spiff_multi_instance.bpmn": ((), {}, {"sum_of_squares": 14, "due": "2026-03-04T13:00:00+08:00"}),
    "camunda_decision.bpmn": (("complaint_priority.dmn",), {"amount": 1500}, {"level": "high"}),
    "camunda_latin1.bpmn20.xml": ((), {}, {"statut": "traité"}),
}


@pytest.fixture
def db_url(sqlite_url):
    """SQLite only: these tests are about reading diagrams."""
    return sqlite_url


def files_of(name: str, extra: tuple[str, ...] = (), data: bytes | None = None) -> dict:
    files = {"file": (io.BytesIO(data if data is not None else (CORPUS / name).read_bytes()), name)}
    for i, other in enumerate(extra):
        files[f"f{i}"] = (io.BytesIO((CORPUS / other).read_bytes()), other)
    return {"data": files, "content_type": "multipart/form-data"}


def start(rt, app, process_id: str, data: dict) -> dict:
    from app.services.instances.store import SYSTEM, describe_instance, start_instance

    with app.app_context():
        return describe_instance(rt, start_instance(rt, process_id, data, SYSTEM))


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_diagram_from_another_modeler_deploys_starts_and_computes(api, app, rt, name):
    extra, data, expected = CASES[name]
    checked = api.post("owner", "/process-models/check", **files_of(name, extra)).get_json()
    assert checked["ok"] is True, [p for p in checked["problems"] if p["severity"] == "error"]
    deployed = api.post("owner", "/process-models", **files_of(name, extra))
    assert deployed.status_code == 201, deployed.get_json()
    instance = start(rt, app, deployed.get_json()["process_id"], data)
    assert instance["status"] == "completed"
    assert {k: instance["data"][k] for k in expected} == expected


def test_style_warns_and_what_cannot_run_blocks(api):
    body = api.post("owner", "/process-models/check", **files_of("spiff_data_objects.bpmn")).get_json()
    warned = {(p["rule"], p["element_id"]) for p in body["problems"] if p["severity"] == "warning"}
    assert ("label-required", "StartEvent_1") in warned  # spiff-arena leaves start and end events unnamed
    assert ("no-bpmndi", "DataObjectReference_refund") in warned  # a data object reference without a shape
    assert not [p for p in body["problems"] if p["severity"] == "error"]
    source = (CORPUS / "spiff_data_objects.bpmn").read_bytes()
    no_condition = source.replace(
        b'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">not refund_ok</bpmn:conditionExpression>', b""
    )
    blocked = api.post("owner", "/process-models/check", **files_of("x.bpmn", data=no_condition)).get_json()
    assert blocked["ok"] is False  # a gateway that cannot choose cannot run


def test_the_name_check_knows_data_objects_and_start_data(api):
    body = api.post("owner", "/process-models/check", **files_of("spiff_data_objects.bpmn")).get_json()
    assert not [p for p in body["problems"] if p["rule"] == "undeclared-name"]  # refund_ok, amount
    source = (
        (CORPUS / "spiff_data_objects.bpmn")
        .read_bytes()
        .replace(b'name="startData" value="amount"', b'name="startData" value=""')
    )
    body = api.post("owner", "/process-models/check", **files_of("x.bpmn", data=source)).get_json()
    (unknown,) = [p for p in body["problems"] if p["rule"] == "undeclared-name"]
    assert (
        unknown["severity"] == "warning"
        and unknown["element_id"] == "decide_refund"
        and "'amount'" in unknown["message"]
    )
    assert body["ok"] is True  # a name the check cannot prove warns: the start may still bring it


def test_multi_instance_items_are_known_and_a_missing_input_stops_the_start_naming_the_element(api, app, rt):
    body = api.post("owner", "/process-models/check", **files_of("spiff_multi_instance.bpmn")).get_json()
    assert not [p for p in body["problems"] if p["rule"] == "undeclared-name"]  # call, square_of, squares
    source = (CORPUS / "spiff_multi_instance.bpmn").read_bytes().replace(b"calls = [1, 2, 3]\n", b"")
    body = api.post("owner", "/process-models/check", **files_of("x.bpmn", data=source)).get_json()
    unknown = [p for p in body["problems"] if p["rule"] == "undeclared-name"]
    assert [(p["element_id"], p["severity"]) for p in unknown] == [("square", "warning")]
    assert "loopDataInputRef 'calls'" in unknown[0]["message"]
    deployed = api.post("owner", "/process-models", **files_of("x.bpmn", data=source)).get_json()
    from app.errors import Invalid

    with pytest.raises(Invalid) as refused:  # the API answers it with a 422, never a 500
        start(rt, app, deployed["process_id"], {})
    assert "square" in str(refused.value) and " at 0x" not in str(refused.value)


def test_a_camunda_form_field_is_a_known_name(api):
    source = (
        (CORPUS / "camunda_decision.bpmn")
        .read_bytes()
        .replace(
            b'<bpmn:startEvent id="StartEvent_1">',
            b'<bpmn:startEvent id="StartEvent_1"><bpmn:extensionElements><camunda:formData>'
            b'<camunda:formField id="amount" label="Amount" type="long" /></camunda:formData></bpmn:extensionElements>',
        )
    )
    body = api.post(
        "owner", "/process-models/check", **files_of("x.bpmn", ("complaint_priority.dmn",), source)
    ).get_json()
    assert body["ok"] is True and not [p for p in body["problems"] if p["rule"] == "undeclared-name"]


def test_an_unquoted_iso_timer_is_refused_with_the_fix(api):
    source = (
        (CORPUS / "spiff_data_objects.bpmn")
        .read_bytes()
        .replace(
            b'<bpmn:endEvent id="Event_no">',
            b'<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H'
            b'</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent><bpmn:endEvent id="Event_no">',
        )
    )
    body = api.post("owner", "/process-models/check", **files_of("x.bpmn", data=source)).get_json()
    (timer,) = [p for p in body["problems"] if p["element_id"] == "wait" and p["rule"] == "expression"]
    assert timer["severity"] == "error" and 'quote the ISO 8601 text: "PT1H"' in timer["message"]
