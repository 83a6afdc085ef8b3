"""A process owner in a real browser: follows the banner to the calendar page, moves a provisional
deadline with an override and a recompute, is refused an incomplete notice, then enters a complete one."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from tests.browser.accessibility import serious_violations
from tests.browser.signing_in import sign_in
from tests.notices import INVENTED_2027

pytestmark = pytest.mark.browser
SH = ZoneInfo("Asia/Shanghai")


def expect(locator):
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator)


@pytest.fixture(scope="module")
def provisional_complaint(live):
    """A complaint at its handling step on New Year's Eve 2026: its 3 working days run into 2027."""
    from tests.conftest import Api
    from tests.integration.test_sla_deadlines import to_handle

    _, app, clock = live
    clock.set(datetime(2026, 12, 31, 10, 0, tzinfo=SH))
    _, iid, task = to_handle(Api(app.test_client()))
    assert task["due_provisional"] is True and task["due_at"].startswith("2027-01-06")
    return iid


def test_an_owner_keeps_next_years_calendar(page, live, provisional_complaint, screenshots):
    _, app, _ = live
    rt = app.extensions["complaintflow"]
    sign_in(page, "owner")
    banner = page.get_by_test_id("calendar-warning")
    expect(banner).to_contain_text("2027 年的国务院节假日安排尚未录入")
    banner.get_by_role("link").click()
    expect(page.get_by_test_id("calendar-status")).to_have_attribute("data-state", "provisional")
    expect(page.locator('td[data-day="2027-02-08"]')).to_have_attribute("data-kind", "holiday")
    expect(page.get_by_test_id("provisional-open")).not_to_have_text("0")
    page.screenshot(path=str(screenshots / "calendar.png"), full_page=True)

    # A duty-roster change before the notice: 4 January off; the recompute moves the deadline.
    form = page.get_by_test_id("override-form")
    form.locator('input[name="day"]').fill("2027-01-04")
    form.get_by_role("button").click()
    expect(page.get_by_test_id("override-table")).to_contain_text("2027-01-04")
    page.get_by_test_id("recompute").click()
    expect(page.locator(".flash-success")).to_contain_text("2 个计时器有变动")
    assert _due(rt, provisional_complaint).startswith("2027-01-07")

    # An incomplete notice is refused, naming what is missing, and the text stays in the box.
    incomplete = "2027-01-01..2027-01-03 holiday 元旦\n2027-02-05..2027-02-13 holiday 春节\n2027-02-20 workday 春节\n"
    page.get_by_test_id("notice-text").fill(incomplete)
    page.get_by_test_id("import").click()
    errors = page.get_by_test_id("import-errors")
    for holiday in ("清明节", "劳动节", "端午节", "中秋节", "国庆节"):
        expect(errors).to_contain_text(f"缺少{holiday}")
    expect(page.get_by_test_id("notice-text")).to_have_value(incomplete)
    assert not rt.calendar.is_official_year(2027)
    # a date that does not exist: said in Chinese, Python's own words folded under 技术细节, readable (axe)
    page.get_by_test_id("notice-text").fill("2027-02-30 holiday 春节\n")
    page.get_by_test_id("import").click()
    expect(errors).to_contain_text("第 1 行：日期不存在或写法有误")
    folded = errors.locator("details.technical-detail")
    expect(folded.locator("summary")).to_have_text("技术细节")
    expect(folded.locator("samp")).to_be_hidden()
    folded.locator("summary").click()
    expect(folded.locator("samp")).to_have_text("day is out of range for month")
    assert serious_violations(page) == []

    page.get_by_test_id("notice-text").fill(INVENTED_2027)
    page.get_by_test_id("import").click()
    expect(page.locator(".flash-success")).to_contain_text("2027 年节假日安排已录入")
    expect(page.get_by_test_id("calendar-status")).to_have_attribute("data-state", "entered")
    expect(page.get_by_test_id("provisional-open")).to_have_text("0")
    expect(page.locator('td[data-day="2027-02-20"]')).to_have_attribute("data-kind", "makeup")
    assert _due(rt, provisional_complaint).startswith("2027-01-07")  # 4 Jan stays off: the owner's override
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(screenshots / "calendar-390.png"), full_page=True)


def _due(rt, instance_id: int) -> str:
    from sqlalchemy import select

    from app.models import HumanTask

    with rt.db.read() as s:
        due = s.scalar(
            select(HumanTask.due_at).where(
                HumanTask.instance_id == instance_id, HumanTask.element_id == "handle", HumanTask.state == "ready"
            )
        )
    return due.astimezone(SH).isoformat()
