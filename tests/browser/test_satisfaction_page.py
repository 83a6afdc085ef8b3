"""A supervisor reads the satisfaction analysis in a real browser: the four factors' charts with rho and n, the
ratings by department, the channel filter (too few answers: "—" and why), the CSV; and the page on a phone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.browser.signing_in import sign_in
from tests.browser.test_phone_width import no_sideways_scroll, phone, sign_in_on_phone  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser


def expect(locator):
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator)


@pytest.fixture(scope="module")
def answered(live, tmp_path_factory):
    """The hand-counted set, and K11 (still open) surveyed in progress at rate 1 and answered 不满意."""
    from sqlalchemy import select

    from app.models import SurveyToken
    from app.services.complaints import public_channel
    from app.services.notifications.outbox import survey_token
    from app.services.surveys.progress import sample_open_complaints
    from tests.integration import satisfaction_data

    _, app, _ = live
    rt = app.extensions["complaintflow"]
    ids = satisfaction_data.load(rt)
    config = tmp_path_factory.mktemp("surveys") / "surveys.toml"
    config.write_text("[in_progress]\nrate = 1.0\nmin_age_days = 3\n", encoding="utf-8")
    rt.settings["SURVEYS_CONFIG"] = str(config)
    vars(rt).pop("_survey_rules", None)
    sample_open_complaints(rt)
    with rt.db.read() as s:
        nonce = s.scalar(select(SurveyToken.nonce).where(SurveyToken.complaint_id == ids["K11"]))
    public_channel.answer_survey(rt, survey_token(rt, nonce), {"satisfaction": "unsatisfied"}, "203.0.113.7")
    return ids


def test_a_supervisor_reads_the_analysis_filters_it_and_exports_it(page, answered, screenshots):
    sign_in(page, "supervisor")
    page.goto("/reports/team?from=2026-02-01&to=2026-02-28")
    page.get_by_role("link", name="满意度分析").click()
    expect(page.get_by_test_id("rho-handling_hours")).to_have_text("ρ = -0.944")
    page.wait_for_load_state("load")
    expect(page.locator("body")).to_have_attribute("data-charts-drawn", "4")
    expect(page.get_by_test_id("n-transfers")).to_have_text("n = 10")
    expect(page.get_by_test_id("bands-breaches").locator("tbody tr").nth(1)).to_contain_text("66.7%")
    expect(page.locator('[data-chart="handling_hours"] canvas')).to_have_count(1)
    expect(page.get_by_test_id("ratings-department")).to_contain_text("3.80")
    page.screenshot(path=str(screenshots / "satisfaction.png"), full_page=True)

    page.get_by_label("渠道").select_option("phone")
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_test_id("rho-handling_hours")).to_have_text("ρ = —")
    expect(page.get_by_test_id("factor-handling_hours")).to_contain_text("样本不足 10 个")
    expect(page.get_by_test_id("n-handling_hours")).to_have_text("n = 5")

    with page.expect_download() as download:
        page.get_by_test_id("satisfaction-csv").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("分组,分组值,评价数,处理时效") and ",5,4.20,4.40,4.20,4.20" in text


def test_the_page_fits_a_phone(phone, answered, screenshots):
    sign_in_on_phone(phone, "manager")
    phone.goto("/reports/satisfaction?from=2026-02-01&to=2026-02-28")
    expect(phone.get_by_test_id("rho-transfers")).to_have_text("ρ = -0.400")
    phone.wait_for_load_state("load")
    expect(phone.locator("body")).to_have_attribute("data-charts-drawn", "4")
    no_sideways_scroll(phone)
    phone.screenshot(path=str(screenshots / "satisfaction-390.png"), full_page=True)


def test_a_low_in_progress_answer_reaches_the_supervisor_flagged(page, answered):
    sign_in(page, "supervisor")
    page.goto("/notices")
    notice = page.locator('[data-notice="survey.low"]').first
    expect(notice).to_contain_text("客户评价偏低，请关注")
    expect(notice).to_contain_text("处理中评价 · 不满意")
    expect(notice.get_by_test_id("notice-low")).to_have_text("低分")
    notice.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/complaints/\d+$"))
    page.goto("/reports/satisfaction?from=2026-03-02&to=2026-03-02")
    expect(page.get_by_test_id("progress-department").locator("tbody tr").last).to_contain_text("合计")
    expect(page.get_by_test_id("progress-department")).to_contain_text("0.0% (0/1)")
