"""The survey's four ratings: kept on the complaint when the form is completed, and reported by department,
category, channel, owner and month against a hand count (report_data.py's C1, C2, C3 rated), team leaders only.

| complaint | department / category / channel | timeliness | attitude | result | process |
| C1        | network / network / phone       | 5          | 5        | 4      | 4       |
| C2        | billing / billing / online      | 2          | 3        | 1      | 2       |
| C3        | network / network / phone       | 4          | 4        | 2      | 3       |
network (and phone): 4.5, 4.5, 3.0, 3.5; billing (and online): 2, 3, 1, 2;
the month 2026-02: 11/3 = 3.67, 12/3 = 4.0, 7/3 = 2.33, 9/3 = 3.0. C4 and C5 were not rated: not counted.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from app.domain.actors import Viewer
from app.errors import Forbidden
from app.models import Complaint
from app.services.reporting.dashboard import ReportFilter
from app.services.reporting.satisfaction import rating_dimensions

from . import report_data
from .test_instance_audit import walk

PERIOD = ReportFilter(date(2026, 2, 23), date(2026, 3, 1))
MANAGER = Viewer(1, "manager", frozenset({"manager"}))
RATED = {"C1": (5, 5, 4, 4), "C2": (2, 3, 1, 2), "C3": (4, 4, 2, 3)}


def test_the_four_ratings_by_department_category_channel_and_month(rt):
    ids = report_data.load(rt)
    with rt.db.write() as s:
        for key, (t, a, r, p) in RATED.items():
            s.execute(
                update(Complaint)
                .where(Complaint.id == ids[key])
                .values(rating_timeliness=t, rating_attitude=a, rating_result=r, rating_process=p)
            )
    out = rating_dimensions(rt, MANAGER, PERIOD)

    def means(rows):
        return {
            row["value"]: (
                row["answered"],
                row["rating_timeliness"],
                row["rating_attitude"],
                row["rating_result"],
                row["rating_process"],
            )
            for row in rows
        }

    assert means(out["department"]) == {"network": (2, 4.5, 4.5, 3.0, 3.5), "billing": (1, 2.0, 3.0, 1.0, 2.0)}
    assert means(out["category"]) == means(out["department"])
    assert means(out["channel"]) == {"phone": (2, 4.5, 4.5, 3.0, 3.5), "online": (1, 2.0, 3.0, 1.0, 2.0)}
    assert means(out["month"]) == {"2026-02": (3, 3.67, 4.0, 2.33, 3.0)}
    with pytest.raises(Forbidden):
        rating_dimensions(rt, Viewer(2, "agent", frozenset({"agent"})), PERIOD)


def test_completing_the_feedback_keeps_its_ratings_on_the_complaint(api, rt, deployed):
    done = walk(api, "general_satisfied_first_reply")
    with rt.db.read() as s:
        c = s.scalar(select(Complaint).where(Complaint.id == done["id"]))
        assert (c.rating_timeliness, c.rating_attitude, c.rating_result) == (5, 5, 5)


def test_the_team_page_shows_the_ratings_by_department(app, rt, demo_users):
    from .web_client import Web

    ids = report_data.load(rt)
    with rt.db.write() as s:
        for key, (t, a, r, p) in RATED.items():
            s.execute(
                update(Complaint)
                .where(Complaint.id == ids[key])
                .values(rating_timeliness=t, rating_attitude=a, rating_result=r, rating_process=p)
            )
    page = Web(app).login("supervisor").text("/reports/team?from=2026-02-23&to=2026-03-01")
    table = page[page.index('data-testid="ratings-department"') :]
    table = table[: table.index("</table>")]
    assert "处理时效" in table and "4.50" in table and "3.00" in table and "2.00" in table
