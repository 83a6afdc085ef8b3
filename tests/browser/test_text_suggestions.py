"""Suggestions at intake in a real browser: type the complaint, see the suggestions, accept them with one key."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.browser.signing_in import sign_in

pytestmark = pytest.mark.browser


def expect(locator):
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator)


@pytest.fixture(scope="module")
def trained(live):
    from app.services.text_intelligence import model_registry

    return model_registry.train_version(live[1].extensions["complaintflow"], "test", evaluate=False)


def test_type_a_complaint_see_the_suggestions_and_accept_them_with_f8(page, live, trained, screenshots):
    from app.models import Complaint, TextSuggestion

    sign_in(page, "agent")
    page.goto("/complaints/new")
    page.locator("#f-customer_name").fill("周敏")
    page.locator("#f-customer_phone").fill("13712345678")
    panel = page.get_by_test_id("ti-panel")
    expect(panel.get_by_test_id("ti-category")).to_be_hidden()
    page.locator("#f-matter").click()
    page.keyboard.type("这个月话费被多扣了五十元，我从来没有订过视频会员，要求退费")
    expect(panel.get_by_test_id("ti-category")).to_contain_text("资费")  # the suggestion, with its confidence
    expect(panel.get_by_test_id("ti-category")).to_contain_text("%")
    expect(panel.get_by_test_id("ti-department")).to_be_visible()
    assert page.locator("input[name=ti_category]").count() == 0  # nothing applied before the key
    page.screenshot(path=str(screenshots / "intake-suggestions.png"), full_page=True)

    page.keyboard.press("F8")  # one key, while still in the text
    expect(panel.get_by_test_id("ti-category")).to_contain_text("已采纳")
    assert page.locator("input[name=ti_category]").input_value() == "billing"
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(screenshots / "intake-suggestions-390.png"), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 900})

    page.keyboard.press("Control+Enter")
    expect(page.get_by_test_id("task-title")).to_be_visible()
    rt = live[1].extensions["complaintflow"]
    with rt.db.read() as s:
        c = s.scalars(select(Complaint).where(Complaint.customer_phone == "13712345678")).one()
        row = s.scalars(select(TextSuggestion).where(TextSuggestion.complaint_id == c.id)).one()
        assert row.decided["category"] == "billing" and not row.overridden  # accepted, recorded
        assert c.category is None  # the classify step still decides
