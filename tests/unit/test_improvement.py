"""Improvement actions' pure rules: the status moves, the due clock, the evaluation windows, field checks."""

from datetime import date, datetime, timezone

from app.domain import improvement as imp


def test_status_moves_follow_the_lifecycle_and_end_states_stay():
    assert imp.may_move("open", "in_progress") and imp.may_move("in_progress", "done")
    assert imp.may_move("done", "evaluated") and imp.may_move("done", "in_progress")
    assert not imp.may_move("open", "done") and not imp.may_move("done", "cancelled")
    assert not any(imp.may_move(end, s) for end in ("evaluated", "cancelled") for s in imp.STATUSES)


def test_the_clock_is_due_at_the_end_of_the_local_day_and_warns_three_days_before():
    due, warn = imp.due_instants(date(2026, 3, 6))
    assert due == datetime(2026, 3, 6, 16, 0, tzinfo=timezone.utc)  # 03-07 00:00 in Shanghai
    assert (due - warn).days == imp.WARN_DAYS
    at = lambda d, h: datetime(2026, 3, d, h, tzinfo=timezone.utc)  # noqa: E731
    assert imp.clock_state("open", due, warn, at(2, 1)).state == "on_time"
    assert imp.clock_state("in_progress", due, warn, at(4, 1)).state == "due_soon"
    assert imp.clock_state("open", due, warn, at(6, 16)).state == "overdue"
    assert imp.clock_state("done", due, warn, at(9, 0)).state == "none"


def test_windows_are_the_same_length_before_the_start_and_after_the_end():
    (b0, b1), (a0, a1) = imp.evaluation_windows(date(2026, 3, 2), date(2026, 3, 5), 7)
    assert (b0, b1, a0, a1) == (date(2026, 2, 23), date(2026, 3, 1), date(2026, 3, 6), date(2026, 3, 12))


def test_bad_fields_are_each_named():
    _, errors = imp.check_fields(
        {"title": " ", "category": "weather", "owner_id": "x", "due_date": "2026-13-01", "window_days": 3},
        creating=True,
    )
    assert {e["field"] for e in errors} >= {"title", "category", "owner_id", "due_date", "window_days"}
    clean, errors = imp.check_fields({"complaints": "TS1, TS2 TS1", "progress": ""}, creating=False)
    assert errors == [] and clean == {"complaints": ["TS1", "TS2"], "progress": ""}
