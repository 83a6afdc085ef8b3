"""Figures decided per complaint: breached-now by step adds up; a rate with nothing to measure is not 0%."""

from __future__ import annotations

from datetime import datetime, timezone

from app.domain.metrics import breached_by_step, rate


def at(hour: int) -> datetime:
    return datetime(2026, 3, 2, hour, tzinfo=timezone.utc)


def test_breached_now_by_step_adds_up_to_breached_now():
    overdue = [
        (1, "handle", "投诉处理", at(3)),
        (2, "classify", "投诉分类", at(1)),
        (3, "handle", "投诉处理", at(5)),
        (3, "track", "投诉跟踪", at(2)),
    ]  # two parallel steps overdue: once
    rows = breached_by_step(overdue, breached=4)  # complaint 4: only its 15-day reply clock is past due
    assert [(r["element_id"], r["count"]) for r in rows] == [
        ("classify", 1),
        ("complaint_clock", 1),
        ("handle", 1),
        ("track", 1),
    ]
    assert sum(r["count"] for r in rows) == 4
    assert breached_by_step([], 0) == []


def test_a_rate_without_anything_to_measure_is_none():
    assert rate(0, 0) is None and rate(0, 3) == 0.0 and rate(2, 3) == 0.6667


def test_first_contact_resolution_needs_one_round_and_nothing_passed_on():
    from app.domain.metrics import first_contact_resolved

    assert first_contact_resolved(True, 1)
    assert not first_contact_resolved(False, 1)  # still open
    assert not first_contact_resolved(True, 0)  # closed with no handling (a fraud report passed to the police)
    assert not first_contact_resolved(True, 2)  # reopened after an unsatisfied return visit
    assert not first_contact_resolved(True, 1, transfers=1)  # 转派
    assert not first_contact_resolved(True, 1, returns=1)  # 退单
