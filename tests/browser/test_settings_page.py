"""A user chooses the time zone the pages show times in, on the settings page linked from the top bar."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.signing_in import sign_in

pytestmark = pytest.mark.browser


def test_a_user_picks_utc_and_keeps_it(page, screenshots):
    sign_in(page, "agent")
    page.get_by_test_id("settings-link").click()
    zone = page.get_by_test_id("time-zone")
    expect(zone).to_have_value("Asia/Shanghai")
    page.screenshot(path=str(screenshots / "settings.png"), full_page=True)
    zone.select_option("UTC")
    page.get_by_test_id("save-settings").click()
    expect(page.get_by_role("status").filter(has_text="设置已保存")).to_be_visible()
    expect(page.get_by_test_id("time-zone")).to_have_value("UTC")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(screenshots / "settings-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
