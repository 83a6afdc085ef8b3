"""A manager in a real browser: finds a finished complaint, reads its marked diagram and whole
timeline, filters and exports the search, verifies the trail and opens the dashboard's charts."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.browser.signing_in import sign_in

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


def expect(locator):
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator)


@pytest.fixture(scope="module")
def finished(live):
    """One complaint walked through all eight steps and one left at dispatch, through the API."""
    from tests.conftest import Api
    from tests.integration.flow import complete, registration, scenario

    _, app, _ = live
    api = Api(app.test_client())
    out = []
    for name, steps in (("general_satisfied_first_reply", None), ("major_complaint_supervisor_review", 4)):
        sc = scenario(name)
        created = api.post("agent", "/complaints", json=registration(sc)).get_json()
        for step in sc["steps"][:steps]:
            assert (
                complete(api, created["process_instance_id"], step["task"], step["group"], step["data"]).status_code
                == 200
            )
        out.append(created)
    events = api.get("manager", f"/process-instances/{out[0]['process_instance_id']}/events").get_json()["items"]
    return out[0], out[1], len(events)


def test_a_manager_audits_a_finished_complaint_end_to_end(page, finished, screenshots):
    done, running, n_events = finished
    sign_in(page, "manager")
    page.get_by_role("link", name="审计查询").click()
    expect(page.get_by_test_id("results").locator("tbody tr")).to_have_count(2)

    page.get_by_label("状态", exact=True).select_option("closed")
    page.get_by_test_id("search").click()
    rows = page.get_by_test_id("results").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(done["number"])
    expect(rows.first).to_contain_text("138****5678")

    with page.expect_download() as download:
        page.get_by_test_id("export-csv").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("投诉编号,流程实例,客户姓名") and done["number"] in text
    assert running["number"] not in text  # the export follows the filter

    rows.first.get_by_role("link", name=done["number"]).click()
    diagram = page.get_by_test_id("diagram")
    expect(diagram).to_have_attribute("data-ready", "1")
    for step in ("receive", "classify", "register", "dispatch", "handle", "track", "feedback", "summarize"):
        expect(page.locator(f'g.djs-element.cf-completed[data-element-id="{step}"]')).to_have_count(1)
    expect(page.locator(".cf-duration").first).to_be_visible()
    expect(page.locator(".bjs-powered-by")).to_be_visible()  # bpmn.io's watermark, as its licence asks
    timeline = page.get_by_test_id("timeline").locator("tbody tr")
    expect(timeline).to_have_count(n_events)
    expect(page.get_by_test_id("record")).to_contain_text("138****5678")  # the manager does not work it: masked
    expect(page.get_by_test_id("record")).not_to_contain_text("13812345678")
    page.get_by_test_id("verify").click()
    expect(page.get_by_test_id("verify-result")).to_contain_text(f"已校验 {n_events} 条事件")
    page.screenshot(path=str(screenshots / "instance-audit.png"), full_page=True)

    page.get_by_test_id("reveal-link").click()  # an explicit reveal, with a reason for the access log
    page.get_by_role("button", name="查看客户信息").click()
    page.locator("#dlg-reveal textarea[name=reason]").fill("质检抽查：核对答复记录")
    page.locator("#dlg-reveal button[type=submit]").click()
    expect(page.get_by_test_id("revealed-phone")).to_have_text("13812345678")


def test_a_running_complaint_shows_its_active_step(page, finished):
    _, running, _ = finished
    sign_in(page, "manager")
    page.goto(f"/reports/instances/{running['process_instance_id']}")
    expect(page.get_by_test_id("diagram")).to_have_attribute("data-ready", "1")
    expect(page.locator('g.djs-element.cf-active[data-element-id="dispatch"]')).to_have_count(1)
    expect(page.locator('g.djs-element.cf-completed[data-element-id="supervisor_review"]')).to_have_count(1)


def test_the_dashboard_draws_its_charts_and_the_heat_map(page, finished, screenshots):
    sign_in(page, "manager")
    page.get_by_role("link", name="报表").click()
    for chart in (
        "volume",
        "weekly",
        "category",
        "channel",
        "severity",
        "department",
        "ontime",
        "durations",
        "satisfaction",
        "backlog",
        "breached",
    ):
        # drawn, or (nothing late right now) the chart's "no data" message instead of an empty frame
        drawn = page.locator(f'[data-chart="{chart}"] canvas, [data-chart="{chart}"][data-empty="1"]')
        expect(drawn.first).to_be_attached()
    expect(page.locator("body[data-charts-drawn='11']")).to_have_count(1)
    expect(page.get_by_test_id("heatmap")).to_have_attribute("data-ready", "1")
    expect(page.locator("#heatmap .cf-duration").first).to_be_visible()
    expect(page.get_by_test_id("kpis")).to_contain_text("一次性解决率")
    page.screenshot(path=str(screenshots / "dashboard.png"), full_page=True)
    page.get_by_role("link", name="监管报表").click()
    expect(page.get_by_test_id("regulator")).to_contain_text("2026-Q1")
