"""Every main page, as each role that uses it, at desktop and at phone width: no serious or critical
axe-core violation, and on a phone no page scrolls sideways.

The main pages of a role are what its menu offers (read from the page and checked against ``MENU``, so
an item added or lost is noticed here), the top bar's own pages (notices, settings) and the detail pages
its lists lead to: a task and a complaint, an instance's audit page, the diagram editor. The customer's
pages are checked too: filing, the filed confirmation, following by link and by number, the survey."""

from __future__ import annotations

import re

import pytest

from tests.browser.accessibility import AXE, serious_violations
from tests.browser.signing_in import sign_in
from tests.integration.customer_flow import handle_until_the_reply, survey_path
from tests.browser.test_workspace import new_phone
from tests.browser.top_bar import folded
from tests.integration.test_web_flow import happy_path, register
from tests.integration.web_client import Web

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHARED = ["/", "/complaints", "/outages"]  # every staff member's menu starts with these
OVERSEERS = [
    *SHARED,
    "/text/bursts",
    "/appeals",
    "/extensions",
    "/calendar",
    "/reports/instances",
    "/text/classifier",
    "/reports/access-log",
    "/reports",
    "/reports/satisfaction",
]
MENU = {
    "agent": ["/", "/complaints/new", "/complaints", "/outages", "/appeals"],
    "dispatcher": SHARED,
    "network": [*SHARED, "/text/bursts"],
    "supervisor": OVERSEERS,
    "director": OVERSEERS,
    "owner": [*SHARED, "/models", "/calendar", "/text/classifier"],
    "manager": [
        *SHARED,
        "/appeals",
        "/models",
        "/calendar",
        "/reports/instances",
        "/text/classifier",
        "/reports/access-log",
        "/reports",
        "/reports/satisfaction",
    ],
}
TOP_BAR = ["/notices", "/settings"]
# Pages a role's lists lead to, beyond the menu (filled in by the ``details`` fixture).
DETAILS = {
    "agent": ("task", "complaint"),
    "supervisor": ("task", "complaint", "instance"),
    "manager": ("instance", "regulator", "improvement", "periodicity"),
    "owner": ("editor",),
}


def expect(locator):
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator)


@pytest.fixture(params=["desktop", "phone"])
def screen(request) -> str:
    return request.param


@pytest.fixture(autouse=True)
def _axe_installed():
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")


@pytest.fixture(scope="module")
def details(live) -> dict[str, str]:
    """A complaint at its first step, and the addresses of the detail pages that show it."""
    _, app, _ = live
    from app.models import Complaint

    agent = Web(app).login("agent")
    number, task_id = register(agent, dict(happy_path()["start_data"], customer_phone=new_phone()))
    rt = app.extensions["complaintflow"]
    with rt.db.read() as s:
        c = s.query(Complaint).filter_by(number=number).one()
        complaint_id, instance_id = c.id, c.instance_id
    return {
        "task": f"/tasks/{task_id}",
        "complaint": f"/complaints/{complaint_id}",
        "instance": f"/reports/instances/{instance_id}",
        "regulator": "/reports/regulator",
        "improvement": "/reports/improvement-actions",
        "periodicity": "/reports/periodicity",
        "editor": "/models/complaint_handling",  # the diagram, its properties panel and checks
    }


def _check(page, path: str) -> list[str]:
    """What is wrong on one page: axe's serious and critical findings, and a phone page wider than the phone."""
    response = page.goto(path)
    assert response and response.ok, f"{path}: {response and response.status}"
    page.wait_for_load_state("load")
    problems = serious_violations(page)
    if folded(page):
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > page.viewport_size["width"]:
            problems.append(f"{path} is {width} px wide on a {page.viewport_size['width']} px screen")
    return problems


@pytest.mark.parametrize("role", sorted(MENU))
def test_every_main_page_of_a_role_has_no_serious_violation(page, role, details):
    sign_in(page, role)
    menu = page.locator(".mainnav a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert menu == MENU[role], f"{role}'s menu changed: check its pages here"
    problems = []
    for path in [*menu, *TOP_BAR, *(details[d] for d in DETAILS.get(role, ()))]:
        problems += _check(page, path)
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="module")
def customer_pages(live) -> dict[str, str]:
    """The customer's pages of one complaint filed through the customer page and handled up to the reply."""
    from tests.integration.test_customer_page import NUMBER, QUESTION, TOKEN

    _, app, _ = live
    web = Web(app)
    form = web.text("/customer/file")
    a, b = map(int, QUESTION.search(form).groups())
    r = web.post(
        "/customer/file",
        {
            "customer_name": "孙悦",
            "customer_phone": new_phone(),
            "matter": "家里宽带晚上只有 2M，签约是 300M。",
            "captcha_token": TOKEN.search(form).group(1),
            "captcha_question": f"{a} + {b} = ?",
            "captcha_answer": str(a + b),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 201
    filed = r.get_data(as_text=True)
    number = NUMBER.search(filed).group(1)
    link = re.search(r'href="(/customer/track/[^"/]+)"', filed).group(1)
    survey = survey_path(app, handle_until_the_reply(app, number))
    return {"number": number, "track": link, "survey": survey}


def test_the_customers_pages_have_no_serious_violation(page, customer_pages):
    problems = []
    for path in ["/login", "/customer", "/customer/track", customer_pages["track"], customer_pages["survey"]]:
        problems += _check(page, path)
    problems += _check(page, "/customer/file")
    page.get_by_label("您的姓名").fill("孙悦")
    page.get_by_label("手机号码").fill(new_phone())
    page.get_by_label("投诉事项").fill("营业厅办理的套餐与宣传不符。")
    page.get_by_test_id("captcha-answer").fill("-1")  # sent back: the form with its errors beside the fields
    page.get_by_test_id("file-submit").click()
    expect(page.get_by_test_id("captcha-answer")).to_be_visible()
    problems += serious_violations(page)
    a, b = map(int, re.findall(r"\d+", page.get_by_test_id("captcha-question").inner_text()))
    page.get_by_test_id("captcha-answer").fill(str(a + b))
    page.get_by_test_id("file-submit").click()
    expect(page.get_by_test_id("complaint-number")).to_be_visible()
    problems += serious_violations(page)
    assert not problems, "\n".join(problems)
