"""At 390 px (a phone): the menu folds behind one button, sign-out and the language switch stay reachable,
no page scrolls sideways, and the inbox, a task and the customer's pages (filing, following, the survey)
are usable."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import PHONE
from tests.integration.customer_flow import handle_until_the_reply, survey_path
from tests.browser.test_workspace import fill_form, new_phone, scenario

pytestmark = pytest.mark.browser


def expect(locator):
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator)


@pytest.fixture
def phone(browser, live, csp_violations):
    """A page in a phone-sized context, with the same policy watch as every browser test."""
    from tests.browser.conftest import _REPORT_CSP_VIOLATIONS

    ctx = browser.new_context(base_url=live[0], viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    ctx.set_default_timeout(10_000)
    ctx.add_init_script(_REPORT_CSP_VIOLATIONS)
    page = ctx.new_page()
    page.on(
        "console", lambda m: csp_violations.append(m.text) if m.type == "error" and "CSP violation" in m.text else None
    )
    yield page
    ctx.close()
    assert not csp_violations, csp_violations


def no_sideways_scroll(page) -> None:
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a {PHONE['width']} px screen"


def open_menu(page) -> None:
    # The button is wired by a deferred script: wait for the page's load event, or a tap lands before it.
    page.wait_for_load_state("load")
    toggle = page.locator("[data-nav-toggle]")
    expect(toggle).to_be_visible()
    if toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")


def sign_in_on_phone(page, user: str) -> None:
    page.goto("/login")
    no_sideways_scroll(page)
    page.get_by_label("用户名").fill(user)
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()
    # The login page has the menu button too: wait for the signed-in page (it has a sign-out control).
    expect(page.get_by_test_id("logout")).to_be_attached()
    page.wait_for_load_state("load")


def test_the_menu_folds_and_sign_out_and_language_stay_reachable(phone):
    sign_in_on_phone(phone, "agent")
    expect(phone.get_by_test_id("logout")).to_be_hidden()  # folded away, not spilling over the page
    no_sideways_scroll(phone)
    open_menu(phone)
    expect(phone.get_by_role("link", name="登记投诉")).to_be_visible()
    expect(phone.get_by_role("button", name="EN")).to_be_visible()
    phone.get_by_role("button", name="EN").click()
    expect(phone.locator("html")).to_have_attribute("lang", "en")  # the new page, not the one leaving
    open_menu(phone)
    expect(phone.get_by_role("button", name="中文")).to_be_visible()
    phone.get_by_role("button", name="中文").click()
    expect(phone.locator("html")).to_have_attribute("lang", "zh-CN")
    open_menu(phone)
    phone.get_by_test_id("logout").click()
    expect(phone.get_by_role("button", name="登录")).to_be_visible()


def test_register_and_work_a_task_on_a_phone(phone, screenshots):
    sign_in_on_phone(phone, "agent")
    open_menu(phone)
    phone.get_by_role("link", name="登记投诉").click()
    phone.wait_for_url(re.compile(r"/complaints/new$"))  # the click only starts the navigation
    no_sideways_scroll(phone)
    # A letter goes to the receive queue (a phone call is registered, classified and read back in one screen).
    fill_form(
        phone,
        {
            "customer_name": "张伟",
            "customer_phone": new_phone(),
            "channel": "letter",
            "matter": scenario()["start_data"]["matter"],
        },
    )
    phone.get_by_test_id("submit").click()
    expect(phone.get_by_test_id("task-title")).to_have_text("投诉接收")
    number = phone.get_by_test_id("complaint-number").inner_text()
    no_sideways_scroll(phone)
    phone.screenshot(path=str(screenshots / "phone-task.png"), full_page=False)
    phone.get_by_test_id("submit").click()
    expect(phone.get_by_test_id("task-title")).to_have_text("投诉分类")

    phone.goto("/")
    expect(phone.locator("[data-row]").first).to_be_visible()
    no_sideways_scroll(phone)
    phone.screenshot(path=str(screenshots / "phone-inbox.png"), full_page=False)
    phone.goto(f"/?q={number}")
    phone.locator("[data-row] a").first.click()
    expect(phone.get_by_test_id("complaint-number")).to_have_text(number)
    no_sideways_scroll(phone)


def test_the_customer_files_follows_and_answers_the_survey_on_a_phone(phone, live, screenshots):
    _, app, _ = live
    phone.goto("/customer/file")
    no_sideways_scroll(phone)
    phone.get_by_label("您的姓名").fill("孙悦")
    phone.get_by_label("手机号码").fill("13698765001")
    phone.get_by_label("投诉事项").fill("家里宽带晚上只有 2M，签约是 300M。")
    a, b = map(int, re.findall(r"\d+", phone.get_by_test_id("captcha-question").inner_text()))
    phone.get_by_test_id("captcha-answer").fill(str(a + b))
    phone.get_by_test_id("file-submit").click()
    number = phone.get_by_test_id("complaint-number").inner_text()
    no_sideways_scroll(phone)
    phone.get_by_test_id("track-link").click()
    expect(phone.get_by_test_id("track-stage")).to_contain_text("已受理")
    no_sideways_scroll(phone)

    phone.goto(survey_path(app, handle_until_the_reply(app, number)))
    expect(phone.get_by_test_id("survey-number")).to_have_text(number)
    no_sideways_scroll(phone)
    phone.get_by_label("满意", exact=True).check()
    for name in ("rating_timeliness", "rating_attitude", "rating_result", "rating_process"):
        target = phone.locator(f'input[name="{name}"][value="5"]').locator("xpath=..")
        box = target.bounding_box()
        assert box and box["height"] >= 30 and box["width"] >= 40, f"{name}: a 5 too small to tap: {box}"
        target.click()
    phone.screenshot(path=str(screenshots / "phone-survey.png"), full_page=True)
    phone.get_by_test_id("survey-submit").click()
    expect(phone.get_by_test_id("survey-submit")).to_have_count(0)


def test_the_folded_menu_opens_and_is_walked_with_the_keyboard(phone):
    sign_in_on_phone(phone, "agent")
    phone.keyboard.press("Tab")  # the brand
    phone.keyboard.press("Tab")  # the menu button
    expect(phone.locator("[data-nav-toggle]")).to_be_focused()
    phone.keyboard.press("Enter")
    expect(phone.locator("[data-nav-toggle]")).to_have_attribute("aria-expanded", "true")
    phone.keyboard.press("Tab")
    expect(phone.get_by_role("link", name="待办", exact=True)).to_be_focused()
    phone.keyboard.press("Tab")
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("heading", name="登记投诉")).to_be_visible()


def test_a_manager_reads_an_instance_page_on_a_phone(phone, live):
    """The audit page's clocks, timers, steps and timeline scroll inside their panels, not the page."""
    from tests.conftest import Api
    from tests.integration.flow import complete, registration

    _, app, _ = live
    api = Api(app.test_client())
    sc = scenario()
    created = api.post("agent", "/complaints", json=registration(sc)).get_json()
    for step in sc["steps"][:3]:
        complete(api, created["process_instance_id"], step["task"], step["group"], step["data"])
    sign_in_on_phone(phone, "manager")
    phone.goto(f"/reports/instances/{created['process_instance_id']}")
    expect(phone.get_by_test_id("clocks")).to_be_visible()
    expect(phone.get_by_test_id("timeline").locator("tbody tr").first).to_be_visible()
    no_sideways_scroll(phone)
