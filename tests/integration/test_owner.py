"""首问负责制: the agent who registers a complaint owns it, the agents' later steps go to that agent's
inbox (no other agent may work them), and a supervisor hands it over with a reason."""

from __future__ import annotations

from .flow import complete, registration, scenario


def _tasks(api, user, iid):
    return {t["element_id"]: t for t in api.get(user, f"/tasks?process_instance_id={iid}").get_json()["items"]}


def _walk_to_track(api, sc):
    created = api.post("agent", "/complaints", json=registration(sc)).get_json()
    iid = created["process_instance_id"]
    for step in sc["steps"][:5]:
        group = step["group"]
        assert complete(api, iid, step["task"], group, step["data"]).status_code == 200, step["task"]
    return created["id"], iid


def test_the_registering_agent_owns_the_complaint_and_its_later_agent_steps(app, deployed, api):
    sc = scenario("general_satisfied_first_reply")
    cid, iid = _walk_to_track(api, sc)
    complaint = api.get("manager", f"/complaints/{cid}").get_json()
    track = _tasks(api, "agent", iid)["track"]
    assert complaint["owner_id"] is not None
    assert track["assignee_id"] == complaint["owner_id"]  # straight to the owner's inbox
    other = api.post("agent2", f"/tasks/{track['id']}/complete", json={"data": sc["steps"][5]["data"]})
    assert other.status_code in (403, 404, 409)  # another agent cannot work the owner's step


def test_a_supervisor_hands_the_complaint_over_with_a_reason(app, deployed, api):
    sc = scenario("general_satisfied_first_reply")
    cid, iid = _walk_to_track(api, sc)
    refused = api.post("supervisor", f"/complaints/{cid}/owner", json={"to_user": "agent2", "reason": ""})
    assert refused.status_code == 422 and refused.get_json()["errors"][0]["field"] == "reason"
    not_an_agent = api.post("supervisor", f"/complaints/{cid}/owner", json={"to_user": "network", "reason": "休假"})
    assert not_an_agent.status_code == 422 and not_an_agent.get_json()["errors"][0]["field"] == "to_user"
    assert (
        api.post("agent", f"/complaints/{cid}/owner", json={"to_user": "agent2", "reason": "休假"}).status_code == 403
    )

    r = api.post("supervisor", f"/complaints/{cid}/owner", json={"to_user": "agent2", "reason": "王芳休假，由陈静跟进"})
    assert r.status_code == 200, r.get_json()
    new_owner = r.get_json()["owner_id"]
    assert api.get("manager", f"/complaints/{cid}").get_json()["owner_id"] == new_owner
    track = _tasks(api, "agent2", iid)["track"]
    assert track["assignee_id"] == new_owner
    assert (
        api.post("agent2", f"/tasks/{track['id']}/complete", json={"data": sc["steps"][5]["data"]}).status_code == 200
    )
    assert _tasks(api, "agent2", iid)["feedback"]["assignee_id"] == new_owner  # later steps follow the new owner
    events = api.get("manager", f"/process-instances/{iid}/events").get_json()["items"]
    changed = [e for e in events if e["type"] == "complaint.owner_changed"]
    assert changed and changed[0]["reason"] == "王芳休假，由陈静跟进"


def test_an_unattended_complaint_is_owned_by_the_agent_who_first_works_it(app, deployed, api):
    from app.services.complaints.register import record_complaint
    from app.services.complaints.public_channel import PUBLIC

    sc = scenario("general_satisfied_first_reply")
    rt = app.extensions["complaintflow"]
    created = record_complaint(rt, PUBLIC, registration(sc) | {"channel": "online"})  # as the customer page files it
    cid, iid = created["id"], created["process_instance_id"]
    assert api.get("manager", f"/complaints/{cid}").get_json()["owner_id"] is None
    assert complete(api, iid, "receive", "agent", sc["steps"][0]["data"]).status_code == 200
    owner = api.get("manager", f"/complaints/{cid}").get_json()["owner_id"]
    assert owner is not None and _tasks(api, "agent", iid)["classify"]["assignee_id"] == owner
