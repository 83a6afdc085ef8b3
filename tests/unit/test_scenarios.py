"""Walk every scenario file with the engine alone, saving and restoring the state between every two steps."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from app.domain.calendar import WorkingCalendar
from app.domain.clock import FixedClock
from app.domain.groups import lane_groups
from app.domain.sla import SlaPolicy
from app.engine import parse_bundle
from app.services.process_models.forms import field_errors
from app.services.steps.projection import resolve_group
from tests.unit.engine_functions import make_engine

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = ROOT / "processes"
FORMS = ROOT / "forms"


def _scenarios():
    for path in sorted(PROCESSES.glob("*.scenarios.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for sc in doc["scenarios"]:
            yield pytest.param(doc["process"], sc, id=f"{path.stem.split('.')[0]}:{sc['name']}")


def _duration(text: str) -> timedelta:
    m = re.fullmatch(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?", text)
    assert m, f"unsupported duration {text}"
    d, h, mi, s = (int(x or 0) for x in m.groups())
    return timedelta(days=d, hours=h, minutes=mi, seconds=s)


@pytest.fixture(scope="module")
def bundles():
    files = {p.name: p.read_bytes() for p in PROCESSES.glob("*.bpmn")}
    tables = {p.name: p.read_bytes() for p in PROCESSES.glob("*.dmn")}  # business-rule tasks' decisions
    cache = {}

    def get(process_id):
        if process_id not in cache:
            cache[process_id] = parse_bundle(files, tables, process_id=process_id)
        return cache[process_id]

    return get


def _same_as_stock(inst) -> None:
    """The state we store is the JSON SpiffWorkflow's own converter writes (ours is faster, not different)."""
    from app.engine import serializer, state_text

    stock = serializer._STOCK.to_dict(inst._wf)
    stock[serializer._STOCK.VERSION_KEY] = serializer._STOCK.VERSION
    assert json.loads(state_text(inst.dump())) == json.loads(json.dumps(stock))


def _ready(inst, groups):
    return {(t.element_id, resolve_group(inst, t, groups)): t for t in inst.ready_tasks()}


@pytest.mark.parametrize(("process_id", "scenario"), list(_scenarios()))
def test_scenario(process_id, scenario, bundles):
    clock = FixedClock(datetime.fromisoformat(scenario.get("start_at", "2026-03-02T09:00:00+08:00")))
    policy = SlaPolicy.load(ROOT / "config" / "sla.toml")
    calendar = WorkingCalendar()

    engine = make_engine(policy, calendar, clock)
    bundle = bundles(process_id)
    groups = lane_groups()
    inst = engine.start(bundle, scenario.get("start_data", {}))
    visited = {s.element_id for s in inst.steps}

    for i, step in enumerate(scenario["steps"]):
        _same_as_stock(inst)
        inst = engine.load(bundle, inst.dump())  # every step runs on a freshly restored state
        if "advance" in step:
            clock.advance(_duration(step["advance"]))
            visited |= {s.element_id for s in inst.fire_timers()}
        else:
            ready = _ready(inst, groups)
            key = (step["task"], step.get("group"))
            assert key in ready, f"step {i}: {key} not ready; ready: {sorted(ready)}"
            task = ready[key]
            if task.form:
                schema = (FORMS / task.form).read_text(encoding="utf-8")
                assert field_errors(schema, step["data"]) == [], f"step {i}: data fails {task.form}"
            visited |= {s.element_id for s in inst.complete(task.id, step["data"])}
        for want in step.get("expect_ready", []):
            ready = _ready(engine.load(bundle, inst.dump()), groups)
            assert (want["task"], want.get("group")) in ready, (
                f"step {i}: expected {want} ready; ready: {sorted(ready)}"
            )

    _same_as_stock(inst)
    expect = scenario["expect"]
    assert inst.completed is expect["completed"]
    for key, value in expect.get("data", {}).items():
        assert inst.data.get(key) == value, key
    missing = set(expect.get("visited", [])) - visited
    assert not missing, f"never visited: {sorted(missing)}"
    wrong = set(expect.get("not_visited", [])) & visited
    assert not wrong, f"visited unexpectedly: {sorted(wrong)}"
