"""A missing holiday schedule warns the people who keep the calendar; it never makes a host unready."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

import pytest

from app.domain.clock import FixedClock
from tests.conftest import make_app

from .web_client import Web

# The day this was written: 2027's State Council notice is not packaged, and not entered here.
DECEMBER_2026 = datetime(2026, 12, 7, 1, 0, tzinfo=timezone.utc)


@pytest.fixture
def december(db_url, tmp_path):
    app = make_app(db_url, FixedClock(DECEMBER_2026), tmp_path)
    from app.demo.users import seed_demo_users

    seed_demo_users(app.extensions["complaintflow"])
    yield app
    app.extensions["complaintflow"].db.dispose()


def test_readiness_ignores_a_missing_calendar_year(december):
    client = december.test_client()
    r = client.get("/readyz")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["status"] == "ready" and body["reasons"] == []
    assert set(body["checks"]) == {"database", "migrations"}


def test_the_missing_year_shows_on_metrics_and_in_the_status_api(december):
    client = december.test_client()
    metrics = client.get("/metrics").get_data(as_text=True)
    assert "complaintflow_calendar_years_needing_schedule 1.0" in metrics
    assert 'complaintflow_provisional_deadlines{kind="task"} 0.0' in metrics
    token = client.post("/api/v1/auth/token", json={"username": "agent", "password": "demo1234"}).get_json()["token"]
    status = client.get("/api/v1/calendar/status", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert status["ok"] is False and status["needs_schedule"] == [2027]
    assert status["provisional"] == {"tasks": 0, "timers": 0, "complaints": 0}
    assert "2027" in status["action"] and "/calendar" in status["action"]


def test_owners_and_supervisors_see_the_banner_agents_do_not(december):
    web = Web(december)
    for user in ("owner", "supervisor"):
        page = web.login(user).text("/")
        assert 'data-testid="calendar-warning"' in page and "2027 年的国务院节假日安排尚未录入" in page
    assert 'data-testid="calendar-warning"' not in web.login("agent").text("/")


def test_a_process_logs_the_missing_year_once_at_start(december, caplog):
    from app.ops import log_start

    with caplog.at_level(logging.WARNING, logger="complaintflow.start"):
        log_start(december)
    [line] = [r.getMessage() for r in caplog.records if r.name == "complaintflow.start"]
    assert "2027" in line and "/calendar" in line


def test_nothing_warns_once_both_years_are_official(db_url, tmp_path, caplog):
    from app.ops import log_start

    app = make_app(db_url, FixedClock(datetime(2025, 6, 2, 1, 0, tzinfo=timezone.utc)), tmp_path)
    try:
        with caplog.at_level(logging.WARNING, logger="complaintflow.start"):
            log_start(app)
        assert not [r for r in caplog.records if r.name == "complaintflow.start"]
        assert "complaintflow_calendar_years_needing_schedule 0.0" in app.test_client().get("/metrics").get_data(
            as_text=True
        )
    finally:
        app.extensions["complaintflow"].db.dispose()


def test_only_owners_recompute_and_the_answer_says_what_moved(december):
    from tests.conftest import Api

    api = Api(december.test_client())
    assert api.post("agent", "/calendar/recompute").status_code == 403
    r = api.post("owner", "/calendar/recompute")
    assert r.status_code == 200
    assert r.get_json() == {
        "instances": 0,
        "complaints": 0,
        "timers": 0,
        "timers_moved": 0,
        "deadlines_moved": 0,
        "still_provisional": 0,
    }
