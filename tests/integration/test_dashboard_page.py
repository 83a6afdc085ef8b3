"""The dashboard page as a manager reads it: each KPI explains its formula, a step without a time limit shows "—"
for on time (not 0%), and the breached-by-step chart adds up to "breached now". Data: report_data.py."""

from __future__ import annotations

import json
import re
import uuid
from html import unescape

import pytest

from app.models import Complaint, HumanTask
from app.services.reporting.rebuild import rebuild

from . import report_data
from .web_client import Web


@pytest.fixture
def data(rt):
    ids = report_data.load(rt)
    with rt.db.write() as s:  # C1 was also summarised, a step with no time limit
        c1 = s.get(Complaint, ids["C1"])
        s.add(
            HumanTask(
                id=str(uuid.uuid4()),
                instance_id=c1.instance_id,
                element_id="summarize",
                name="投诉总结",
                state="completed",
                created_at=report_data.utc("2026-02-25 01:00"),
                completed_at=report_data.utc("2026-02-25 02:00"),
                due_at=None,
            )
        )
        s.flush()
        rebuild(s.connection())
    return ids


def test_on_time_per_step_and_breached_now_add_up_on_the_page(app, demo_users, data):
    page = Web(app).login("manager").text("/reports?from=2026-02-23&to=2026-03-01")
    rows = dict(re.findall(r'<tr data-step="(\w+)"><td>[^<]*</td><td class="num">([^<]*)</td>', page))
    # classify: C1 30 min of 60 on time, C2 90 min late -> 1/2; handle: C1 and C2's two rounds, all on time -> 3/3
    assert rows == {
        "classify": "50.0%",
        "handle": "100.0%",
        "dispatch": "100.0%",
        "feedback": "100.0%",
        "summarize": "—",
    }
    assert "0/0" in re.search(r'<tr data-step="summarize">.*?</tr>', page).group(0)
    data_json = json.loads(
        unescape(re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S).group(1))
    )
    now = data_json["data"]["now"]
    assert now["breached"] == 2 and sum(r["count"] for r in now["breached_by_step"]) == 2
    assert 'title="当前未挂起且有环节超时' in page and 'title="一次性解决 = 已办结、恰好经过一次处理环节' in page
