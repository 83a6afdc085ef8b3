"""Every dashboard figure and the regulator's view, against the hand-counted data set of report_data.py."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.domain.duration_bands import band_of, upper_seconds
from app.errors import Forbidden
from app.services.reporting import dashboard as reports, regulator
from app.domain.actors import Viewer

from . import report_data

pytestmark = pytest.mark.also_postgres

MANAGER = Viewer(1, "manager", frozenset({"manager"}))
PERIOD = reports.ReportFilter(date(2026, 2, 23), date(2026, 3, 1))


@pytest.fixture
def data(rt):
    return report_data.load(rt)


def by_value(rows):
    return {r["value"]: r["count"] for r in rows}


def test_volume_by_day_and_week_with_the_trend(rt, data):
    d = reports.dashboard(rt, MANAGER, PERIOD)
    days = {r["day"]: r["count"] for r in d["volume"]["by_day"]}
    assert days == {
        "2026-02-23": 1,
        "2026-02-24": 2,
        "2026-02-25": 0,
        "2026-02-26": 1,
        "2026-02-27": 0,
        "2026-02-28": 0,
        "2026-03-01": 1,
    }
    assert d["volume"]["total"] == 5
    # trailing 7-day average: day 1 = 1/1, day 2 = 3/2, ..., day 7 = 5/7
    trend = [r["trend"] for r in d["volume"]["by_day"]]
    assert trend[0] == 1.0 and trend[1] == 1.5 and trend[-1] == round(5 / 7, 2)
    assert d["volume"]["by_week"] == [{"week_start": "2026-02-23", "count": 5}]
    # least squares over (0,1),(1,2),(2,0),(3,1),(4,0),(5,0),(6,1): sum((x-3)y) = -3-4+0+0+0+0+3 = -4,
    # sum((x-3)^2) = 28, slope = -4/28
    assert d["volume"]["slope_per_day"] == round(-4 / 28, 4)


def test_distributions_by_category_channel_severity_department(rt, data):
    d = reports.dashboard(rt, MANAGER, PERIOD)
    assert by_value(d["by_category"]) == {"network": 3, "billing": 1, "service": 1}
    assert by_value(d["by_channel"]) == {"phone": 2, "online": 1, "hall": 1, "social": 1}
    assert by_value(d["by_severity"]) == {"general": 4, "major": 1}
    assert by_value(d["by_department"]) == {"network": 2, "billing": 1, "hall": 1, None: 1}


def test_on_time_rate_and_durations_per_step(rt, data):
    steps = {s["element_id"]: s for s in reports.dashboard(rt, MANAGER, PERIOD)["steps"]}
    assert set(steps) == {"classify", "dispatch", "handle", "feedback"}  # ready tasks are not counted
    assert (steps["classify"]["completed"], steps["classify"]["on_time"], steps["classify"]["on_time_rate"]) == (
        2,
        1,
        0.5,
    )
    assert steps["classify"]["avg_seconds"] == 3600.0  # (1800 + 5400) / 2
    # p90: rank ceil(0.9 * 2) = 2, i.e. 5400 s, shown as the upper bound of its duration band:
    # band ceil(8 * log2(5400)) = 100, bound 2^(100/8) = 5792.6 s (never below the exact figure, at most 9.05 % above)
    assert steps["classify"]["p90_seconds"] == 5792.6 == round(upper_seconds(band_of(timedelta(seconds=5400))), 1)
    assert (steps["handle"]["completed"], steps["handle"]["on_time_rate"]) == (3, 1.0)
    assert steps["handle"]["avg_seconds"] == 60000.0  # (86400 + 7200 + 86400) / 3
    assert steps["handle"]["p90_seconds"] == 92681.9  # rank 3 of (7200, 86400, 86400): 86400 s, band 132 = 2^16.5 s
    assert steps["dispatch"]["avg_seconds"] == 1800.0 and steps["feedback"]["avg_seconds"] == 79200.0
    assert steps["handle"]["name"] == "投诉处理"


def test_resolution_first_contact_resolution_and_satisfaction(rt, data):
    d = reports.dashboard(rt, MANAGER, PERIOD)
    # C1 closed satisfied (confirmed); C2 closed while the customer stayed unsatisfied (closed on a stated reason)
    assert d["resolution"] == {
        "registered": 5,
        "closed": 2,
        "rate": 0.4,
        "solved_confirmed": 1,
        "closed_with_reason": 1,
    }
    assert d["first_contact_resolution"] == {"closed": 2, "resolved_first_time": 1, "rate": 0.5}  # C2 handled twice
    assert d["satisfaction"] == {"answered": 2, "satisfied": 1, "basically_satisfied": 0, "unsatisfied": 1, "rate": 0.5}


def test_repeat_complaints_within_the_configured_window(rt, data, tmp_path):
    d = reports.dashboard(rt, MANAGER, PERIOD)
    # C3 follows C1 by a day, C2 follows C6 by 14 days; C4 follows C7 by 56 days (outside 30)
    assert d["repeat"] == {"window_days": 30, "total": 5, "repeats": 2, "rate": 0.4}
    short = tmp_path / "flow.toml"  # the one repeat window, config/flow.toml [repeat] window_days
    short.write_text("[repeat]\nwindow_days = 10\n", encoding="utf-8")
    rt.settings["FLOW_CONFIG"] = str(short)
    vars(rt).pop("_flow_rules", None)
    assert reports.dashboard(rt, MANAGER, PERIOD)["repeat"] == {
        "window_days": 10,
        "total": 5,
        "repeats": 1,
        "rate": 0.2,
    }


def test_breached_paused_and_backlog_now(rt, data):
    d = reports.dashboard(rt, MANAGER, PERIOD)
    assert d["now"]["open"] == 3
    assert d["now"]["breached"] == 2  # C3 (handle) and C5 (classify); C4 is suspended
    assert d["now"]["paused"] == 1
    assert {r["element_id"]: r["count"] for r in d["now"]["breached_by_step"]} == {"handle": 1, "classify": 1}
    ages = {r["bucket"]: r["count"] for r in d["backlog_by_age"]}
    assert ages == {"lt1d": 1, "1to3d": 0, "3to7d": 2, "7to15d": 0, "ge15d": 0}


def test_filters_by_category_and_department(rt, data):
    network = reports.dashboard(rt, MANAGER, reports.ReportFilter(PERIOD.date_from, PERIOD.date_to, category="network"))
    assert network["volume"]["total"] == 3
    assert network["now"] == {
        "open": 2,
        "breached": 2,
        "paused": 0,
        "breached_by_step": network["now"]["breached_by_step"],
    }
    assert network["repeat"]["repeats"] == 1
    billing = reports.dashboard(
        rt, MANAGER, reports.ReportFilter(PERIOD.date_from, PERIOD.date_to, department="billing")
    )
    assert billing["volume"]["total"] == 1 and billing["first_contact_resolution"]["rate"] == 0.0


def test_the_regulators_view_per_million_subscribers_and_the_reply_limit(rt, data):
    view = regulator.regulator_view(rt, MANAGER, "2026-Q1", "2026-Q1")
    q1 = view["quarters"][0]
    assert q1["quarter"] == "2026-Q1" and q1["subscribers"] == 12_600_000 and q1["total"] == 7
    assert q1["per_million"] == round(7 / 12.6, 2)
    cats = {c["code"]: c["count"] for c in q1["by_category"]}
    assert cats == {"service": 2, "tariff": 2, "network": 3, "marketing": 0}
    assert {c["code"]: c["zh"] for c in q1["by_category"]}["tariff"] == "资费"
    # answered in time: C1 (feedback 02-25), C2 (closed 02-26); late: C6, C7; C3-C5 still within the limit
    assert (q1["in_time"], q1["late"], q1["reply_share"]) == (2, 2, 0.5)
    assert view["reply_limit_days"] == 15


def test_reports_are_for_managers_only(rt, data):
    with pytest.raises(Forbidden):
        reports.dashboard(rt, Viewer(2, "agent", frozenset({"agent"})), PERIOD)
