"""Every step's clock starts at the manual's event (seed 000 ch. 4), not when the step is reached.

The diagram stamps the events (registration, classification, solution) into the task data and
binds each timer to one: classify ≤ 1 h after registration, dispatch ≤ 2 h after classification,
the reply ≤ 1 working day after the solution. Fixed clocks only.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from app.domain.calendar import WorkingCalendar
from app.domain.clock import FixedClock
from app.domain.sla import SlaPolicy
from app.engine import parse_bundle
from tests.unit.engine_functions import make_engine

ROOT = Path(__file__).resolve().parents[2]
CST = "+08:00"


@pytest.fixture(scope="module")
def bundle():
    files = {p.name: p.read_bytes() for p in (ROOT / "processes").glob("*.bpmn")}
    tables = {p.name: p.read_bytes() for p in (ROOT / "processes").glob("*.dmn")}
    return parse_bundle(files, tables, process_id="complaint_handling")


@pytest.fixture(scope="module")
def steps():
    """The submitted data of each step of the plain phone scenario."""
    doc = json.loads((ROOT / "processes" / "complaint_handling.scenarios.json").read_text(encoding="utf-8"))
    sc = next(s for s in doc["scenarios"] if s["name"] == "general_satisfied_first_reply")
    return sc["start_data"], {s["task"]: s["data"] for s in sc["steps"]}


def _engine(clock):
    return make_engine(SlaPolicy.load(ROOT / "config" / "sla.toml"), WorkingCalendar(), clock)


def _at(text):
    return datetime.fromisoformat(text + CST)


def _complete(engine, bundle, inst, clock, element_id, data, at):
    clock.set(_at(at))
    inst = engine.load(bundle, inst.dump())
    task = next(t for t in inst.ready_tasks() if t.element_id == element_id)
    inst.complete(task.id, data)
    return inst


def _breach_due(inst, element_id, step):
    due = [
        t.due_at
        for t in inst.waiting_timers()
        if t.attached_to == element_id
        and t.properties.get("slaKind") == "breach"
        and t.properties.get("slaStep") == step
    ]
    assert due, f"no breach timer of {step} on {element_id}"
    return due[0]


def _ready(inst):
    return {t.element_id for t in inst.ready_tasks()}


def test_classify_is_due_one_hour_after_registration_not_after_receipt(bundle, steps):
    start_data, data = steps
    clock = FixedClock(_at("2026-11-02T09:00:00"))
    engine = _engine(clock)
    inst = engine.start(bundle, start_data)  # registered 09:00
    received = _complete(engine, bundle, inst, clock, "receive", data["receive"], "2026-11-02T09:30:00")
    assert _breach_due(received, "classify", "classify") == _at("2026-11-02T10:00:00")
    # Received at 11:00 the step is already an hour late: the breach (督办) is raised at once.
    late = _complete(engine, bundle, inst, clock, "receive", data["receive"], "2026-11-02T11:00:00")
    assert {"classify", "classify_supervise"} <= _ready(late)


def test_dispatch_is_due_two_hours_after_classification_not_after_registration(bundle, steps):
    start_data, data = steps
    clock = FixedClock(_at("2026-11-02T09:00:00"))
    engine = _engine(clock)
    inst = engine.start(bundle, start_data)
    inst = _complete(engine, bundle, inst, clock, "receive", data["receive"], "2026-11-02T09:10:00")
    classified = _complete(engine, bundle, inst, clock, "classify", data["classify"], "2026-11-02T11:30:00")
    registered = _complete(engine, bundle, classified, clock, "register", data["register"], "2026-11-02T12:30:00")
    assert _breach_due(registered, "dispatch", "dispatch") == _at("2026-11-02T13:30:00")
    # Registered at 14:30, the dispatch is already overdue (13:30): supervision starts at once.
    late = _complete(engine, bundle, classified, clock, "register", data["register"], "2026-11-02T14:30:00")
    assert {"dispatch", "dispatch_supervise"} <= _ready(late)


def test_reply_is_due_one_working_day_after_the_solution(bundle, steps):
    start_data, data = steps
    clock = FixedClock(_at("2026-10-30T09:00:00"))
    engine = _engine(clock)
    inst = engine.start(bundle, start_data)
    for element_id, at in (
        ("receive", "2026-10-30T09:05:00"),
        ("classify", "2026-10-30T09:10:00"),
        ("register", "2026-10-30T09:20:00"),
        ("dispatch", "2026-10-30T10:00:00"),
        ("handle", "2026-11-02T09:00:00"),  # the solution: Monday 09:00
        ("track", "2026-11-02T17:00:00"),
    ):  # handling ends the same evening
        inst = _complete(engine, bundle, inst, clock, element_id, data[element_id], at)
    # The reply runs from the solution (Tuesday 09:00); feedback from the end of handling.
    assert _breach_due(inst, "feedback", "reply") == _at("2026-11-03T09:00:00")
    assert _breach_due(inst, "feedback", "feedback") == _at("2026-11-03T17:00:00")


def test_an_unattended_complaint_waits_in_receipt_on_a_clock_from_arrival(bundle, steps):
    start_data, _ = steps
    clock = FixedClock(_at("2026-11-02T23:00:00"))  # an online complaint at night
    inst = _engine(clock).start(bundle, {**start_data, "channel": "online"})
    assert _breach_due(inst, "receive", "receive") == _at("2026-11-03T01:00:00")


def _breached_classify(bundle, steps):
    start_data, data = steps
    clock = FixedClock(_at("2026-11-02T09:00:00"))
    engine = _engine(clock)
    inst = engine.start(bundle, start_data)
    inst = _complete(engine, bundle, inst, clock, "receive", data["receive"], "2026-11-02T09:05:00")
    clock.set(_at("2026-11-02T10:30:00"))
    inst.fire_timers()
    assert {"classify", "classify_supervise"} <= _ready(inst)
    return engine, inst, clock


def test_a_fired_breach_rearmed_fires_again_into_a_new_supervision(bundle, steps):
    engine, inst, clock = _breached_classify(bundle, steps)
    sup = next(t for t in inst.ready_tasks() if t.element_id == "classify_supervise")
    inst.complete(sup.id, {"supervise_action": "extend", "supervise_note": "准予延期"})
    assert inst.rearm_sla_timers("classify", "classify", {"breach": _at("2026-11-02T12:00:00")}) == {
        "classify_breach": "rearmed"
    }
    inst = engine.load(bundle, inst.dump())
    assert _breach_due(inst, "classify", "classify") == _at("2026-11-02T12:00:00")
    clock.set(_at("2026-11-02T12:01:00"))
    assert "classify_breach" in {s.element_id for s in inst.fire_timers()}
    assert {"classify", "classify_supervise"} <= _ready(inst)


def test_a_rearmed_timer_is_cancelled_when_the_step_is_done(bundle, steps):
    engine, inst, clock = _breached_classify(bundle, steps)
    inst.rearm_sla_timers("classify", "classify", {"breach": _at("2026-11-02T12:00:00")})
    classify = next(t for t in inst.ready_tasks() if t.element_id == "classify")
    inst.complete(classify.id, steps[1]["classify"])
    assert not [t for t in inst.waiting_timers() if t.attached_to == "classify"]
    assert "register" in _ready(inst)


def test_a_promised_date_that_passes_escalates_to_a_supervisor(bundle, steps):
    start_data, data = steps
    clock = FixedClock(_at("2026-11-02T09:00:00"))
    engine = _engine(clock)
    inst = engine.start(bundle, start_data)
    for element_id, at in (
        ("receive", "2026-11-02T09:05:00"),
        ("classify", "2026-11-02T09:10:00"),
        ("register", "2026-11-02T09:20:00"),
        ("dispatch", "2026-11-02T10:00:00"),
    ):
        inst = _complete(engine, bundle, inst, clock, element_id, data[element_id], at)
    promised = data["handle"] | {"promised_date": "2026-11-04"}  # a complex case: solved by Wednesday
    inst = _complete(engine, bundle, inst, clock, "handle", promised, "2026-11-02T16:00:00")
    due = [t for t in inst.waiting_timers() if t.attached_to == "track" and t.properties.get("slaStep") == "promise"]
    assert {t.properties["slaKind"]: t.due_at for t in due} == {
        "breach": _at("2026-11-05T00:00:00"),
        "warning": _at("2026-11-04T09:00:00"),
    }
    clock.set(_at("2026-11-04T10:00:00"))
    inst.fire_timers()
    assert "track_promise_supervise" not in _ready(inst)  # warned, not yet broken
    clock.set(_at("2026-11-05T00:00:01"))
    fired = {s.element_id for s in inst.fire_timers()}
    assert "track_promise_breach" in fired
    assert {"track", "track_promise_supervise"} <= _ready(inst)


def test_without_a_promise_the_legal_reply_limit_is_the_commitment(bundle, steps):
    start_data, data = steps
    clock = FixedClock(_at("2026-11-02T09:00:00"))
    engine = _engine(clock)
    inst = engine.start(bundle, start_data)
    for element_id, at in (
        ("receive", "2026-11-02T09:05:00"),
        ("classify", "2026-11-02T09:10:00"),
        ("register", "2026-11-02T09:20:00"),
        ("dispatch", "2026-11-02T10:00:00"),
        ("handle", "2026-11-02T16:00:00"),
    ):
        inst = _complete(engine, bundle, inst, clock, element_id, data[element_id], at)
    breach = _breach_due(inst, "track", "promise")
    assert breach == _at("2026-11-18T00:00:00")  # 15 日 after registration, Civil Code counting, 24:00
