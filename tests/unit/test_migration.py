"""Moving a running instance to another version: safe moves keep tasks and deadlines, unsafe ones are refused."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from lxml import etree

from app.engine import Engine, check_migration, migrate, parse_bundle
from app.engine.migration import MigrationRefused

ROOT = Path(__file__).resolve().parents[2]
SOURCE = (ROOT / "processes" / "complaint_handling.bpmn").read_bytes()
# the diagrams it calls (special complaints, the return visit) and the decision tables it runs
CALLED = {p.name: p.read_bytes() for p in (ROOT / "processes").glob("*.bpmn") if p.name != "complaint_handling.bpmn"}
TABLES = {p.name: p.read_bytes() for p in (ROOT / "processes").glob("*.dmn")}


def bundle(source: bytes):
    return parse_bundle({"c.bpmn": source, **CALLED}, TABLES, process_id="complaint_handling")


NOW = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)


def engine():
    return Engine(
        functions={"now_iso": lambda: NOW.isoformat()},
        context_functions={
            "sla_due": lambda data, step, since=None: "2026-03-03T00:00:00+00:00",
            "sla_warn": lambda data, step, since=None: "2026-03-02T12:00:00+00:00",
            "live_intake": lambda data: False,
        },  # every instance here waits in receive
        now=lambda: NOW,
    )


def at_classify(eng):
    inst = eng.start(bundle(SOURCE), {"customer_name": "张三"})
    inst.complete(inst.ready_tasks()[0].id, {"customer_name": "张三"})
    assert [t.element_id for t in inst.ready_tasks()] == ["classify"]
    return inst


def test_a_renamed_task_migrates_with_its_id_data_and_deadlines():
    eng = engine()
    inst = at_classify(eng)
    before = {t.element_id: (t.task_id, t.due_at) for t in inst.waiting_timers()}
    renamed = bundle(SOURCE.replace('name="投诉分类"'.encode(), b'name="Classify"'))

    check = check_migration(inst, renamed)
    assert check.safe and check.changed == ["classify"] and check.timers_kept == ["classify_breach", "classify_warning"]
    assert [t.element_id for t in inst.ready_tasks()] == ["classify"]  # the dry run changed nothing

    moved, _ = migrate(inst, renamed)
    (task,) = moved.ready_tasks()
    assert (task.element_id, task.name, task.id) == ("classify", "Classify", inst.ready_tasks()[0].id)
    assert {t.element_id: (t.task_id, t.due_at) for t in moved.waiting_timers()} == before
    assert moved.data["customer_name"] == "张三"
    again = eng.load(renamed, moved.dump())
    again.complete(again.ready_tasks()[0].id, {"category": "network", "severity": "general", "special_type": "none"})
    assert [t.element_id for t in again.ready_tasks()] == ["register"]


def without_receive() -> bytes:
    """The diagram with the receive step taken out: the intake gateway before it leads to classify."""
    root = etree.fromstring(SOURCE)
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
    for xpath in (
        '//bpmn:userTask[@id="receive"]',
        '//bpmn:sequenceFlow[@id="flow_receive_to_classify"]',
        '//bpmn:flowNodeRef[text()="receive"]',
    ):
        for node in root.xpath(xpath, namespaces=ns):
            node.getparent().remove(node)
    root.xpath('//bpmn:sequenceFlow[@id="flow_gw_intake_to_receive"]', namespaces=ns)[0].set("targetRef", "classify")
    return etree.tostring(root)


def test_removing_a_task_the_instance_passed_through_is_refused():
    eng = engine()
    inst = at_classify(eng)
    smaller = bundle(without_receive())
    check = check_migration(inst, smaller)
    assert not check.safe and any("'receive'" in r and "completed" in r for r in check.reasons)
    try:
        migrate(inst, smaller)
    except MigrationRefused as refused:
        assert refused.reasons == check.reasons
    else:
        raise AssertionError("the migration should have been refused")
    fresh = eng.start(smaller, {})
    assert [t.element_id for t in fresh.ready_tasks()] == ["classify"]


def test_changing_the_type_of_the_waiting_task_is_refused():
    eng = engine()
    inst = at_classify(eng)
    manual = bundle(
        SOURCE.replace(b'<bpmn:userTask id="classify"', b'<bpmn:manualTask id="classify"').replace(
            b'</bpmn:userTask>\n    <bpmn:userTask id="register"',
            b'</bpmn:manualTask>\n    <bpmn:userTask id="register"',
        )
    )
    check = check_migration(inst, manual)
    assert not check.safe and "classify" in check.reasons[0] and "type" in check.reasons[0]
