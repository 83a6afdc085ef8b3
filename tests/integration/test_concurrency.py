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
