"""Walk a scenario (processes/*.scenarios.json) through the API as the demo users, the clock moved for timers."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from app.services.notifications.outbox import send_due
from app.services.sla.timers import fire_due_timers

from .flow import USER_FOR_GROUP, ready_task, registration

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # the evidence store types files by their first bytes


def duration(text: str) -> timedelta:
    m = re.fullmatch(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?", text)
    d, h, mi, s = (int(x or 0) for x in m.groups())
    return timedelta(days=d, hours=h, minutes=mi, seconds=s)


def upload(api, user: str, name: str = "proof.png") -> str:
    r = api.post(user, "/evidence", data={"file": (io.BytesIO(PNG), name)}, content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    return r.get_json()["items"][0]["id"]


def start(api, clock, process: str, sc: dict) -> int:
    """Register the complaint (or the appeal) the scenario starts with; return its process instance id."""
    if process == "appeal_handling":
        body = {k: v for k, v in sc["start_data"].items() if k not in ("priority", "department")}
        # the regulator's rule: the same matter complained of before, and not answered within 15 days
        earlier = {
            "customer_name": body["customer_name"],
            "customer_phone": body["customer_phone"],
            "channel": "phone",
            "matter": body["matter"],
        }
        now = clock.now()
        clock.advance(timedelta(days=-20))
        try:
            assert api.post("agent", "/complaints", json=earlier).status_code == 201
        finally:
            clock.set(now)
            api._tokens.clear()  # a token signed in the past has expired by now: sign in again
        body.pop("complaint_number", None)
        r = api.post("agent", "/appeals", json=body)
        assert r.status_code == 201 and r.get_json()["admissible"], r.get_json()
        return r.get_json()["process_instance_id"]
    r = api.post("agent", "/complaints", json=registration(sc))
    assert r.status_code == 201, r.get_json()
    return r.get_json()["process_instance_id"]


def walk(api, rt, clock, process: str, sc: dict) -> int:
    """Every step of the scenario through the API; returns the instance id."""
    iid = start(api, clock, process, sc)
    for i, step in enumerate(sc["steps"]):
        if "advance" in step:
            clock.advance(duration(step["advance"]))
            fire_due_timers(rt)
            api._tokens.clear()  # a long move outlives the API tokens: sign in again
        else:
            data = dict(step["data"])
            if "withdrawal_proof" in data:  # the proof must really be uploaded
                data["withdrawal_proof"] = [upload(api, USER_FOR_GROUP[step["group"]])]
            task = ready_task(api, iid, step["task"], step["group"])
            r = api.post(USER_FOR_GROUP[step["group"]], f"/tasks/{task['id']}/complete", json={"data": data})
            assert r.status_code == 200, (i, step["task"], r.get_json())
        for want in step.get("expect_ready", []):
            ready_task(api, iid, want["task"], want["group"])
    send_due(rt)
    return iid
