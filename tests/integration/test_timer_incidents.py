"""A failing instance is retried with back-off, becomes an incident after TIMER_MAX_ATTEMPTS, never
blocks the other timers, and a supervisor lists and retries it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import ProcessInstance, Timer
from app.services.process_models.deployment import deploy_model
from app.domain.actors import SYSTEM
from app.services.instances.store import start_instance
from app.services.sla.timers import fire_due_timers
from tests.conftest import ROOT, Api, make_app

pytestmark = pytest.mark.also_postgres


@pytest.fixture
def app2(db_url, clock, tmp_path):
    app = make_app(db_url, clock, tmp_path, TIMER_MAX_ATTEMPTS=2)
    yield app
    app.extensions["complaintflow"].db.dispose()


def test_a_failing_timer_backs_off_becomes_an_incident_and_is_retried(app2, clock):
    from app.demo.users import seed_demo_users

    rt = app2.extensions["complaintflow"]
    seed_demo_users(rt)
    api = Api(app2.test_client())
    deploy_model(rt, {"timer_wait.bpmn": (ROOT / "bench" / "timer_wait.bpmn").read_bytes()})
    due = (clock.now() + timedelta(minutes=1)).isoformat()
    broken = start_instance(rt, "timer_wait", {"due": due, "divisor": 0}, SYSTEM)
    healthy = [start_instance(rt, "timer_wait", {"due": due, "divisor": 4}, SYSTEM) for _ in range(2)]

    clock.advance(timedelta(minutes=2))
    assert fire_due_timers(rt) == 2  # the healthy ones fire; the broken one does not stop them
    with rt.db.read() as s:
        assert {i: st for i, st in s.execute(select(ProcessInstance.id, ProcessInstance.status))} == {
            broken: "running",
            healthy[0]: "completed",
            healthy[1]: "completed",
        }
        row = s.scalars(select(Timer).where(Timer.instance_id == broken)).one()
    assert row.status == "waiting" and row.attempts == 1 and "ZeroDivisionError" in row.last_error
    assert row.next_attempt_at == clock.now() + timedelta(seconds=2)
    assert fire_due_timers(rt) == 0  # backing off: not claimed again yet

    clock.advance(timedelta(seconds=3))
    assert fire_due_timers(rt) == 0
    assert api.get("agent", "/incidents").status_code == 403
    items = api.get("supervisor", "/incidents").get_json()["items"]
    assert [(i["instance_id"], i["attempts"], i["status"]) for i in items] == [(broken, 2, "incident")]
    clock.advance(timedelta(hours=1))
    assert fire_due_timers(rt) == 0  # an incident waits for a person

    r = api.post("supervisor", f"/incidents/{items[0]['id']}/retry")
    assert r.status_code == 200 and r.get_json()["status"] == "waiting"
    assert api.post("supervisor", f"/incidents/{items[0]['id']}/retry").status_code == 404
    assert fire_due_timers(rt) == 0  # still broken: counted again from 1
    with rt.db.read() as s:
        assert s.scalars(select(Timer.attempts).where(Timer.instance_id == broken)).one() == 1
    types = [e["type"] for e in api.get("manager", f"/process-instances/{broken}/events").get_json()["items"]]
    assert types.count("timer.incident") == 1 and "timer.retried" in types
