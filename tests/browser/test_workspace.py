"""The workspace in a real browser: register, work all eight steps by role, countdowns, errors, transfers."""

from __future__ import annotations

import itertools
import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from tests.browser.signing_in import sign_in

pytestmark = pytest.mark.browser

SCENARIOS = "processes/complaint_handling.scenarios.json"
USER_FOR_GROUP = {
    "agent": "agent",
    "dispatcher": "dispatcher",
    "handler_network": "network",
    "handler_billing": "billing",
    "supervisor": "supervisor",
}
_phones = itertools.count(1)


def expect(locator):
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator)


def scenario(name: str = "general_satisfied_first_reply") -> dict:
    with open(SCENARIOS, encoding="utf-8") as fh:
        return next(s for s in json.load(fh)["scenarios"] if s["name"] == name)


def new_phone() -> str:
    return f"1370000{next(_phones):04d}"


def keys_ready(page) -> None:
    """Wait until app.js has bound the keyboard shortcuts (scripts are deferred)."""
    expect(page.locator('body[data-js="ready"]')).to_have_count(1)


def sign_out(page) -> None:
    page.get_by_test_id("logout").click()
    expect(page.get_by_role("button", name="登录")).to_be_visible()


def fill_form(page, data: dict) -> None:
    """Fill a schema-rendered form field by field, as a person would."""
    for name, value in data.items():
        box = page.locator(f'[data-field="{name}"]')
        radios = box.locator('input[type="radio"]')
        if radios.count():
            v = ("true" if value else "false") if isinstance(value, bool) else str(value)
            box.locator(f'input[type="radio"][value="{v}"]').check()
            continue
        control = page.locator(f"#f-{name}")
        kind = control.evaluate("el => el.tagName.toLowerCase() + ':' + (el.type || '')")
        if kind.startswith("select"):
            control.select_option(str(value))
        elif kind == "input:checkbox":
            control.set_checked(bool(value))
        elif kind == "input:datetime-local":
            local = datetime.fromisoformat(value).astimezone(ZoneInfo("Asia/Shanghai"))
            control.fill(local.strftime("%Y-%m-%dT%H:%M"))
        else:
            control.fill(str(value))


def open_from_inbox(page, number: str) -> None:
    """Find the complaint in the inbox by its number and open it with the keyboard (j, Enter)."""
    page.goto(f"/?q={number}")
    expect(page.locator("[data-row]")).to_have_count(1)
    keys_ready(page)
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("complaint-number")).to_have_text(number)
    keys_ready(page)  # the task page's own scripts (reply templates, countdowns) are bound


def submit_and_expect(page, title: str | None) -> None:
    page.get_by_test_id("submit").click()
    if title:
        expect(page.get_by_test_id("task-title")).to_have_text(title)
        keys_ready(page)  # the next page's deferred scripts ran: a template picked before that inserts nothing


