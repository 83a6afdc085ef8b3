"""A refusal reads in the page's language: the service's message code in Chinese or English, never the API's
English sentence on a Chinese page (the API keeps its English detail and gains the code)."""

from __future__ import annotations

import re

from tests.integration.test_customer_page import QUESTION, TOKEN
from tests.integration.test_live_work import _ready_task
from tests.integration.test_web_flow import happy_path, register
from tests.integration.web_client import Web

FLASH = re.compile(r'<div class="flash flash-error" role="status">([^<]*)</div>')
FIELD_ERROR = re.compile(r'<span class="error-text" role="alert">([^<]*)</span>')
CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_WORDS = re.compile(r"[A-Za-z]{3,} [A-Za-z]{3,}")


def _unclaimed_agent_task(app, rt) -> str:
    agent = Web(app).login("agent")
    _, task_id = register(agent, happy_path()["start_data"])
    agent.post(f"/tasks/{task_id}/release", {"reason": "交班"})
    task = _ready_task(rt, candidate_group="agent")
    assert task is not None and task.assignee_id is None
    return task.id


def _bulk_refusals(web: Web, task_id: str) -> list[str]:
    web.post("/bulk", {"action": "claim", "task_ids": [task_id]})  # the task works for another group
    web.post("/bulk", {"action": "transfer", "task_ids": [task_id], "to_group": "dispatcher", "reason": "派错了"})
    return FLASH.findall(web.text("/"))


def test_a_refused_bulk_action_reads_in_chinese_and_in_english(app, rt, deployed):
    task_id = _unclaimed_agent_task(app, rt)
    dispatcher = Web(app).login("dispatcher")
    zh = _bulk_refusals(dispatcher, task_id)
    assert len(zh) == 2, zh
    for text in zh:
        assert CJK.search(text) and not ENGLISH_WORDS.search(text), text
    agent2 = Web(app).login("agent2")  # works the step, but the dispatchers do not
    (refused,) = _bulk_refusals(agent2, task_id)[-1:]
    assert "派单员不处理" in refused and "does not work" not in refused, refused

    agent2.post("/locale", {"locale": "en", "next": "/"})
    en = _bulk_refusals(agent2, task_id)
    assert any("Dispatcher does not work" in text for text in en), en


def _wrong_captcha(web: Web) -> str:
    page = web.text("/customer/file")
    a, b = map(int, QUESTION.search(page).groups())
    form = {
        "customer_name": "刘芳",
        "customer_phone": "13912340000",
        "matter": "断网。",
        "captcha_token": TOKEN.search(page).group(1),
        "captcha_answer": str(a + b + 1),
    }
    r = web.post("/customer/file", form)
    assert r.status_code == 422
    return " ".join(FIELD_ERROR.findall(r.get_data(as_text=True)))


def test_a_wrong_captcha_reads_in_chinese_and_in_english(app, deployed):
    web = Web(app)
    zh = _wrong_captcha(web)
    assert "验证答案不正确" in zh and not ENGLISH_WORDS.search(zh), zh
    web.post("/locale", {"locale": "en", "next": "/customer/file"})
    en = _wrong_captcha(web)
    assert "wrong or has expired" in en and not CJK.search(en), en


def test_the_api_keeps_its_english_detail_and_gains_the_code(app, api, rt, deployed):
    task_id = _unclaimed_agent_task(app, rt)
    r = api.post("agent2", f"/tasks/{task_id}/transfer", json={"to_group": "dispatcher", "reason": "派错了"})
    assert r.status_code == 422
    body = r.get_json()
    assert "does not work" in body["errors"][0]["message"]
    assert body["errors"][0]["code"] == "transfer.group_not_in_step"
    r = api.post("agent2", f"/tasks/{task_id}/release", json={"reason": "x"})
    assert r.status_code == 409 and r.get_json()["code"] == "task.not_held"
    assert r.get_json()["detail"] == "you do not hold this task"
