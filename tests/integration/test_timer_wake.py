"""The timers' job runs at the earliest due instant, notices a nearer timer within a poll, and leaves
rows backing off to the periodic sweep (the injectable clock, no sleeping)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.domain.actors import SYSTEM
from app.models import ProcessInstance, Timer
from app.scheduler.wake import PAST_DUE_SECONDS, TimerWake, seconds_to_wait
from app.services.instances.store import start_instance
from app.services.process_models.deployment import deploy_model
from tests.conftest import ROOT

pytestmark = pytest.mark.also_postgres

POLL, SWEEP = 0.25, 1.0


@pytest.fixture
def waiting(rt, clock):
    deploy_model(rt, {"timer_wait.bpmn": (ROOT / "bench" / "timer_wait.bpmn").read_bytes()})

    def start(after: timedelta, divisor: int = 4) -> int:
        return start_instance(rt, "timer_wait", {"due": (clock.now() + after).isoformat(), "divisor": divisor}, SYSTEM)

    return start


def _status(rt, instance_id: int) -> str:
    with rt.db.read() as s:
        return s.scalar(select(ProcessInstance.status).where(ProcessInstance.id == instance_id))


def test_the_next_run_is_at_the_earliest_due_instant_and_fires_it(rt, clock, waiting):
    soon = waiting(timedelta(milliseconds=100))
    later = waiting(timedelta(minutes=10))
    wake = TimerWake(rt, poll=POLL, sweep=SWEEP)

    assert wake.run() == pytest.approx(0.1 + PAST_DUE_SECONDS)  # not a whole tick, not a poll
    assert _status(rt, soon) == "running"

    clock.advance(timedelta(seconds=0.1 + PAST_DUE_SECONDS))
    assert wake.run() == POLL  # the next one is ten minutes away: look again within a poll
    assert _status(rt, soon) == "completed"
    assert _status(rt, later) == "running"


def test_a_timer_armed_nearer_than_the_planned_run_is_noticed_within_a_poll(rt, clock, waiting):
    waiting(timedelta(minutes=10))
    wake = TimerWake(rt, poll=POLL, sweep=SWEEP)
    assert wake.run() == POLL

    # Another process (or a request) arms a timer due in 50 ms; this one looks again within a poll.
    clock.advance(timedelta(seconds=0.1))
    nearer = waiting(timedelta(milliseconds=50))
    assert wake.run() == pytest.approx(0.05 + PAST_DUE_SECONDS)
    clock.advance(timedelta(seconds=0.05 + PAST_DUE_SECONDS))
    wake.run()
    assert _status(rt, nearer) == "completed"


def test_each_timer_fires_once_whichever_process_wakes_for_it(rt, clock, waiting):
    due = waiting(timedelta(milliseconds=100))
    first, second = TimerWake(rt, poll=POLL, sweep=SWEEP), TimerWake(rt, poll=POLL, sweep=SWEEP)
    first.run(), second.run()
    clock.advance(timedelta(seconds=0.2))
    first.run(), second.run()
    with rt.db.read() as s:
        assert s.scalars(select(Timer.status).where(Timer.instance_id == due)).all() == ["fired"]
        version = s.scalar(select(ProcessInstance.version).where(ProcessInstance.id == due))
    assert version == 2  # saved once after its start


def test_a_timer_backing_off_waits_for_the_sweep_instead_of_being_retried_at_once(rt, clock, waiting):
    broken = waiting(timedelta(milliseconds=100), divisor=0)
    wake = TimerWake(rt, poll=POLL, sweep=SWEEP)
    wake.run()
    clock.advance(timedelta(seconds=0.2))
    wake.run()  # fires, fails: back-off of 2 s
    with rt.db.read() as s:
        row = s.scalars(select(Timer).where(Timer.instance_id == broken)).one()
    assert row.attempts == 1 and row.next_attempt_at == clock.now() + timedelta(seconds=2)

    clock.advance(timedelta(seconds=0.5))
    assert wake.run() == POLL  # nothing due for the waking: no retry loop on the failing row
    clock.advance(timedelta(seconds=2))
    wake.run()  # a sweep: the back-off is over, it is retried
    with rt.db.read() as s:
        assert s.scalar(select(Timer.attempts).where(Timer.instance_id == broken)) == 2


def test_waiting_is_capped_at_a_poll_and_never_spins_on_rows_another_process_holds(clock):
    now = clock.now()
    assert seconds_to_wait(now, None, POLL, just_fired=False) == POLL
    assert seconds_to_wait(now, now + timedelta(hours=1), POLL, just_fired=False) == POLL
    assert seconds_to_wait(now, now + timedelta(seconds=0.1), POLL, just_fired=False) == pytest.approx(0.102)
    assert seconds_to_wait(now, now - timedelta(seconds=1), POLL, just_fired=False) == 0.0
    assert 0 < seconds_to_wait(now, now - timedelta(seconds=1), POLL, just_fired=True) < POLL
