"""In the browser: a task assigned to me shows as a toast and a count in the top bar while I sit in the
inbox, the inbox brings the task in by itself, and bulk claim works from the inbox."""

from __future__ import annotations


import pytest
from sqlalchemy import select

from tests.browser.signing_in import sign_in
from tests.integration.test_web_flow import happy_path, register
from tests.integration.web_client import Web

pytestmark = pytest.mark.browser


def expect(locator):
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator)


def _user_id(app, username: str) -> int:
    from app.models import User

    rt = app.extensions["complaintflow"]
    with rt.db.read() as s:
        return s.scalar(select(User.id).where(User.username == username))


def test_a_task_assigned_to_me_arrives_as_a_notice_and_in_my_inbox(page, live, screenshots):
    _, app, _ = live
    agent = Web(app).login("agent")
    start = dict(happy_path()["start_data"], customer_name="周晓", customer_phone="13955550001")
    number, task_id = register(agent, start)

    sign_in(page, "agent2")
    page.goto("/?tab=mine")
    expect(page.locator("[data-notices]")).to_be_visible()
    expect(page.locator(f'[data-task-id="{task_id}"]')).to_have_count(0)

    supervisor = Web(app).login("supervisor")
    r = supervisor.post(f"/tasks/{task_id}/transfer", {"to": f"u:{_user_id(app, 'agent2')}", "reason": "王芳今日请假"})
    assert r.status_code == 302

    page.evaluate("document.dispatchEvent(new Event('notices:poll-now'))")  # the 30-second poll, now
    toast = page.locator("[data-toast]")
    expect(toast).to_contain_text("有任务转派给您")
    expect(toast).to_contain_text(number)
    expect(page.locator("[data-notice-count]")).to_have_text("1")
    page.evaluate("document.dispatchEvent(new Event('inbox:refresh-now'))")
    expect(page.locator(f'[data-task-id="{task_id}"]')).to_be_visible()
    page.screenshot(path=str(screenshots / "inbox-notice.png"))

    page.locator("[data-notices]").click()
    expect(page.get_by_test_id("notices")).to_contain_text("周敏")
    page.get_by_test_id("notices-read").click()
    expect(page.locator("[data-notice-count]")).to_be_hidden()


def test_bulk_claim_from_the_inbox(page, live):
    _, app, _ = live
    agent = Web(app).login("agent")
    ids = []
    for i in range(2):
        _, task_id = register(agent, dict(happy_path()["start_data"], customer_phone=f"1395555010{i}"))
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
