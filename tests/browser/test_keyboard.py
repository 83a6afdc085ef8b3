"""In the browser, by keyboard alone (Tab, Space, Enter, Escape and the app's shortcuts), at desktop and at
phone width: tick several tasks in the inbox and claim, release and transfer them in bulk; see a notice arrive,
dismiss it, open the list and mark it read. Each element reached shows its focus."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.browser.signing_in import sign_in
from tests.browser.test_workspace import keys_ready, new_phone
from tests.browser.top_bar import folded, notice_count
from tests.integration.test_web_flow import happy_path, register
from tests.integration.web_client import Web

pytestmark = pytest.mark.browser


def expect(locator):
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator)


@pytest.fixture(params=["desktop", "phone"])
def screen(request) -> str:
    return request.param


# The focus ring the user sees: an outline (or a box shadow) drawn around the focused element.
FOCUS_RING = """() => {
  const el = document.activeElement, s = getComputedStyle(el);
  return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
}"""


def _focused_visibly(page) -> None:
    assert page.evaluate(FOCUS_RING), page.evaluate("document.activeElement.outerHTML.slice(0, 200)")


def _tab_to(page, selector: str, limit: int = 80, back: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the element is focused, as a keyboard user would."""
    target = page.locator(selector)
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            _focused_visibly(page)
            return
        page.keyboard.press("Shift+Tab" if back else "Tab")
    raise AssertionError(f"{selector} is not reachable by Tab")


def _pick(page, task_ids: list[str]) -> None:
    """j/k to each row (in the order shown), x to tick it."""
    rows = page.locator("[data-rows] [data-row]")
    order = [rows.nth(i).get_attribute("data-task-id") for i in range(rows.count())]
    position = -1
    for task_id in sorted(task_ids, key=order.index):
        for _ in range(order.index(task_id) - position):
            page.keyboard.press("j")
        position = order.index(task_id)
        expect(page.locator(f'[data-task-id="{task_id}"] a.rowlink')).to_be_focused()
        _focused_visibly(page)
        page.keyboard.press("x")
        expect(page.locator(f'[data-task-id="{task_id}"] input[data-pick]')).to_be_checked()


def _choose(page, select: str, value: str) -> None:
    """Arrow keys through a focused select until the option is chosen."""
    for _ in range(30):
        if page.locator(select).input_value() == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{value} is not among {select}'s options")


def _bulk(page, action: str, group: str | None = None) -> None:
    _tab_to(page, "[data-testid=bulk-action]", back=True)
    _choose(page, "[data-testid=bulk-action]", action)
    if group:
        page.keyboard.press("Tab")
        _choose(page, "[data-testid=bulk-group]", group)
        page.keyboard.press("Tab")
        page.keyboard.type("按区域重新分配")
    _tab_to(page, "[data-testid=bulk-submit]")
    page.keyboard.press("Enter")


def _released_tasks(app, n: int) -> list[str]:
    agent = Web(app).login("agent")
    ids = []
    for _ in range(n):
        _, task_id = register(agent, dict(happy_path()["start_data"], customer_phone=new_phone()))
        agent.post(f"/tasks/{task_id}/release", {"reason": "交班"})
        ids.append(task_id)
    return ids


def test_bulk_claim_release_and_transfer_by_keyboard(page, live):
    _, app, _ = live
    ids = _released_tasks(app, 3)
    sign_in(page, "agent2")
    page.goto("/?tab=group")
    page.wait_for_load_state("load")
    expect(page.locator("body[data-js=ready]")).to_have_count(1)

    _pick(page, ids)
    _bulk(page, "claim")
    expect(page.locator(".flash-success")).to_contain_text("已领取 3 项任务")

    page.goto("/?tab=mine")
    page.wait_for_load_state("load")
    _pick(page, ids[:1])
    _bulk(page, "release")
    expect(page.locator(".flash-success")).to_contain_text("已退回组内 1 项任务")

    page.goto("/?tab=mine")
    page.wait_for_load_state("load")
    _pick(page, ids[1:])
    _bulk(page, "transfer", group="agent")
    expect(page.locator(".flash-success")).to_contain_text("2 项任务")
    from app.models import HumanTask

    with app.extensions["complaintflow"].db.read() as s:
        seats = {
            r.id: (r.candidate_group, r.assignee_id)
            for r in s.execute(
                select(HumanTask.id, HumanTask.candidate_group, HumanTask.assignee_id).where(HumanTask.id.in_(ids))
            )
        }
    assert [seats[i] for i in ids[1:]] == [("agent", None), ("agent", None)], "handed to the whole group"


def test_a_notice_is_read_dismissed_opened_and_marked_read_by_keyboard(page, live):
    _, app, _ = live
    from app.models import User

    agent = Web(app).login("agent")
    number, task_id = register(agent, dict(happy_path()["start_data"], customer_phone=new_phone()))
    sign_in(page, "agent2")
    page.goto("/")
    page.wait_for_load_state("load")
    with app.extensions["complaintflow"].db.read() as s:
        agent2 = s.scalar(select(User.id).where(User.username == "agent2"))
    supervisor = Web(app).login("supervisor")
    assert supervisor.post(f"/tasks/{task_id}/transfer", {"to": f"u:{agent2}", "reason": "请协助"}).status_code == 302

    page.evaluate("document.dispatchEvent(new Event('notices:poll-now'))")  # the 30-second poll, now
    toast = page.locator("[data-toast]")
    expect(toast).to_contain_text(number)
    expect(notice_count(page)).to_have_text("1")
    # the toast's link and close button are in the Tab order; Esc dismisses it from anywhere
    _tab_to(page, "[data-toast] a")
    page.keyboard.press("Escape")
    expect(toast).to_have_count(0)
    # focus stays in the top bar: on the notices link, or on a phone the menu button that folds it away
    expect(page.locator("[data-nav-toggle]" if folded(page) else "[data-notices]")).to_be_focused()
    _focused_visibly(page)

    page.keyboard.press("g")
    page.keyboard.press("n")
    expect(page.get_by_test_id("notices")).to_contain_text(number)
    page.wait_for_load_state("load")
    _tab_to(page, "[data-testid=notices-read]")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("notices-read")).to_have_count(0)
    expect(notice_count(page)).to_be_hidden()
    keys_ready(page)  # marking read reloads the list: "?" before the new page's app.js opens nothing

    page.keyboard.press("?")
    help_dialog = page.locator("#shortcut-help")
    expect(help_dialog).to_be_visible()
    expect(help_dialog).to_contain_text("勾选当前行")
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()
