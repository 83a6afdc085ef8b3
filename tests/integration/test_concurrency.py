"""Two completions of one task at the same moment leave exactly one (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

import pytest

from app.errors import Conflict
from app.services.accounts import users as accounts
from app.services.tasks import work as tasks

from .flow import ready_task, registration, scenario

pytestmark = pytest.mark.also_postgres


def test_concurrent_completions_leave_exactly_one(api, rt, deployed):
    sc = scenario("general_satisfied_first_reply")
    iid = api.post("agent", "/complaints", json=registration(sc)).get_json()["process_instance_id"]
    task = ready_task(api, iid, "receive", "agent")
    agent = accounts.authenticate(rt, "agent", "demo1234")
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt():
        barrier.wait()
        try:
            tasks.complete_task(rt, agent, task["id"], sc["steps"][0]["data"])
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["conflict", "ok"]
    events = api.get("manager", f"/process-instances/{iid}/events").get_json()["items"]
    assert [e["type"] for e in events].count("task.completed") == 1
    ready = api.get("manager", f"/process-instances/{iid}").get_json()["ready_tasks"]
    assert [t["element_id"] for t in ready].count("classify") == 1


def test_a_completion_waits_for_a_writer_holding_the_instance_and_then_answers_conflict(api, rt, deployed):
    """A timer batch locks the instance, then cancels the task its boundary timer interrupts. A completion of
    that task meanwhile must wait for the instance, not hold the task and deadlock (PostgreSQL aborted one
    of the two with a database error): it then finds the task gone and answers 409."""
    from sqlalchemy import text

    sc = scenario("general_satisfied_first_reply")
    iid = api.post("agent", "/complaints", json=registration(sc)).get_json()["process_instance_id"]
    task = ready_task(api, iid, "receive", "agent")
    agent = accounts.authenticate(rt, "agent", "demo1234")
    outcomes: list[str] = []

    def complete():
        try:
            tasks.complete_task(rt, agent, task["id"], sc["steps"][0]["data"])
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")
        except Exception as exc:  # noqa: BLE001 - what the test is about: a database error instead of 409
            outcomes.append(type(exc).__name__)

    with rt.db.write() as s:
        is_postgresql = s.get_bind().dialect.name == "postgresql"
        if not is_postgresql:
            pytest.skip("SQLite's one write lock serializes writers whole: no row locks to take in an order")
        s.execute(text("SELECT id FROM process_instance WHERE id = :iid FOR UPDATE"), {"iid": iid})
        worker = threading.Thread(target=complete)
        worker.start()
        worker.join(1.0)  # the completion reaches its locks and waits
        s.execute(text("UPDATE human_task SET state = 'cancelled' WHERE id = :t"), {"t": task["id"]})
    worker.join()
    assert outcomes == ["conflict"]
