"""Helpers to drive a complaint through the API as the right demo users."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The demo user who works each candidate group's tasks.
USER_FOR_GROUP = {
    "agent": "agent",
    "dispatcher": "dispatcher",
    "handler_network": "network",
    "handler_billing": "billing",
    "handler_product": "product",
    "handler_hall": "hall",
    "handler_aftersales": "aftersales",
    "handler_security": "security",
    "handler_antifraud": "antifraud",
    "handler_care": "care",
    "supervisor": "supervisor",
    "director": "director",
}


def scenario(name: str, process: str = "complaint_handling") -> dict:
    doc = json.loads((ROOT / "processes" / f"{process}.scenarios.json").read_text(encoding="utf-8"))
    return next(s for s in doc["scenarios"] if s["name"] == name)


def registration(sc: dict) -> dict:
    """The registration body: a live intake's whole record, else the receive step's data."""
    first = sc["steps"][0]
    if first.get("task") != "receive":  # taken on the one intake screen: its steps begin after registration
        return dict(sc["start_data"])
    return {k: v for k, v in first["data"].items()}


def ready_task(api, instance_id: int, element_id: str, group: str) -> dict:
    user = USER_FOR_GROUP[group]
    r = api.get(user, f"/tasks?process_instance_id={instance_id}")
    assert r.status_code == 200, r.get_json()
    found = [t for t in r.get_json()["items"] if t["element_id"] == element_id]
    assert found, f"{element_id} not ready for {user}: {[t['element_id'] for t in r.get_json()['items']]}"
    assert found[0]["candidate_group"] == group
    return found[0]


def complete(api, instance_id: int, element_id: str, group: str, data: dict):
    task = ready_task(api, instance_id, element_id, group)
    return api.post(USER_FOR_GROUP[group], f"/tasks/{task['id']}/complete", json={"data": data})
