"""The deploy checks of the engine: bpmnlint's recommended rules in Python, paths, lanes, expressions."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.groups import lane_groups
from app.domain.sla import STEPS
from app.engine import check_expressions, check_instructions, check_lanes, check_paths, lint, read_models
from app.engine.lint import RECOMMENDED
from app.services.process_models.checks import OFFERED_FUNCTIONS, decision_output_names, form_field_names
from tests.diagrams import Node, build, form, linear, script, timer

ROOT = Path(__file__).resolve().parents[2]


def found(problems, rule=None):
    return {(p.rule, p.element_id) for p in problems if rule is None or p.rule == rule}


def lint_of(xml: bytes):
    return [p for m in read_models({"t.bpmn": xml}) for p in lint(m)]


def test_the_complaint_diagram_passes_every_check():
    models = read_models({"c.bpmn": (ROOT / "processes" / "complaint_handling.bpmn").read_bytes()})
    forms = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "forms").glob("*.json")}
    dmn = {p.name: p.read_bytes() for p in (ROOT / "processes").glob("*.dmn")}
    names = form_field_names(forms) | decision_output_names(dmn) | set(OFFERED_FUNCTIONS)
    problems = (
        [p for m in models for p in lint(m)]
        + check_paths(models)
        + check_lanes(models, lane_groups())
        + check_expressions(models, names, STEPS)
        + check_instructions(models)
    )
    assert problems == []


def test_the_recommended_set_is_bpmnlint_11s():
    assert len(RECOMMENDED) == 26
    warn = {name for name, (_rule, level) in RECOMMENDED.items() if level == "warning"}
    assert warn == {
        "fake-join",
        "global",
        "no-inclusive-gateway",
        "no-overlapping-elements",
        "superfluous-gateway",
        "superfluous-label",
        "superfluous-termination",
    }


def test_label_required_names_the_element_and_its_line():
    problems = lint_of(linear("p", [Node("userTask", "unnamed", "")]))
    (p,) = [p for p in problems if p.rule == "label-required"]
    assert (p.element_id, p.severity, p.line) == ("unnamed", "error", 5)  # the XML line of <bpmn:userTask>
    assert p.message == "Element is missing label/name"


def test_disconnected_implicit_start_and_end():
    nodes = [
        Node("startEvent", "start", "s", at=(0, 0)),
        Node("endEvent", "end", "e", at=(1, 0)),
        Node("task", "alone", "alone", at=(0, 1)),
    ]
    problems = lint_of(build("p", nodes, [("f", "start", "end")]))
    assert {("no-disconnected", "alone"), ("no-implicit-start", "alone"), ("no-implicit-end", "alone")} <= found(
        problems
    )


def test_gateways_conditions_and_splits():
    nodes = [
        Node("startEvent", "start", "s", at=(0, 0)),
        Node("task", "t", "t", at=(1, 0)),
        Node("exclusiveGateway", "gw", "which?", at=(2, 0)),
        Node("endEvent", "a", "a", at=(3, 0)),
        Node("endEvent", "b", "b", at=(3, 1)),
        Node("parallelGateway", "only", "", at=(4, 2)),
        Node("endEvent", "c", "c", at=(5, 2)),
    ]
    flows = [
        ("f0", "start", "t"),
        ("f1", "t", "gw"),
        ("to_a", "gw", "a"),
        ("to_b", "gw", "b"),
        ("split1", "t", "only"),
        ("f5", "only", "c"),
    ]
    problems = lint_of(build("p", nodes, flows))
    assert {
        ("conditional-flows", "to_a"),
        ("conditional-flows", "to_b"),
        ("no-implicit-split", "t"),
        ("superfluous-gateway", "only"),
    } <= found(problems)


def test_duplicate_flows_fake_join_and_join_fork():
    nodes = [
        Node("startEvent", "start", "s", at=(0, 0)),
        Node("task", "t", "t", at=(1, 0)),
        Node("parallelGateway", "gw", "", at=(2, 0)),
        Node("endEvent", "a", "a", at=(3, 0)),
        Node("endEvent", "b", "b", at=(3, 1)),
    ]
    flows = [
        ("f0", "start", "t"),
        ("f1", "start", "t"),
        ("f2", "t", "gw"),
        ("f3", "t", "gw"),
        ("f4", "gw", "a"),
        ("f5", "gw", "b"),
    ]
    problems = lint_of(build("p", nodes, flows))
    assert {("no-duplicate-sequence-flows", "f1"), ("fake-join", "t"), ("no-gateway-join-fork", "gw")} <= found(
        problems
    )


def test_missing_start_end_and_bpmndi():
    xml = (
        b'<?xml version="1.0"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" '
        b'targetNamespace="x"><bpmn:process id="p" isExecutable="true"><bpmn:task id="t" name="t"/>'
        b"</bpmn:process></bpmn:definitions>"
    )
    problems = lint_of(xml)
    assert {("start-event-required", "p"), ("end-event-required", "p"), ("no-bpmndi", "t")} <= found(problems)


def test_unreachable_elements_and_loops_without_an_end():
    nodes = [
        Node("startEvent", "start", "s", at=(0, 0)),
        Node("task", "t", "t", at=(1, 0)),
        Node("endEvent", "end", "e", at=(2, 0)),
        Node("task", "island_a", "a", at=(0, 1)),
        Node("task", "island_b", "b", at=(1, 1)),
    ]
    flows = [("f0", "start", "t"), ("f1", "t", "end"), ("f2", "island_a", "island_b"), ("f3", "island_b", "island_a")]
    problems = check_paths(read_models({"t.bpmn": build("p", nodes, flows)}))
    assert found(problems) == {
        ("unreachable", "island_a"),
        ("unreachable", "island_b"),
        ("no-end", "island_a"),
        ("no-end", "island_b"),
    }


def test_lanes_must_name_a_group_unless_their_tasks_have_an_expression():
    xml = linear("p", [Node("userTask", "a", "a"), Node("userTask", "b", "b")]).replace(
        b"<bpmn:startEvent",
        b'<bpmn:laneSet id="ls"><bpmn:lane id="lane_x" name="\xe6\x9f\x90\xe9\x83\xa8\xe9\x97\xa8">'
        b'<bpmn:flowNodeRef>a</bpmn:flowNodeRef></bpmn:lane><bpmn:lane id="lane_ok" name="\xe6\xb4\xbe\xe5\x8d\x95\xe5\x91\x98">'
        b"<bpmn:flowNodeRef>b</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet><bpmn:startEvent",
        1,
    )
    problems = check_lanes(read_models({"t.bpmn": xml}), lane_groups())
    assert found(problems) == {("lane", "lane_x")} and "a (a)" in problems[0].message
    exempt = xml.replace(
        b'<bpmn:userTask id="a" name="a">',
        b'<bpmn:userTask id="a" name="a"><bpmn:extensionElements>'
        b'<spiffworkflow:properties><spiffworkflow:property name="candidateGroupExpression" '
        b'value="&quot;handler_&quot; + department"/></spiffworkflow:properties></bpmn:extensionElements>',
    )
    assert check_lanes(read_models({"t.bpmn": exempt}), lane_groups()) == []


@pytest.mark.parametrize(
    "source, expected",
    [
        ("x = severity + 1", None),
        ("x = unknown_field", "name 'unknown_field' is not defined"),
        ("import os", "import is not allowed"),
        ("x = note.__class__", "attribute '__class__' is not allowed"),
    ],
)
def test_scripts_compile_in_the_sandbox_and_read_declared_names(source, expected):
    models = read_models({"t.bpmn": linear("p", [Node("scriptTask", "s", "s", script(source))])})
    problems = check_expressions(models, {"severity", "note"}, STEPS)
    if expected is None:
        assert problems == []
    else:
        assert [p.element_id for p in problems] == ["s"] and expected in problems[0].message


def test_names_assigned_by_a_script_may_be_read_later():
    models = read_models(
        {
            "t.bpmn": linear(
                "p",
                [
                    Node("scriptTask", "s", "s", script("count = 0")),
                    Node("scriptTask", "u", "u", script("count = count + 1")),
                ],
            )
        }
    )
    assert check_expressions(models, set(), STEPS) == []


def test_sla_timers_name_a_known_step_and_agree_with_their_properties():
    props = (
        '<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property name="slaStep" value="handle"/>'
        '<spiffworkflow:property name="slaKind" value="warning"/></spiffworkflow:properties></bpmn:extensionElements>'
    )
    models = read_models(
        {
            "t.bpmn": linear(
                "p",
                [
                    Node("intermediateCatchEvent", "ok", "ok", timer('sla_due("handle")')),
                    Node("intermediateCatchEvent", "nostep", "nostep", timer('sla_due("lunch")')),
                    Node("intermediateCatchEvent", "mismatch", "mismatch", props + timer('sla_due("classify")')),
                ],
            )
        }
    )
    problems = check_expressions(models, {"sla_due", "sla_warn"}, STEPS)
    assert {(p.element_id, p.severity) for p in problems} == {("nostep", "error"), ("mismatch", "warning")}
    assert len([p for p in problems if p.element_id == "mismatch"]) == 2


def test_instructions_templates_must_compile():
    broken = (
        "<bpmn:extensionElements><spiffworkflow:instructionsForEndUser>{% if x %}never closed"
        "</spiffworkflow:instructionsForEndUser></bpmn:extensionElements>"
    )
    fine = (
        "<bpmn:extensionElements><spiffworkflow:instructionsForEndUser>Call {{ customer_name }}"
        "</spiffworkflow:instructionsForEndUser></bpmn:extensionElements>"
    )
    models = read_models(
        {
            "t.bpmn": linear(
                "p", [Node("userTask", "bad", "bad", broken), Node("userTask", "good", "good", fine + form("x.json"))]
            )
        }
    )
    assert found(check_instructions(models)) == {("instructions", "bad")}


def test_a_bare_iso_duration_is_an_error_with_the_quote_fix():
    models = read_models(
        {
            "t.bpmn": linear(
                "p",
                [
                    Node("intermediateCatchEvent", "wait", "等两小时", timer("PT2H", "timeDuration")),
                    Node("scriptTask", "s", "s", script("late = elapsed > PT30M")),
                ],
            )
        }
    )
    problems = check_expressions(models, {"elapsed"}, STEPS)
    fixes = {p.element_id: (p.severity, p.fix) for p in problems}
    assert fixes == {
        "wait": ("error", {"kind": "quote", "find": "PT2H", "replace": '"PT2H"'}),
        "s": ("error", {"kind": "quote", "find": "PT30M", "replace": '"PT30M"'}),
    }
    assert all("quote the ISO 8601 text" in p.message for p in problems)
    assert problems[0].as_dict()["fix"]["replace"] == '"PT2H"'
