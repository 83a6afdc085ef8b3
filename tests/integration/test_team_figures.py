"""Per-agent and per-department figures against a hand count over report_data.py, for team leaders only.

C1's four completed steps were worked by the agent, C2's three by the billing handler. C2 is also flagged a
repeat and was reopened once. Period 2026-02-23..2026-03-01.

| agent   | handled | on time                         | complaints | satisfied/answered | repeat | reopened |
| agent   | 4       | 4/4 (every step before its due) | C1         | 1/1                | 0      | 0        |
| billing | 3       | 2/3 (classify 90 min > 30 min)  | C2         | 0/1                | 1      | 1        |

| department | complaints | closed | on time | satisfied/answered |
| network    | C1, C3: 2  | 1      | 4/4     | 1/1                |
| billing    | C2: 1      | 1      | 2/3     | 0/1                |
| hall       | C4: 1      | 0      | —       | —                  |
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from app.domain.actors import Viewer
from app.errors import Forbidden
from app.models import Complaint, HumanTask, User
from app.services.reporting.dashboard import ReportFilter
from app.services.reporting.people import team_figures
from app.services.reporting.rebuild import rebuild

from . import report_data

PERIOD = ReportFilter(date(2026, 2, 23), date(2026, 3, 1))


@pytest.fixture
def data(rt, demo_users):
    ids = report_data.load(rt)
    with rt.db.write() as s:
        users = dict(s.execute(select(User.username, User.id)).all())
        for key, user in (("C1", "agent"), ("C2", "billing")):
            c = s.get(Complaint, ids[key])
            s.execute(
                update(HumanTask)
                .where(HumanTask.instance_id == c.instance_id, HumanTask.state == "completed")
                .values(completed_by_id=users[user])
            )
        s.execute(update(Complaint).where(Complaint.id == ids["C2"]).values(is_repeat=True, reopen_count=1))
        rebuild(s.connection())  # written past the services, as report_data is: the roll-ups are recounted
    return users


def test_figures_per_agent_and_per_department(rt, data):
    out = team_figures(rt, Viewer(data["supervisor"], "supervisor", frozenset({"supervisor"})), PERIOD)
    agents = {a["user_id"]: a for a in out["agents"]}
    agent, billing = agents[data["agent"]], agents[data["billing"]]
    assert (agent["handled"], agent["on_time"], agent["with_deadline"], agent["on_time_rate"]) == (4, 4, 4, 1.0)
    assert (
        agent["complaints"],
        agent["satisfied"],
        agent["satisfaction_answered"],
        agent["repeats"],
        agent["reopened"],
    ) == (1, 1, 1, 0, 0)
    assert (billing["handled"], billing["on_time"], billing["on_time_rate"]) == (3, 2, 0.6667)
    assert (billing["satisfaction_rate"], billing["repeat_rate"], billing["reopen_rate"]) == (0.0, 1.0, 1.0)
    assert set(agents) == {data["agent"], data["billing"]}
    depts = {d["department"]: d for d in out["departments"]}
    assert {
        k: (d["complaints"], d["closed"], d["on_time"], d["with_deadline"], d["satisfied"], d["satisfaction_answered"])
        for k, d in depts.items()
    } == {"network": (2, 1, 4, 4, 1, 1), "billing": (1, 1, 2, 3, 0, 1), "hall": (1, 0, 0, 0, 0, 0)}
    assert depts["hall"]["on_time_rate"] is None and depts["hall"]["satisfaction_rate"] is None  # "—", not 0%


def test_only_team_leaders_see_figures_per_person(rt, data):
    for group in ("agent", "handler_billing", "dispatcher"):
        with pytest.raises(Forbidden):
            team_figures(rt, Viewer(1, group, frozenset({group})), PERIOD)
    assert team_figures(rt, Viewer(data["manager"], "manager", frozenset({"manager"})), PERIOD)["agents"]


def test_the_team_page_shows_the_hand_count_to_a_supervisor_and_turns_an_agent_away(app, data):
    from .web_client import Web

    page = Web(app).login("supervisor").text("/reports/team?from=2026-02-23&to=2026-03-01")
    assert '100.0% <span class="muted">(4/4)</span>' in page and '66.7% <span class="muted">(2/3)</span>' in page
    assert page.count("—") >= 2  # the hall's on-time and satisfaction rates: nothing to measure
    assert "/reports/team" in Web(app).login("manager").text("/reports?from=2026-02-23&to=2026-03-01")
    assert Web(app).login("agent").get("/reports/team").status_code == 403
