"""SLA timers end to end: a complaint left untouched past its classify limit warns, escalates to the
supervisor, and on a second breach to the director; every step is in the audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import Timer
from app.services.sla.timers import fire_due_timers
from tests.conftest import ROOT, make_app

from .flow import complete, registration, scenario

pytestmark = pytest.mark.also_postgres


@pytest.fixture
def fast_app(db_url, clock, tmp_path):
    """The app with the policy in seconds (classify 2 s, supervise 8 s)."""
    app = make_app(db_url, clock, tmp_path, SLA_POLICY=str(ROOT / "config" / "sla-seconds.toml"))
    yield app
    app.extensions["complaintflow"].db.dispose()


@pytest.fixture
def fast(fast_app, deployed):
    from ..conftest import Api

    return fast_app.extensions["complaintflow"], Api(fast_app.test_client())


def _events(api, iid):
    return api.get("manager", f"/process-instances/{iid}/events").get_json()["items"]


def _tasks(api, user, iid):
    return {t["element_id"]: t for t in api.get(user, f"/tasks?process_instance_id={iid}").get_json()["items"]}


def test_untouched_complaint_warns_then_escalates_to_supervisor_then_director(fast, clock):
    rt, api = fast
    sc = scenario("general_satisfied_first_reply")
    created = api.post("agent", "/complaints", json=registration(sc)).get_json()
    iid = created["process_instance_id"]
    assert complete(api, iid, "receive", "agent", sc["steps"][0]["data"]).status_code == 200
    classify = _tasks(api, "agent", iid)["classify"]
    assert classify["sla_state"] == "on_time" and classify["seconds_left"] == 2
    assert fire_due_timers(rt) == 0  # nothing is due yet

    clock.advance(timedelta(seconds=1.5))  # past the 50% warning (1 s), before the breach (2 s)
    assert fire_due_timers(rt) == 1
    assert _tasks(api, "agent", iid)["classify"]["sla_state"] == "warning"
    warning = [e for e in _events(api, iid) if e["type"] == "sla.warning"]
    assert [(e["element_id"], e["data_after"]["step"], e["actor"]) for e in warning] == [
        ("classify_warning", "classify", "scheduler")
    ]
    assert fire_due_timers(rt) == 0  # fired once, never again

    clock.advance(timedelta(seconds=1))  # 2.5 s: the classify limit is breached
    assert fire_due_timers(rt) == 1
    supervise = _tasks(api, "supervisor", iid)["classify_supervise"]
    assert supervise["candidate_group"] == "supervisor" and supervise["sla_state"] == "on_time"
    assert _tasks(api, "agent", iid)["classify"]["sla_state"] == "breached"
    events = _events(api, iid)
    types = [e["type"] for e in events]
    assert types.index("sla.warning") < types.index("sla.breached") < types.index("sla.escalated")
    ready = [e for e in events if e["type"] == "task.ready" and e["element_id"] == "classify_supervise"]
    assert ready and ready[0]["data_after"]["candidate_group"] == "supervisor"
    escalated = next(e for e in events if e["type"] == "sla.escalated")
    assert escalated["data_after"]["to_group"] == "supervisor" and escalated["data_after"]["step"] == "classify"

    clock.advance(timedelta(seconds=9))  # the supervisor's own limit (8 s) passes too
    assert fire_due_timers(rt) == 1
    escalate = _tasks(api, "director", iid)["classify_escalate"]
    assert escalate["candidate_group"] == "director"
    breaches = [e["element_id"] for e in _events(api, iid) if e["type"] == "sla.breached"]
    assert breaches == ["classify_breach", "classify_supervise_breach"]
    with rt.db.read() as s:
        fired = s.scalar(
            select(func.count()).select_from(Timer).where(Timer.instance_id == iid, Timer.status == "fired")
        )
    assert fired == 3


def test_what_came_due_while_no_process_ticked_fires_at_the_next_tick(fast, clock):
    rt, api = fast
    sc = scenario("general_satisfied_first_reply")
    iids = []
    for _ in range(3):
        iid = api.post("agent", "/complaints", json=registration(sc)).get_json()["process_instance_id"]
        complete(api, iid, "receive", "agent", sc["steps"][0]["data"])
        iids.append(iid)
    clock.advance(timedelta(hours=1))  # everything was down for an hour
    # One tick, in batches of 2, fires every instance's warning and breach; the supervisor's clock
    # starts when the breach fires, so its own breach is not due yet.
    assert fire_due_timers(rt, batch=2) == 3 * 2
    assert all("classify_supervise" in _tasks(api, "supervisor", iid) for iid in iids)
    clock.advance(timedelta(hours=1))
    assert fire_due_timers(rt, batch=2) == 3
    assert all("classify_escalate" in _tasks(api, "director", iid) for iid in iids)
