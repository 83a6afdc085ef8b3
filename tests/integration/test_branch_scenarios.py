"""Every branch's scenario file walked through the API as the demo users (the unit tests walk the engine alone)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ROOT

from .branch_walk import walk

BRANCH_FILES = (
    "special_outage",
    "special_privacy",
    "special_fraud",
    "special_care",
    "compensation_approval",
    "return_visit",
    "appeal_handling",
)


def _cases():
    for name in BRANCH_FILES:
        doc = json.loads((ROOT / "processes" / f"{name}.scenarios.json").read_text(encoding="utf-8"))
        for sc in doc["scenarios"]:
            yield pytest.param(doc["process"], sc, id=f"{name}:{sc['name']}")


@pytest.fixture
def outage(api, deployed):
    """The incident the outage scenarios name (GZ20260302001: the first incident of the clock's day)."""
    r = api.post(
        "network",
        "/outages",
        json={
            "title": "望京光缆中断",
            "area": "望京西园",
            "service": "broadband",
            "started_at": "2026-03-01T22:00:00+08:00",
        },
    )
    assert r.status_code == 201 and r.get_json()["number"] == "GZ20260302001", r.get_json()
    return r.get_json()


@pytest.mark.parametrize(("process", "sc"), list(_cases()))
def test_branch_scenario_through_the_api(process, sc, api, rt, clock, deployed, outage):
    iid = walk(api, rt, clock, process, sc)
    inst = api.get("manager", f"/process-instances/{iid}").get_json()
    assert (inst["status"] == "completed") is sc["expect"]["completed"], inst["ready_tasks"]
    visited = {
        e["element_id"]
        for e in api.get("manager", f"/process-instances/{iid}/events").get_json()["items"]
        if e["type"] == "task.completed"
    }
    user_tasks = {s["task"] for s in sc["steps"] if "task" in s}
    assert user_tasks <= visited
