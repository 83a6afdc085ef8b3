"""Improvement actions and the periodicity page in a real browser: a manager records an action (a bad field is
named and nothing typed is lost), its owner starts it and reports progress; the heat map and the baseline alert
beside it, reached from the dashboard; both pages on a phone."""

from __future__ import annotations

import pytest
from tests.browser.accessibility import AXE, serious_violations
from tests.browser.signing_in import sign_in
from tests.browser.test_phone_width import no_sideways_scroll, phone, sign_in_on_phone  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser

# one network complaint on each Sunday of February, eight on Sunday 03-01: a departure from the baseline
ROWS = tuple((f"2026-02-{d:02d} 10:00", "network", None) for d in (1, 8, 15, 22)) + tuple(
    (f"2026-03-01 {h:02d}:15", "network", None) for h in range(9, 17)
)


def expect(locator):
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator)


@pytest.fixture(scope="module")
def complaints(live):
    from app.services.reporting.baseline_alerts import check_baselines
    from tests.integration import improvement_data

    rt = live[1].extensions["complaintflow"]
    numbers = improvement_data.load(rt, ROWS, phone_base=13700000000)
    check_baselines(rt)
    return numbers


def test_a_manager_records_an_action_and_its_owner_reports_progress(page, complaints, screenshots):
    sign_in(page, "manager")
    page.goto("/reports")
    page.get_by_test_id("improvement-link").click()
    expect(page.get_by_test_id("new-action")).to_be_visible()
    page.get_by_test_id("new-action").click()
    form = page.get_by_test_id("action-form")
    expect(form).to_be_visible()
    form.get_by_label("标题").fill("弱覆盖小区整改")
    form.get_by_label("类别").select_option("network")
    form.get_by_label("根因分析").fill("新建小区未纳入室分规划")
    form.get_by_label("整改/改进措施").fill("补建室分，调整邻区")
    form.get_by_label("责任人").select_option(label="赵磊")
    form.get_by_label("完成时限").fill("2026-02-20")  # before today: refused, named, nothing lost
    form.get_by_label("关联投诉单号").fill(complaints[-1])
    form.get_by_role("button", name="创建并指派").click()
    expect(page.locator('[data-error="due_date"]')).to_be_visible()
    expect(page.get_by_label("根因分析")).to_have_value("新建小区未纳入室分规划")
    expect(page.get_by_label("关联投诉单号")).to_have_value(complaints[-1])
    page.get_by_label("完成时限").fill("2026-03-20")
    page.get_by_role("button", name="创建并指派").click()
    expect(page.get_by_test_id("action-title")).to_have_text("弱覆盖小区整改")
    expect(page.get_by_test_id("owner")).to_have_text("赵磊")
    expect(page.locator("[data-status]").first).to_have_text("待开始")
    page.screenshot(path=str(screenshots / "improvement-action.png"), full_page=True)
    if AXE.exists():  # the list, the form and the detail page: no serious or critical axe-core violation
        problems = serious_violations(page)
        for path in ("/reports/improvement-actions", "/reports/improvement-actions/new"):
            page.goto(path)
            problems += serious_violations(page)
        assert not problems, "\n".join(problems)

    page.get_by_test_id("logout").click()
    sign_in(page, "network")
    page.goto("/reports/improvement-actions")
    page.get_by_role("link", name="弱覆盖小区整改").click()
    expect(page.get_by_test_id("moves")).to_be_visible()
    expect(page.get_by_test_id("edit-form")).to_have_count(0)  # the owner reports, overseers edit
    page.locator('[data-move="in_progress"]').click()
    expect(page.locator("[data-status]").first).to_have_text("进行中")
    page.get_by_test_id("progress-form").get_by_label("进展").fill("已完成勘站，室分设备到货")
    page.get_by_role("button", name="保存进展").click()
    expect(page.get_by_test_id("progress")).to_have_text("已完成勘站，室分设备到货")
    # the 30 days before it started (the form's default window) hold the twelve network complaints
    expect(page.get_by_test_id("evaluation")).to_contain_text("2026-01-31 – 2026-03-01")
    expect(page.get_by_test_id("evaluation").locator('[data-figure="registered"] td').first).to_have_text("12")
    expect(page.get_by_test_id("chain")).to_have_text("记录链校验通过")


def test_the_heat_map_and_the_alert_are_reached_from_the_dashboard(page, complaints, screenshots):
    sign_in(page, "manager")
    page.goto("/reports?from=2026-02-23&to=2026-03-01")
    page.get_by_test_id("periodicity-link").click()
    grid = page.get_by_test_id("heat-grid")
    expect(grid).to_be_visible()
    sunday = grid.locator('tr[data-weekday="6"]')
    expect(sunday.locator('td[data-hour="9"]')).to_have_text("1")
    expect(sunday.locator("td.p5")).to_have_count(8)
    expect(page.get_by_test_id("baseline-alerts").locator('[data-alert="network"]')).to_contain_text("基线 1.0")
    expect(page.get_by_test_id("recorded-alerts")).to_contain_text("2026-03-01")
    page.screenshot(path=str(screenshots / "periodicity.png"), full_page=True)
    if AXE.exists():
        assert not serious_violations(page), serious_violations(page)
    page.goto("/notices")
    expect(page.locator('[data-notice="baseline.alert"]')).to_contain_text("投诉量偏离基线")


def test_both_pages_fit_a_phone(phone, complaints, screenshots):
    sign_in_on_phone(phone, "manager")
    phone.goto("/reports/periodicity?from=2026-02-23&to=2026-03-01")
    expect(phone.get_by_test_id("heat-grid")).to_be_visible()
    no_sideways_scroll(phone)
    phone.screenshot(path=str(screenshots / "periodicity-390.png"), full_page=True)
    phone.goto("/reports/improvement-actions")
    expect(phone.get_by_test_id("action-filters")).to_be_visible()
    no_sideways_scroll(phone)
    rows = phone.locator("[data-action] a")
    if rows.count():
        rows.first.click()
        expect(phone.get_by_test_id("evaluation")).to_be_visible()
        no_sideways_scroll(phone)
        phone.screenshot(path=str(screenshots / "improvement-action-390.png"), full_page=True)
