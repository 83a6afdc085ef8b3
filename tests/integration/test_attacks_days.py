"""Attacks with days at the edge of the calendar in query strings: a 4xx naming the field, never a 500."""

from __future__ import annotations

import pytest

from tests.integration.web_client import Web

EDGES = ["9999-12-31", "0001-01-01", "1999-12-31", "2100-01-01"]


@pytest.mark.parametrize("day", EDGES)
def test_the_access_log_refuses_days_outside_the_reports_years(app, api, day):
    # 9999-12-31 + the day after "to" overflowed: a 500 on the page and the API.
    r = api.get("manager", f"/access-log?to={day}")
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "to"
    page = Web(app).login("manager").get(f"/reports/access-log?from={day}&to={day}")
    assert page.status_code in (200, 422)


@pytest.mark.parametrize("day", EDGES)
def test_period_topics_refuse_days_outside_the_reports_years(app, demo_users, day):
    r = Web(app).login("manager").get(f"/text/topics?to={day}")
    assert r.status_code == 422, r.status_code


def test_days_inside_the_reports_years_still_work(app, api):
    assert api.get("manager", "/access-log?from=2026-03-01&to=2099-12-31").status_code == 200


@pytest.mark.parametrize("path", ["/reports", "/reports/team"])
@pytest.mark.parametrize("day", EDGES)
def test_report_pages_refuse_days_outside_the_reports_years(app, demo_users, path, day):
    # to=0001-01-01 minus the default 30 days overflowed: a 500.
    app.config["PROPAGATE_EXCEPTIONS"] = False
    web = Web(app).login("manager")
    assert web.get(f"{path}?to={day}").status_code < 500
    assert web.get(f"{path}?from={day}").status_code < 500


def test_the_dashboard_api_names_the_day_it_refuses(api):
    r = api.get("manager", "/reports/dashboard?to=0001-01-01")
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "to"
