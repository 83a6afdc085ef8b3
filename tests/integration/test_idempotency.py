"""Idempotency keys: a retried POST answers what the first one did, once; a reused key with another body is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from app.models import AuditEvent, Complaint, ProcessInstance
from app.models.idempotency import IdempotencyKey

from .flow import ready_task, registration, scenario

pytestmark = pytest.mark.also_postgres


def _post(api, user, path, key, **kw):
    return api.client.post(f"/api/v1{path}", headers={**api.headers(user), "Idempotency-Key": key}, **kw)


def _complaints(rt) -> int:
    with rt.db.read() as s:
        return s.scalar(select(func.count()).select_from(Complaint))


def test_a_retried_registration_creates_one_complaint(api, rt, deployed):
    body = registration(scenario("general_satisfied_first_reply"))
    first = _post(api, "agent", "/complaints", "reg-1", json=body)
    again = _post(api, "agent", "/complaints", "reg-1", json=body)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert _complaints(rt) == 1
    other = _post(api, "agent", "/complaints", "reg-2", json=body)  # a new key is a new complaint
    assert other.status_code == 201 and other.get_json()["id"] != first.get_json()["id"]
    assert _complaints(rt) == 2


def test_the_same_key_with_another_body_is_refused(api, rt, deployed):
    body = registration(scenario("general_satisfied_first_reply"))
    assert _post(api, "agent", "/complaints", "k", json=body).status_code == 201
    changed = _post(api, "agent", "/complaints", "k", json=body | {"customer_name": "另一个人"})
    assert changed.status_code == 422 and changed.mimetype == "application/problem+json"
    assert changed.get_json()["errors"][0]["field"] == "Idempotency-Key"
    bad = _post(api, "agent", "/complaints", "has space", json=body)
    assert bad.status_code == 422
    assert _complaints(rt) == 1


def test_a_retried_completion_completes_once(api, rt, deployed):
    sc = scenario("general_satisfied_first_reply")
    iid = api.post("agent", "/complaints", json=registration(sc)).get_json()["process_instance_id"]
    task = ready_task(api, iid, "receive", "agent")
    data = {"data": sc["steps"][0]["data"]}
    first = _post(api, "agent", f"/tasks/{task['id']}/complete", "c-1", json=data)
    again = _post(api, "agent", f"/tasks/{task['id']}/complete", "c-1", json=data)
    assert first.status_code == again.status_code == 200
    assert again.get_json() == first.get_json()
    without_key = api.post("agent", f"/tasks/{task['id']}/complete", json=data)
    assert without_key.status_code == 409  # no key: the plain answer for a task already done
    with rt.db.read() as s:
        done = s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.type == "task.completed", AuditEvent.task_id == task["id"])
        )
    assert done == 1


def test_an_answer_lost_after_the_commit_is_rebuilt(api, rt, deployed):
    """The process or the database went away between the effect and storing its answer."""
    body = registration(scenario("general_satisfied_first_reply"))
    first = _post(api, "agent", "/complaints", "lost", json=body).get_json()
    with rt.db.write() as s:
        s.execute(update(IdempotencyKey).values(status_code=None, response=None))
    again = _post(api, "agent", "/complaints", "lost", json=body)
    assert again.status_code == 201 and again.get_json()["id"] == first["id"]
    assert again.get_json()["number"] == first["number"] and _complaints(rt) == 1


def test_a_started_instance_whose_answer_was_lost_is_answered_again(api, rt, deployed):
    """The instance row is written in plain SQL: the key still remembers which instance it made."""
    body = {"process_id": "complaint_handling", "data": {}}
    first = _post(api, "agent", "/process-instances", "start-lost", json=body).get_json()
    with rt.db.write() as s:
        s.execute(update(IdempotencyKey).values(status_code=None, response=None))
    again = _post(api, "agent", "/process-instances", "start-lost", json=body)
    assert again.status_code == 201 and again.get_json()["id"] == first["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    with rt.db.read() as s:
        assert s.scalar(select(func.count()).select_from(ProcessInstance)) == 1


def test_a_concurrent_twin_loses_on_the_key_and_answers_the_first(api, rt, deployed, monkeypatch):
    from app.services.steps import idempotency

    body = registration(scenario("general_satisfied_first_reply"))
    first = _post(api, "agent", "/complaints", "twin", json=body).get_json()
    real = idempotency.lookup
    calls = []

    def racing(rt_, user_id, key):  # the twin started before the first one committed
        calls.append(key)
        return None if len(calls) == 1 else real(rt_, user_id, key)

    monkeypatch.setattr(idempotency, "lookup", racing)
    twin = _post(api, "agent", "/complaints", "twin", json=body)
    assert twin.status_code == 201 and twin.get_json()["id"] == first["id"]
    assert _complaints(rt) == 1  # the twin's own complaint rolled back with its key


def test_keys_belong_to_their_user(api, rt, deployed):
    body = registration(scenario("general_satisfied_first_reply"))
    assert _post(api, "agent", "/complaints", "shared", json=body).status_code == 201
    other = _post(api, "agent2", "/process-instances", "shared", json={"process_id": "complaint_handling", "data": {}})
    assert other.status_code == 201 and "Idempotent-Replayed" not in other.headers
