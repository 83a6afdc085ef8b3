"""Hour × weekday volume and the baseline alert through the API, against report_data.py's hand count.

Registered (local) in 2026-02-23..03-01: C1 Mon 10:00, C2 Tue 09:00, C3 Tue 15:00, C4 Thu 11:00, C5 Sun 20:00.
"""

from __future__ import annotations

import pytest

from . import report_data


@pytest.mark.also_postgres  # the hour and weekday are counted by the database: both dialects
def test_hour_by_weekday_and_a_bad_day_named(api, rt, demo_users):
    report_data.load(rt)
    r = api.get("manager", "/reports/periodicity?from=2026-02-23&to=2026-03-01")
    assert r.status_code == 200, r.get_json()
    grid = r.get_json()["hour_weekday"]
    cells = {(w, h): n for w, row in enumerate(grid) for h, n in enumerate(row) if n}
    assert cells == {(0, 10): 1, (1, 9): 1, (1, 15): 1, (3, 11): 1, (6, 20): 1}
    assert r.get_json()["alerts"] == []  # five complaints: nothing departs by the minimum excess
    bad = api.get("manager", "/reports/periodicity?day=yesterday")
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "day"
    assert api.get("agent", "/reports/periodicity").status_code == 403
