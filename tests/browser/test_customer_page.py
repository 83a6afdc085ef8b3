"""The customer's own page in a real browser: file a complaint, follow it by its own link and by its number plus
a one-time code, answer the survey the reply sent; an unsatisfied answer reopens the complaint, and following
it then says so."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.integration.customer_flow import handle_until_the_reply as _handle_until_the_reply
from tests.integration.customer_flow import survey_path as _survey_path

pytestmark = pytest.mark.browser


def expect(locator):
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator)


def _sent_code(app, number: str) -> str:
    """The one-time code the outbox sends to the customer's phone."""
    from app.models import Complaint, Notification
    from app.services.notifications.outbox import render

    rt = app.extensions["complaintflow"]
    with rt.db.read() as s:
        row = s.scalars(
            select(Notification)
            .join(Complaint, Complaint.id == Notification.complaint_id)
            .where(Complaint.number == number, Notification.template == "track_code", Notification.channel == "sms")
            .order_by(Notification.id.desc())
        ).first()
        return re.search(r"验证码为 (\d{6})", render(rt, row)[1]).group(1)


def test_file_follow_and_answer_unsatisfied_reopens(page, live, screenshots):
    _, app, _ = live
    page.goto("/customer/file")
    expect(page.get_by_role("heading", name="我要投诉")).to_be_visible()
    page.get_by_label("您的姓名").fill("孙悦")
    page.get_by_label("手机号码").fill("13698765432")
    page.get_by_label("投诉事项").fill("家里宽带晚上只有 2M，签约是 300M。")
    question = page.get_by_test_id("captcha-question").inner_text()
    a, b = map(int, re.findall(r"\d+", question))
    page.get_by_test_id("captcha-answer").fill(str(a + b))
    page.screenshot(path=str(screenshots / "customer-file.png"), full_page=True)
    page.get_by_test_id("file-submit").click()
    number = page.get_by_test_id("complaint-number").inner_text()
    assert re.fullmatch(r"TS\d{14}", number)

    page.get_by_test_id("track-link").click()  # the complaint's own link, also sent by SMS
    expect(page.get_by_test_id("track-stage")).to_contain_text("已受理")
    expect(page.get_by_test_id("track-result")).not_to_contain_text("孙悦")
    own_link = page.url

    iid = _handle_until_the_reply(app, number)
    page.goto(f"/customer/track?number={number}")
    page.get_by_test_id("send-code").click()
    expect(page.get_by_test_id("code-sent")).to_be_visible()
    page.get_by_label("短信验证码").fill(_sent_code(app, number))
    page.get_by_test_id("track-submit").click()
    expect(page.get_by_test_id("track-stage")).to_contain_text("已答复")
    expect(page.get_by_test_id("track-answer")).to_have_text("更换端口，网速恢复到 300M。")
    page.screenshot(path=str(screenshots / "customer-track.png"), full_page=True)

    page.goto(_survey_path(app, iid))
    expect(page.get_by_test_id("survey-number")).to_have_text(number)
    page.screenshot(path=str(screenshots / "customer-survey.png"), full_page=True)
    page.get_by_role("radio", name="不满意", exact=True).check()
    page.get_by_test_id("survey-submit").click()
    expect(page.locator(".error-summary")).to_be_visible()  # the reason is needed when unsatisfied
    page.get_by_role("radio", name="不满意", exact=True).check()
    page.get_by_label("不满意的原因").fill("晚上还是很慢，只有 50M。")
    page.get_by_test_id("survey-submit").click()
    expect(page.get_by_test_id("survey-thanks")).to_contain_text("重新处理")

    page.goto(own_link)
    expect(page.get_by_test_id("track-stage")).to_contain_text("处理中")
    expect(page.get_by_test_id("track-stage")).to_contain_text("已重新处理")

    from tests.conftest import Api

    tasks = Api(app.test_client()).get("network", f"/tasks?process_instance_id={iid}").get_json()["items"]
    assert [t["element_id"] for t in tasks] == ["handle"]  # reopened: back with the network department
    page.goto(_survey_path(app, iid))
    expect(page.get_by_test_id("survey-closed")).to_contain_text("已使用过")
