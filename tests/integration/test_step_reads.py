"""What a step reads inside its write transaction: the projection's one read, the answer built from it, the
audit chain's head it carries (steps/projection.py, steps/write.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.domain.actors import Actor, Viewer
from app.models import AuditEvent
from app.services.accounts.users import create_user
from app.services.audit.log import AuditLog, verify_chain
from app.services.instances.store import describe_instance, start_instance
from app.services.process_models.deployment import deploy_model
from app.services.steps import write as step_write
from app.services.tasks.work import complete_task
from tests.diagrams import Node, build, form

pytestmark = pytest.mark.also_postgres

# start -> a -> split -> (b, c) -> join -> d -> end: completing a readies two tasks at once, completing b
# leaves c ready (a row the answer did not just insert), completing c readies d.
FORK = build(
    "fork",
    [
        Node("startEvent", "start", "开始", at=(0, 0)),
        Node("userTask", "a", "受理", form("note.json"), at=(1, 0)),
        Node("parallelGateway", "split", "", at=(2, 0)),
        Node("userTask", "b", "核查", form("note.json"), at=(3, 0)),
        Node("userTask", "c", "联系用户", form("note.json"), at=(3, 1)),
        Node("parallelGateway", "join", "", at=(4, 0)),
        Node("userTask", "d", "回复", form("note.json"), at=(5, 0)),
        Node("endEvent", "end", "结束", at=(6, 0)),
    ],
    [
        ("f1", "start", "a"),
        ("f2", "a", "split"),
        ("f3", "split", "b"),
        ("f4", "split", "c"),
        ("f5", "b", "join"),
        ("f6", "c", "join"),
        ("f7", "join", "d"),
        ("f8", "d", "end"),
    ],
)
NOTE = b'{"type": "object", "properties": {"note": {"type": "string"}}}'


def _setup(rt) -> Viewer:
    uid = create_user(rt, "worker", "worker-password", "Worker", ["agent"])
    deploy_model(rt, {"fork.bpmn": FORK}, {"note.json": NOTE}, user_id=uid)
    return Viewer(uid, "worker", frozenset({"agent"}))


def _ready(rt, instance_id: int) -> list[dict]:
    return describe_instance(rt, instance_id)["ready_tasks"]


def test_a_completions_answer_lists_the_ready_tasks_exactly_as_a_fresh_read_does(rt):
    viewer = _setup(rt)
    iid = start_instance(rt, "fork", {}, Actor(viewer.id, viewer.name))
    (a,) = _ready(rt, iid)
    after_a = complete_task(rt, viewer, a["id"], {"note": "受理"})["next_tasks"]
    assert {t["element_id"] for t in after_a} == {"b", "c"}
    assert after_a == _ready(rt, iid)  # two new rows, in the database's order, every field as read
    b = next(t for t in after_a if t["element_id"] == "b")
    after_b = complete_task(rt, viewer, b["id"], {"note": "核查"})["next_tasks"]
    assert [t["element_id"] for t in after_b] == ["c"] and after_b == _ready(rt, iid)  # a row kept, not inserted
    after_c = complete_task(rt, viewer, after_b[0]["id"], {"note": "联系"})["next_tasks"]
    assert [t["element_id"] for t in after_c] == ["d"] and after_c == _ready(rt, iid)
    with rt.db.read() as s:
        assert verify_chain(s, iid).ok


def test_an_event_appended_after_the_projection_read_the_head_keeps_the_chain_whole(rt, monkeypatch):
    """The projection reads the chain's head with the timers and tasks; an append between that read and the
    step's own events (here in a released savepoint, which leaves no head known to the transaction) must make
    the step read the head again, not link its events to the stale one."""
    viewer = _setup(rt)
    iid = start_instance(rt, "fork", {}, Actor(viewer.id, viewer.name))
    (a,) = _ready(rt, iid)
    record = step_write.print_log.record

    def record_and_append(s, rt_, instance_id, printed, now):
        record(s, rt_, instance_id, printed, now)
        with s.begin_nested():
            AuditLog(s, instance_id).append("test.between", at=now, actor="test")

    monkeypatch.setattr(step_write.print_log, "record", record_and_append)
    complete_task(rt, viewer, a["id"], {"note": "受理"})
    with rt.db.read() as s:
        types = list(s.scalars(select(AuditEvent.type).where(AuditEvent.instance_id == iid).order_by(AuditEvent.seq)))
        assert types == ["instance.started", "test.between", "task.completed"]
        assert verify_chain(s, iid).ok