def test_an_agent_takes_a_phone_complaint_on_one_screen_and_each_role_works_it_to_the_end(page, live, screenshots):
    sc = scenario()
    steps = {s["task"]: s["data"] for s in sc["steps"]}
    phone = new_phone()
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and "/complaints/new" in r.url else None)
    sign_in(page, "agent")
    keys_ready(page)
    page.keyboard.press("/")
    expect(page.locator("[data-search]")).to_be_focused()

    page.get_by_role("link", name="登记投诉").click()
    expect(page.get_by_test_id("ti-panel")).to_be_attached()  # the text suggestions (F8 accepts) sit beside it
    fill_form(
        page,
        {"customer_name": "张伟", "customer_phone": phone, "channel": "phone", "matter": sc["start_data"]["matter"]},
    )
    expect(page.get_by_test_id("customer-lookup")).to_contain_text("该号码没有历史投诉")
    # a special type's field appears only with its type
    expect(page.locator('[data-field="suspect_number"]')).to_be_hidden()
    page.locator("#f-special_type").select_option("fraud")
    expect(page.locator('[data-field="suspect_number"]')).to_be_visible()
    page.locator("#f-special_type").select_option("none")
    expect(page.locator('[data-field="suspect_number"]')).to_be_hidden()

    record = {
        k: v
        for k, v in steps["register"].items()
        if k not in ("customer_name", "customer_phone", "channel", "matter", "read_back_confirmed")
    }
    fill_form(page, record | steps["classify"])
    readback = page.get_by_test_id("readback")
    expect(readback).to_contain_text(steps["register"]["demand"])
    expect(readback).to_contain_text("网络质量")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(screenshots / "intake.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(screenshots / "intake-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_test_id("submit").click()  # not read back yet: the page says so and sends nothing
    expect(page.locator("[data-intake-missing]")).to_contain_text("已向客户复述并确认")
    assert posts == []
    expect(page.locator("#f-place")).to_have_value(steps["register"]["place"])  # what was typed stays
    page.locator("#f-read_back_confirmed").check()
    page.get_by_test_id("submit").click()
    expect(page.locator(".flash-success")).to_contain_text("已登记并分类")
    number = page.get_by_test_id("complaint-number").inner_text()
    assert re.fullmatch(r"TS\d{14}", number)
    assert len(posts) == 1  # one submit at intake, and nothing asks the agent again before dispatch
    sign_out(page)

    sign_in(page, "dispatcher")
    open_from_inbox(page, number)
    expect(page.get_by_test_id("task-title")).to_have_text("投诉分发")
    countdown = page.locator(".page-head .sla[data-due]")
    expect(countdown).to_be_visible()
    assert re.search(r"\d+时\d{2}分", countdown.inner_text())  # 2 h from the intake's classification
    fill_form(page, steps["dispatch"])
    page.get_by_test_id("submit").click()
    expect(page.locator(".flash-success")).to_contain_text("投诉分发")
    sign_out(page)

    sign_in(page, "network")
    page.goto(f"/?q={number}")
    keys_ready(page)
    page.keyboard.press("j")
    page.keyboard.press("c")  # claim the selected row
    expect(page.get_by_test_id("holder")).to_have_text("赵磊")
    fill_form(page, steps["handle"])
    page.get_by_test_id("submit").click()
    expect(page.locator(".flash-success")).to_contain_text("投诉处理")
    sign_out(page)

    sign_in(page, "agent")
    open_from_inbox(page, number)
    expect(page.get_by_test_id("task-title")).to_have_text("投诉跟踪")
    fill_form(page, steps["track"])
    submit_and_expect(page, "投诉反馈")
    page.get_by_test_id("reply-templates").select_option(index=1)  # a reply template (话术)
    expect(page.locator("#f-reply")).to_have_value(re.compile("张伟您好"))
    fill_form(page, {k: v for k, v in steps["feedback"].items() if k != "reply"})
    submit_and_expect(page, "投诉总结")
    fill_form(page, steps["summarize"])
    page.get_by_test_id("submit").click()
    expect(page.locator(".flash-success")).to_contain_text("投诉总结")
    page.goto(f"/complaints?q={number}")
    expect(page.locator("[data-row]")).to_contain_text("已办结")


def test_a_letter_waits_in_the_receive_queue_and_is_classified_and_registered_from_there(page, live):
    sc = scenario()
    steps = {s["task"]: s["data"] for s in sc["steps"]}
    phone = new_phone()
    sign_in(page, "agent")
    page.goto("/complaints/new")
    fill_form(
        page,
        {"customer_name": "张伟", "customer_phone": phone, "channel": "letter", "matter": sc["start_data"]["matter"]},
    )
    expect(page.locator('[data-field="category"]')).to_be_hidden()  # classified from the receive queue
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("task-title")).to_have_text("投诉接收")
    expect(page.get_by_test_id("instructions")).to_contain_text("张伟")
    keys_ready(page)
    page.keyboard.press("Control+Enter")  # the receive form is already filled from the registration
    expect(page.get_by_test_id("task-title")).to_have_text("投诉分类")
    countdown = page.locator(".page-head .sla[data-due]")
    expect(countdown).to_be_visible()
    first = countdown.inner_text()
    assert re.search(r"\d+分\d{2}秒|\d+时\d{2}分", first), first
    expect(countdown).not_to_have_text(first, timeout=5000)  # it counts down live
    # in English the same countdown, its units from the catalogue (countdown.*), as the server writes them
    page.locator('button[name="locale"][value="en"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    english = page.locator(".page-head .sla[data-due]")
    assert re.fullmatch(r"(\d+m \d{2}s|\d+h \d{2}m)", english.inner_text()), english.inner_text()
    expect(english).not_to_have_text(english.inner_text(), timeout=5000)
    assert re.fullmatch(r"(\d+m \d{2}s|\d+h \d{2}m)", english.inner_text()), english.inner_text()
    page.locator('button[name="locale"][value="zh-CN"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    keys_ready(page)
    fill_form(page, steps["classify"])
    submit_and_expect(page, "投诉登记")
    register = dict(steps["register"], customer_phone=phone, channel="letter", read_back_confirmed=False)
    fill_form(page, register)
    page.get_by_test_id("submit").click()
    expect(page.locator('[data-field="read_back_confirmed"] .error-text')).to_have_text("请勾选确认")
    expect(page.get_by_test_id("error-summary")).to_be_visible()
    page.locator("#f-read_back_confirmed").check()
    page.get_by_test_id("submit").click()
    expect(page.locator(".flash-success")).to_contain_text("投诉登记")


def seed(app, start: dict, steps: list[dict]) -> tuple[str, str | None]:
    """Register through the services and complete the given steps; return the number and the next task id."""
    from app.services.accounts import users as accounts
    from app.services.complaints import register as complaints
    from app.services.tasks import work as tasks

    rt = app.extensions["complaintflow"]
    users = {}

    def as_user(name):
        if name not in users:
            users[name] = accounts.authenticate(rt, name, "demo1234")
        return users[name]

    done = complaints.register_complaint(rt, as_user("agent"), start)
    instance_id = done["process_instance_id"]
    for step in steps:
        if step["task"] in ("receive", "register"):  # the customer is the one registered
            step = dict(step, data=dict(step["data"], **{k: v for k, v in start.items() if k in step["data"]}))
        v = as_user(USER_FOR_GROUP[step["group"]])
        ready = [t for t in tasks.list_tasks(rt, v, instance_id=instance_id) if t["element_id"] == step["task"]]
        tasks.complete_task(rt, v, ready[0]["id"], step["data"])
    left = tasks.list_tasks(rt, as_user("supervisor"), instance_id=instance_id)
    return done["number"], (left[0]["id"] if left else None)


def test_a_transferred_task_leaves_and_another_department_cannot_open_it(page, live):
    _, app, _ = live
    sc = scenario()
    number, task_id = seed(app, dict(sc["start_data"], customer_phone=new_phone()), sc["steps"][:4])
    sign_in(page, "network")
    page.goto(f"/tasks/{task_id}")
    expect(page.get_by_test_id("task-title")).to_have_text("投诉处理")
    page.get_by_role("button", name="转派").click()
    dialog = page.locator("#dlg-transfer")
    dialog.get_by_test_id("transfer-to").select_option("g:handler_billing")
    dialog.locator("textarea").fill("属于计费争议，转计费部")
    dialog.get_by_role("button", name="提交").click()
    expect(page.locator(".flash-success")).to_contain_text("已转派")
    page.goto(f"/tasks/{task_id}")
    expect(page.locator(".error-page")).to_contain_text("页面不存在")
    sign_out(page)

    sign_in(page, "hall")
    page.goto(f"/?q={number}")
    expect(page.get_by_test_id("inbox-empty")).to_be_visible()
    page.goto(f"/tasks/{task_id}")
    expect(page.locator(".error-page")).to_contain_text("页面不存在")
    sign_out(page)

    sign_in(page, "billing")
    open_from_inbox(page, number)
    expect(page.get_by_test_id("history")).to_contain_text("属于计费争议，转计费部")


def test_screenshots_of_the_main_pages(page, live, screenshots):
    """Inbox, task page and registration, with realistic data (docs/screenshots/ on request)."""
    _, app, clock = live
    sc, major = scenario(), scenario("major_complaint_supervisor_review")
    people = [
        ("李娜", "network", "general"),
        ("王磊", "billing", "major"),
        ("刘洋", "product", "general"),
        ("陈静", "service", "general"),
        ("杨帆", "aftersales", "general"),
        ("赵敏", "network", "major"),
    ]
    for i, (name, category, severity) in enumerate(people):
        start = dict(sc["start_data"], customer_name=name, customer_phone=f"1391234{i:04d}")
        classify = dict(sc["steps"][1], data={"category": category, "severity": severity, "special_type": "none"})
        # 李娜's first complaint, an hour earlier, is classified too: her second, of the same category, repeats it
        now = clock.now()
        clock.set(now - timedelta(hours=1) if i == 0 else now)
        seed(app, start, sc["steps"][:1] + ([classify] if i % 2 or i == 0 else []))
        clock.set(now)
    repeat_phone = "13912340000"
    number, task_id = seed(
        app, dict(sc["start_data"], customer_name="李娜", customer_phone=repeat_phone), sc["steps"][:6]
    )
    seed(app, dict(major["start_data"], customer_phone=new_phone()), [])

    sign_in(page, "agent")
    page.goto("/")
    expect(page.locator("[data-row]").first).to_be_visible()
    keys_ready(page)
    page.keyboard.press("j")
    page.screenshot(path=str(screenshots / "inbox.png"))

    page.goto(f"/tasks/{task_id}")
    expect(page.get_by_test_id("task-title")).to_have_text("投诉反馈")
    expect(page.get_by_test_id("repeat-flag")).to_be_visible()
    page.get_by_test_id("reply-templates").select_option(index=1)
    page.screenshot(path=str(screenshots / "task.png"), full_page=True)

    page.goto("/complaints/new")
    fill_form(page, {"customer_name": "李娜", "customer_phone": repeat_phone})
    expect(page.get_by_test_id("customer-lookup").locator("tbody tr").first).to_be_visible()
    page.screenshot(path=str(screenshots / "register.png"))
    for name in ("inbox.png", "task.png", "register.png"):
        assert (screenshots / name).stat().st_size > 10_000
