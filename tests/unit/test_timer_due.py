"""The engine seam re-sets a waiting timer's due instant; the engine fires it at the new time only."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from app.domain.clock import FixedClock
from app.engine import Engine, TaskNotReady, parse_bundle

BPMN = (Path(__file__).resolve().parents[2] / "bench" / "timer_wait.bpmn").read_bytes()
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)


def test_a_moved_timer_fires_at_its_new_due_time_and_survives_save_and_load():
    clock = FixedClock(T0)
    engine = Engine(now=clock.now)
    bundle = parse_bundle({"timer_wait.bpmn": BPMN})
    inst = engine.start(bundle, {"due": (T0 + timedelta(hours=1)).isoformat(), "divisor": 2})
    [timer] = inst.waiting_timers()
    assert timer.due_at == T0 + timedelta(hours=1)

    inst.set_timer_due(timer.task_id, T0 + timedelta(hours=3))
    inst = engine.load(bundle, inst.dump())
    assert inst.waiting_timers()[0].due_at == T0 + timedelta(hours=3)
    clock.set(T0 + timedelta(hours=2))
    assert inst.fire_timers() == [] and not inst.completed  # the old due time passed: nothing
    clock.set(T0 + timedelta(hours=3, seconds=1))
    assert [s.element_id for s in inst.fire_timers()][:2] == ["wait", "compute"]
    assert inst.completed and inst.data["result"] == 50


def test_only_a_waiting_timer_can_be_moved():
    engine = Engine(now=FixedClock(T0).now)
    inst = engine.start(parse_bundle({"timer_wait.bpmn": BPMN}), {"due": T0.isoformat(), "divisor": 1})
    with pytest.raises(TaskNotReady):
        inst.set_timer_due("00000000-0000-0000-0000-000000000000", T0)


def test_the_same_object_shows_a_moved_timer_at_once():
    """Ready tasks and timers are remembered between changes (one walk of the tree); a move is a change."""
    engine = Engine(now=FixedClock(T0).now)
    bundle = parse_bundle({"timer_wait.bpmn": BPMN})
    inst = engine.start(bundle, {"due": (T0 + timedelta(hours=1)).isoformat(), "divisor": 2})
    [timer] = inst.waiting_timers()
    inst.set_timer_due(timer.task_id, T0 + timedelta(hours=5))
    assert [t.due_at for t in inst.waiting_timers()] == [T0 + timedelta(hours=5)]


def test_a_model_without_timer_events_is_known_to_wait_on_none():
    eight = (Path(__file__).resolve().parents[2] / "bench" / "eight_tasks.bpmn").read_bytes()
    assert parse_bundle({"timer_wait.bpmn": BPMN}).has_timers
    plain = parse_bundle({"eight_tasks.bpmn": eight})
    assert not plain.has_timers
    inst = Engine().start(plain, {})
    assert inst.waiting_timers() == [] and len(inst.ready_tasks()) == 1
