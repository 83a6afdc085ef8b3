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
    page.locator("#f-channel").select_option("online")  # unattended: the suggestion pre-fills the classify step
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


def test_on_the_classify_step_f8_fills_the_fields_and_a_change_is_recorded_as_an_override(
    page, live, trained, screenshots
):
    from app.models import Complaint, TextSuggestion

    sign_in(page, "agent")
    page.goto("/complaints/new")
    page.locator("#f-customer_name").fill("孙丽")
    page.locator("#f-customer_phone").fill("13712340000")
    page.locator("#f-channel").select_option("letter")  # classified from the receive queue
    page.locator("#f-matter").fill("家里宽带从昨晚开始断网，光猫一直闪红灯，重启也没用")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("task-title")).to_have_text("投诉接收")
    expect(page.locator('body[data-js="ready"]')).to_have_count(1)
    page.keyboard.press("Control+Enter")
    expect(page.get_by_test_id("task-title")).to_have_text("投诉分类")
    panel = page.get_by_test_id("ti-panel")
    expect(panel.get_by_test_id("ti-category")).to_contain_text("网络")
    page.keyboard.press("F8")
    expect(page.locator("select[name=category]")).to_have_value("network")
    expect(page.locator("select[name=special_type]")).to_have_value("none")
    page.locator("select[name=category]").select_option("aftersales")  # the agent knows better
    expect(panel.get_by_test_id("ti-category")).to_contain_text("已改为")
    page.screenshot(path=str(screenshots / "classify-suggestions.png"), full_page=True)
    page.keyboard.press("Control+Enter")
    expect(page.get_by_test_id("task-title")).to_have_text("投诉登记")
    rt = live[1].extensions["complaintflow"]
    with rt.db.read() as s:
        c = s.scalars(select(Complaint).where(Complaint.customer_phone == "13712340000")).one()
        row = s.scalars(select(TextSuggestion).where(TextSuggestion.complaint_id == c.id)).one()
        assert c.category == "aftersales" and row.decided["category"] == "aftersales" and row.overridden


def test_the_classifier_page_shows_the_current_models_figures(page, live, trained, screenshots):
    from app.services.text_intelligence import model_registry

    model_registry.train_version(live[1].extensions["complaintflow"], "owner")  # with its held-out evaluation
    sign_in(page, "owner")
    page.goto("/text/classifier")
    expect(page.get_by_test_id("ti-figures")).to_contain_text("宏平均 F1")
    expect(page.get_by_test_id("ti-confusion")).to_be_visible()
    expect(page.get_by_test_id("ti-import")).to_be_visible()
    page.screenshot(path=str(screenshots / "classifier-page.png"), full_page=True)
