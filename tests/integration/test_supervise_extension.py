"""督办 延期 acts: a step breaches, the supervisor extends it in the 督办 task, the step's deadline and
its timers move, the breach clears, a new breach escalates again, and the history shows it.
Policy in seconds (classify 2 s, supervise 8 s)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import HumanTask, Timer
from app.services.sla.timers import fire_due_timers
from tests.conftest import ROOT, make_app

from .flow import complete, registration, scenario


@pytest.fixture
def fast(db_url, clock, tmp_path, deployed):
    from ..conftest import Api

    app = make_app(db_url, clock, tmp_path, SLA_POLICY=str(ROOT / "config" / "sla-seconds.toml"))
    rt = app.extensions["complaintflow"]
    yield rt, Api(app.test_client())
    rt.db.dispose()


def _tasks(api, user, iid):
    return {t["element_id"]: t for t in api.get(user, f"/tasks?process_instance_id={iid}").get_json()["items"]}


def _breached_classify(rt, api, clock):
    sc = scenario("general_satisfied_first_reply")
    iid = api.post("agent", "/complaints", json=registration(sc)).get_json()["process_instance_id"]
    assert complete(api, iid, "receive", "agent", sc["steps"][0]["data"]).status_code == 200
    clock.advance(timedelta(seconds=2.5))  # past classify's 2 s from registration
    fire_due_timers(rt)
    assert _tasks(api, "agent", iid)["classify"]["sla_state"] == "breached"
    return iid, _tasks(api, "supervisor", iid)["classify_supervise"]


def _extend(api, task, until, note="客户补充材料，准予延期。"):
    return api.post(
        "supervisor",
        f"/tasks/{task['id']}/complete",
        json={
            "data": {"supervise_action": "extend", "supervise_note": note, "supervise_extend_until": until.isoformat()}
        },
    )


def test_extension_in_the_supervise_task_moves_the_deadline_and_clears_the_breach(fast, clock):
    rt, api = fast
    iid, supervise = _breached_classify(rt, api, clock)
    until = clock.now() + timedelta(seconds=10)

    assert _extend(api, supervise, until).status_code == 200

    classify = _tasks(api, "agent", iid)["classify"]
    assert classify["sla_state"] == "on_time"
    assert classify["seconds_left"] == 10
    with rt.db.read() as s:
        waiting = s.scalars(
            select(Timer).where(Timer.instance_id == iid, Timer.attached_to == "classify", Timer.status == "waiting")
        ).all()
        row = s.scalars(select(HumanTask).where(HumanTask.instance_id == iid, HumanTask.element_id == "classify")).one()
    kinds = {t.kind: t.due_at for t in waiting}
    assert kinds["breach"] == until
    assert until - timedelta(seconds=2) < kinds["warning"] < until  # the same lead as before (1 s)
    assert row.due_at == until

    events = api.get("manager", f"/process-instances/{iid}/events").get_json()["items"]
    extended = [e for e in events if e["type"] == "sla.extended"]
    assert len(extended) == 1
    assert extended[0]["element_id"] == "classify" and extended[0]["reason"] == "客户补充材料，准予延期。"
    assert extended[0]["data_after"]["due_at"] == until.isoformat()

    # Past the new deadline the step breaches again and is supervised again.
    clock.advance(timedelta(seconds=11))
    fire_due_timers(rt)
    assert _tasks(api, "agent", iid)["classify"]["sla_state"] == "breached"
    assert "classify_supervise" in _tasks(api, "supervisor", iid)


def test_an_extension_into_the_past_is_refused_naming_the_field_and_loses_nothing(fast, clock):
    rt, api = fast
    iid, supervise = _breached_classify(rt, api, clock)
    r = _extend(api, supervise, clock.now() - timedelta(seconds=1))
    assert r.status_code == 422
    assert "supervise_extend_until" in str(r.get_json())
    assert "classify_supervise" in _tasks(api, "supervisor", iid)
    assert _tasks(api, "agent", iid)["classify"]["sla_state"] == "breached"
