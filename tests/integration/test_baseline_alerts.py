"""The baseline alert's notice: the scheduled check records a category's departure once per day and category
and tells the managers in their notices; a re-run adds nothing. The periodicity page shows the heat map and it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.domain.actors import Viewer
from app.models import BaselineAlert, StaffNotice, User
from app.services.reporting.baseline_alerts import check_baselines
from app.services.tasks import notices

from . import improvement_data
from .web_client import Web

# Sundays before Monday 2026-03-02 (the clock): one network complaint each, then eight on Sunday 03-01.
ROWS = tuple((f"2026-02-{d:02d} 10:00", "network", None) for d in (1, 8, 15, 22)) + tuple(
    (f"2026-03-01 {h:02d}:15", "network", None) for h in range(9, 17)
)


def manager(rt) -> Viewer:
    with rt.db.read() as s:
        u = s.scalar(select(User).where(User.username == "manager"))
        return Viewer(u.id, u.username, frozenset(u.group_codes))


@pytest.mark.also_postgres
def test_a_departure_is_noticed_once_per_day_and_category(rt, demo_users):
    improvement_data.load(rt, ROWS)
    new = check_baselines(rt)
    assert new == [
        {"day": "2026-03-01", "category": "network", "count": 8, "baseline": 1.0, "spread": 0.0, "direction": "up"}
    ]
    assert check_baselines(rt) == []  # the next check (or a second scheduler) adds nothing
    with rt.db.read() as s:
        assert len(s.scalars(select(BaselineAlert)).all()) == 1
        told = {n.user_id for n in s.scalars(select(StaffNotice).where(StaffNotice.kind == "baseline.alert"))}
        managers = set(s.scalars(select(User.id).where(User.username == "manager")))
    assert told == managers  # managers only
    items = notices.list_notices(rt, manager(rt))["items"]
    assert [(i["kind"], i["ref"]) for i in items] == [("baseline.alert", "2026-03-01")]


def test_the_periodicity_page_shows_the_heat_map_and_the_alert(app, rt, demo_users):
    improvement_data.load(rt, ROWS)
    check_baselines(rt)
    web = Web(app).login("manager")
    page = web.get("/reports/periodicity?from=2026-02-23&to=2026-03-01&day=2026-03-01")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-testid="heat-grid"' in html and 'data-alert="network"' in html
    # Sunday (weekday 6) 09:00..16:00 hold one complaint each: the busiest cells, darkest shade
    assert html.count('class="p5" data-hour') == 8
    notes = web.get("/notices").get_data(as_text=True)
    assert "/reports/periodicity?day=2026-03-01" in notes
    assert Web(app).login("agent").get("/reports/periodicity").status_code == 403
