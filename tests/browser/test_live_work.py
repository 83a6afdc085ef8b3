"""In the browser, at desktop and at phone width: a task assigned to me shows as a toast and a count in the top
bar while I sit in the inbox (on a phone the folded menu's button carries the count), the inbox brings the task
in by itself, bulk claim works from the inbox, and a saved view of the inbox brings its filters back."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.browser.signing_in import sign_in
from tests.browser.top_bar import notice_count, open_notices
from tests.browser.test_workspace import new_phone
from tests.integration.test_web_flow import happy_path, register
from tests.integration.web_client import Web

pytestmark = pytest.mark.browser


def expect(locator):
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator)


@pytest.fixture(params=["desktop", "phone"])
def screen(request) -> str:
    return request.param


def _user_id(app, username: str) -> int:
    from app.models import User

    rt = app.extensions["complaintflow"]
    with rt.db.read() as s:
        return s.scalar(select(User.id).where(User.username == username))


def test_a_task_assigned_to_me_arrives_as_a_notice_and_in_my_inbox(page, live, screen, screenshots):
    _, app, _ = live
    agent = Web(app).login("agent")
    start = dict(happy_path()["start_data"], customer_name="周晓", customer_phone=new_phone())
    number, task_id = register(agent, start)

    sign_in(page, "agent2")
    page.goto("/?tab=mine")
    page.wait_for_load_state("load")
    expect(notice_count(page)).to_be_hidden()
    expect(page.locator(f'[data-task-id="{task_id}"]')).to_have_count(0)

    supervisor = Web(app).login("supervisor")
    r = supervisor.post(f"/tasks/{task_id}/transfer", {"to": f"u:{_user_id(app, 'agent2')}", "reason": "王芳今日请假"})
    assert r.status_code == 302

    page.evaluate("document.dispatchEvent(new Event('notices:poll-now'))")  # the 30-second poll, now
    toast = page.locator("[data-toast]")
    expect(toast).to_contain_text("有任务转派给您")
    expect(toast).to_contain_text(number)
    expect(toast).to_be_in_viewport()
    expect(notice_count(page)).to_be_visible()
    expect(notice_count(page)).to_have_text("1")
    page.evaluate("document.dispatchEvent(new Event('inbox:refresh-now'))")
    expect(page.locator(f'[data-task-id="{task_id}"]')).to_be_visible()
    page.screenshot(path=str(screenshots / ("inbox-notice.png" if screen == "desktop" else "inbox-notice-390.png")))

    open_notices(page)
    expect(page.get_by_test_id("notices")).to_contain_text("周敏")
    page.get_by_test_id("notices-read").click()
    expect(page.get_by_test_id("notices-read")).to_have_count(0)
    expect(notice_count(page)).to_be_hidden()


def test_bulk_claim_from_the_inbox(page, live):
    _, app, _ = live
    agent = Web(app).login("agent")
    ids = []
    for _ in range(2):
        _, task_id = register(agent, dict(happy_path()["start_data"], customer_phone=new_phone()))
        agent.post(f"/tasks/{task_id}/release", {"reason": "交班"})
        ids.append(task_id)
    sign_in(page, "agent2")
    page.goto("/?tab=group")
    for task_id in ids:
        page.locator(f'[data-task-id="{task_id}"] input[data-pick]').check()
    page.get_by_test_id("bulk-action").select_option("claim")
    page.get_by_test_id("bulk-submit").click()
    expect(page.locator(".flash-success")).to_contain_text("已领取 2 项任务")
    page.goto("/?tab=mine")
    for task_id in ids:
        expect(page.locator(f'[data-task-id="{task_id}"]')).to_be_visible()


def test_a_saved_view_brings_its_tab_and_filters_back_and_is_the_users_own(page, live, screen):
    name = f"组内投诉-{screen}"
    sign_in(page, "agent2")
    page.goto("/?tab=group")
    filters = page.locator("form.filters")
    category = filters.locator("select[name=category]")
    chosen = category.locator("option").nth(1).get_attribute("value")
    category.select_option(chosen)
    filters.get_by_role("button", name="查询").click()
    expect(page).to_have_url(re.compile(rf"category={chosen}"))
    page.get_by_test_id("view-name").fill(name)
    page.get_by_test_id("view-save").click()
    expect(page.locator(".flash-success")).to_contain_text(f"已保存视图“{name}”")
    view = page.locator(f'[data-view="{name}"]')
    expect(view).to_be_visible()

    page.goto("/?tab=mine")
    page.locator(f'[data-view="{name}"]').click()
    expect(page).to_have_url(re.compile(rf"category={chosen}"))
    expect(page.locator('[data-tab="group"]')).to_have_attribute("aria-current", "page")
    expect(page.locator("form.filters select[name=category]")).to_have_value(chosen)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], "no sideways scroll"

    other = Web(live[1]).login("agent")
    assert name not in other.text("/"), "another agent's inbox does not list it"

    page.get_by_role("button", name=f"删除视图 {name}").click()
    expect(page.locator(f'[data-view="{name}"]')).to_have_count(0)
