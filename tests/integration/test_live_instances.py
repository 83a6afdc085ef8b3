"""Engine objects kept between requests (services/runtime/live_instances.py) never stand in for a newer state."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.services.accounts.users import create_user
from app.services.process_models.deployment import deploy_model
from app.domain.actors import Actor
from app.services.instances.store import load_instance, start_instance
from app.services.runtime.live_instances import LiveInstances
from app.domain.actors import Viewer
from app.services.tasks.work import complete_task
from tests.conftest import make_app

pytestmark = pytest.mark.also_postgres

MODEL = Path(__file__).resolve().parents[2] / "bench" / "eight_tasks.bpmn"


def _setup(rt):
    uid = create_user(rt, "worker", "worker-password", "Worker", ["agent"])
    deploy_model(rt, {MODEL.name: MODEL.read_bytes()}, user_id=uid)
    return Viewer(uid, "worker", frozenset({"agent"}))


def _ready_id(rt, instance_id: int) -> str:
    with rt.db.read() as s:
        from sqlalchemy import select

        from app.models import HumanTask

        return s.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance_id, HumanTask.state == "ready"))


def test_a_step_saved_by_another_host_is_never_overwritten_by_a_kept_object(rt, db_url, clock, tmp_path):
    viewer = _setup(rt)
    instance_id = start_instance(rt, "eight_tasks", {}, Actor(viewer.id, viewer.name))
    complete_task(rt, viewer, _ready_id(rt, instance_id), {"step": 1})
    assert len(rt.live) == 1  # this host keeps the object it saved

    other = make_app(db_url, clock, tmp_path / "other").extensions["complaintflow"]  # a second host
    try:
        complete_task(other, viewer, _ready_id(other, instance_id), {"step": 2, "by": "other host"})
    finally:
        other.db.dispose()

    # This host's kept object still shows step 2 ready; the row says step 3: the row wins.
    third = complete_task(rt, viewer, _ready_id(rt, instance_id), {"step": 3})
    assert [t["element_id"] for t in third["next_tasks"]] == ["step_4"]
    data = load_instance(rt, instance_id).inst.data
    assert data["step"] == 3 and data["by"] == "other host"


def test_a_kept_object_is_taken_once_and_only_for_its_exact_state():
    cache = LiveInstances(size=2)

    class Obj:
        def forget_steps(self):
            self.forgot = True

    a, b, c = Obj(), Obj(), Obj()
    cache.keep(1, b"state-1", a)
    assert cache.take(1, b"another state") is None  # a different state: dropped, not returned
    assert cache.take(1, b"state-1") is None  # and gone
    cache.keep(1, b"state-1", a)
    assert cache.take(1, b"state-1") is a and a.forgot  # owned by the taker from now on
    assert cache.take(1, b"state-1") is None
    cache.keep(1, b"s1", a), cache.keep(2, b"s2", b), cache.keep(3, b"s3", c)
    assert len(cache) == 2 and cache.take(1, b"s1") is None  # the least recently saved went first
