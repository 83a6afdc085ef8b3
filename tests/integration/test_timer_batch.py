"""A batch of timers fired with its rows read once: every chain verifies, every projection follows the
state, an instance whose write fails is the only one set aside, and a savepoint rolled back never
leaves a stale chain head behind."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.domain.actors import SYSTEM
from app.models import AuditEvent, ProcessInstance, Timer
from app.services.audit.log import AuditLog, verify_chain
from app.services.instances.store import start_instance
from app.services.process_models.deployment import deploy_model
from app.services.sla.timers import fire_due_timers
from app.services.steps import branch_effects
from tests.conftest import ROOT

pytestmark = pytest.mark.also_postgres


@pytest.fixture
def waiting(rt, clock):
    deploy_model(rt, {"timer_wait.bpmn": (ROOT / "bench" / "timer_wait.bpmn").read_bytes()})
    due = (clock.now() + timedelta(minutes=1)).isoformat()
    return [start_instance(rt, "timer_wait", {"due": due, "divisor": 4}, SYSTEM) for _ in range(5)]


def _events(rt, instance_id: int) -> list[str]:
    with rt.db.read() as s:
        q = select(AuditEvent.type).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.seq)
        return list(s.scalars(q))


def test_one_batch_fires_every_instance_with_its_chain_and_projection_intact(rt, clock, waiting):
    clock.advance(timedelta(minutes=2))
    assert fire_due_timers(rt, batch=50) == 5
    with rt.db.read() as s:
        for iid in waiting:
            assert verify_chain(s, iid).ok
            inst = s.get(ProcessInstance, iid)
            assert inst is not None and (inst.status, inst.version) == ("completed", 2)
            assert s.scalars(select(Timer.status).where(Timer.instance_id == iid)).all() == ["fired"]
    started = _events(rt, waiting[0])[: -len(["timer.fired", "engine.step", "instance.completed"])]
    assert _events(rt, waiting[0]) == [*started, "timer.fired", "engine.step", "instance.completed"]


def break_effects_of(monkeypatch, broken: int) -> None:
    """Make the branch effects of one instance raise: its write fails after its engine ran."""
    apply = branch_effects.apply

    def failing(s, rt_, instance_id, *args):
        if instance_id == broken:
            raise RuntimeError("an effect failed")
        return apply(s, rt_, instance_id, *args)

    monkeypatch.setattr(branch_effects, "apply", failing)


def test_an_instance_whose_write_fails_is_set_aside_alone(rt, clock, waiting, monkeypatch):
    broken = waiting[2]
    break_effects_of(monkeypatch, broken)
    clock.advance(timedelta(minutes=2))
    assert fire_due_timers(rt, batch=50) == 4
    with rt.db.read() as s:
        statuses = {i: st for i, st in s.execute(select(ProcessInstance.id, ProcessInstance.status))}
        assert [statuses[i] for i in waiting] == ["completed", "completed", "running", "completed", "completed"]
        row = s.scalars(select(Timer).where(Timer.instance_id == broken)).one()
        assert (row.status, row.attempts) == ("waiting", 1) and "an effect failed" in (row.last_error or "")
        assert all(verify_chain(s, iid).ok for iid in waiting)
    assert "timer.fired" not in _events(rt, broken)


def test_a_savepoint_rolled_back_leaves_no_stale_chain_head(rt, waiting, clock):
    iid = waiting[0]
    with rt.db.write() as s:
        AuditLog(s, iid).append("note.kept", at=clock.now(), actor="tester")
        try:
            with s.begin_nested():
                AuditLog(s, iid).append("note.undone", at=clock.now(), actor="tester")
                raise RuntimeError("undo")
        except RuntimeError:
            pass
        AuditLog(s, iid).append("note.after", at=clock.now(), actor="tester")
    assert _events(rt, iid)[-2:] == ["note.kept", "note.after"]
    with rt.db.read() as s:
        assert verify_chain(s, iid).ok


LOOKUPS: list[str] = []


def count_lookup(rt, phone):
    """The BSS adapter of this test: counts the calls that reach it."""
    LOOKUPS.append(phone)
    return {"found": True, "phone": phone, "level": "gold"}


CALLS_OUT = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
<bpmn:process id="wait_then_ask" isExecutable="true">
  <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
  <bpmn:intermediateCatchEvent id="wait" name="wait until due"><bpmn:incoming>f1</bpmn:incoming>
    <bpmn:outgoing>f2</bpmn:outgoing>
    <bpmn:timerEventDefinition><bpmn:timeDate xsi:type="bpmn:tFormalExpression">due</bpmn:timeDate>
    </bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
  <bpmn:serviceTask id="lookup" name="Ask the BSS"><bpmn:extensionElements>
    <spiffworkflow:serviceTaskOperator id="customer/lookup" resultVariable="customer">
      <spiffworkflow:parameters><spiffworkflow:parameter id="phone" type="str" value="phone" /></spiffworkflow:parameters>
    </spiffworkflow:serviceTaskOperator></bpmn:extensionElements>
    <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:serviceTask>
  <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
  <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="lookup" />
  <bpmn:sequenceFlow id="f3" sourceRef="lookup" targetRef="end" />
</bpmn:process></bpmn:definitions>"""


@pytest.fixture
def calling_rt(db_url, clock, tmp_path):
    from tests.conftest import make_app

    config = tmp_path / "connectors.toml"
    config.write_text(
        f'[http]\nallowed_hosts = []\n[retry]\nattempts = 1\nbackoff_seconds = 0\n[customer]\nadapter = "{__name__}:count_lookup"\n',
        encoding="utf-8",
    )
    LOOKUPS.clear()
    app = make_app(db_url, clock, tmp_path, CONNECTORS_CONFIG=str(config))
    yield app.extensions["complaintflow"]
    app.extensions["complaintflow"].db.dispose()


def test_a_connector_after_a_timer_is_called_once_when_another_instance_of_the_batch_fails(
    calling_rt, clock, monkeypatch
):
    rt = calling_rt
    deploy_model(rt, {"timer_wait.bpmn": (ROOT / "bench" / "timer_wait.bpmn").read_bytes()})
    deploy_model(rt, {"wait_then_ask.bpmn": CALLS_OUT})
    due = (clock.now() + timedelta(minutes=1)).isoformat()
    # The asking instance is claimed first: its engine runs before the broken instance's write fails.
    asking = start_instance(rt, "wait_then_ask", {"due": due, "phone": "13800000001"}, SYSTEM)
    pure = [start_instance(rt, "timer_wait", {"due": due, "divisor": 4}, SYSTEM) for _ in range(3)]
    break_effects_of(monkeypatch, pure[1])
    clock.advance(timedelta(minutes=2))
    assert fire_due_timers(rt, batch=50) == 3
    # The batch's writes rolled back for the broken instance and were fired again one by one; the instance
    # that called the BSS was not run a second time (an HTTP call cannot be rolled back).
    assert LOOKUPS == ["13800000001"]
    with rt.db.read() as s:
        statuses = dict(s.execute(select(ProcessInstance.id, ProcessInstance.status)).all())
        assert [statuses[i] for i in [*pure, asking]] == ["completed", "running", "completed", "completed"]
        assert all(verify_chain(s, iid).ok for iid in [*pure, asking])
