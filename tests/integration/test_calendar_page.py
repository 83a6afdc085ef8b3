"""The calendar page: the year at a glance, the notice import (refused when incomplete), overrides, recompute."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from app.domain.clock import FixedClock
from tests.notices import INVENTED_2027, INVENTED_2027_CSV

from .web_client import Web


def test_owners_enter_a_year_from_the_page_and_others_only_read_it(app, demo_users, rt, clock: FixedClock):
    clock.set(datetime(2026, 12, 7, 1, 0, tzinfo=timezone.utc))
    web = Web(app).login("owner")
    page = web.text("/calendar")  # the first year needing a schedule
    assert "2027 年：尚未录入国务院节假日安排" in page
    assert 'data-day="2027-02-08" data-kind="holiday"' in page  # Spring Festival, estimated
    assert 'data-state="provisional"' in page

    refused = web.post("/calendar/import?year=2027", {"form": "text", "text": "2027-01-01 holiday 元旦\n"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "缺少清明节" in body and "缺少国庆节" in body and "is missing" not in body
    assert "2027-01-01 holiday 元旦" in body  # the text the owner typed is kept
    assert rt.calendar.is_official_year(2027) is False

    done = web.post("/calendar/import?year=2027", {"form": "csv", "text": INVENTED_2027_CSV})
    assert done.status_code == 302
    page = web.text("/calendar?year=2027")
    assert "2027 年节假日安排已录入" in page and 'data-state="entered"' in page
    assert 'data-day="2027-02-20" data-kind="makeup"' in page
    assert re.search(r'<tr data-day="2027-02-20"><td class="mono nowrap">2027-02-20</td><td>上班</td>', page)
    assert rt.calendar.is_official_year(2027)

    assert web.post("/calendar/recompute?year=2027").status_code == 302
    assert "已重新计算：0 个时限、0 个计时器有变动" in web.text("/calendar?year=2027")

    reader = Web(app).login("supervisor")
    page = reader.text("/calendar?year=2027")
    assert 'data-testid="import"' not in page and 'data-testid="recompute"' not in page
    assert reader.post("/calendar/import?year=2027", {"form": "text", "text": INVENTED_2027}).status_code == 403
    assert Web(app).login("agent").get("/calendar").status_code == 403
