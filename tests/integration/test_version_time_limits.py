"""A process owner's own time limit for a step, written in the diagram (slaLimit on its SLA timers):
checked at deploy naming the element, and counted by the instances of that version only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import Timer

from .flow import complete, registration, scenario
from .test_model_api import COMPLAINT, complaint_upload

pytestmark = pytest.mark.also_postgres

STEP = '<spiffworkflow:property name="slaStep" value="classify"/>'


def with_classify_limit(limit: str) -> bytes:
    """The complaint diagram with both classify timers counting `limit` instead of the policy's 1 hour."""
    text = COMPLAINT.decode("utf-8")
    assert text.count(STEP) >= 2
    head, sep, tail = text.partition('<bpmn:boundaryEvent id="classify_warning"')
    tail = tail.replace(STEP, STEP + f'<spiffworkflow:property name="slaLimit" value="{limit}"/>', 2)
    return (head + sep + tail).encode("utf-8")


def classify_timers(rt, instance_id: int) -> dict[str, object]:
    with rt.db.read() as s:
        rows = s.scalars(select(Timer).where(Timer.instance_id == instance_id, Timer.sla_step == "classify")).all()
        return {r.kind: r.due_at for r in rows}


def start(api) -> int:
    sc = scenario("general_satisfied_first_reply")
    r = api.post("agent", "/complaints", json=registration(sc))
    assert r.status_code == 201, r.get_json()
    instance = r.get_json()["process_instance_id"]
    assert complete(api, instance, "receive", "agent", sc["steps"][0]["data"]).status_code == 200
    return instance


def test_a_bad_time_limit_is_refused_naming_the_timer(api, deployed):
    r = api.post("owner", "/process-models/check", **complaint_upload(with_classify_limit("two hours")))
    body = r.get_json()
    assert body["ok"] is False
    bad = [p for p in body["problems"] if p["rule"] == "sla" and p["severity"] == "error"]
    assert {p["element_id"] for p in bad} == {"classify_warning", "classify_breach"}
    assert all("classify" in p["message"] and p["element_name"] for p in bad)
    r = api.post("owner", "/process-models", **complaint_upload(with_classify_limit("0 working_days")))
    assert r.status_code == 422


def test_the_deployed_versions_limit_counts_for_its_instances_only(api, deployed, rt, clock):
    before = start(api)
    r = api.post("owner", "/process-models", **complaint_upload(with_classify_limit("3 hours")))
    assert r.status_code == 201, r.get_json()
    after = start(api)
    old, new = classify_timers(rt, before), classify_timers(rt, after)
    assert old and new, "the classify timers are armed once the complaint is received"
    now = clock.now()
    # the policy's 1 hour for the instance of the old version, the diagram's 3 hours for the new one;
    # the warning keeps the policy's first threshold (half the budget)
    assert old["breach"] - now == timedelta(hours=1)
    assert new["breach"] - now == timedelta(hours=3)
    assert new["warning"] - now == timedelta(hours=1.5)
