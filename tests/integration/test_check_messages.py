"""The diagram checks in the owner's language: each problem's code and values said through the catalogues."""

from __future__ import annotations

import io
import re
from pathlib import Path

from app.web.diagram_problems import CODES
from tests.diagrams import Node, build, linear, script, timer
from tests.integration.test_model_pages import post_json
from tests.integration.web_client import Web

ROOT = Path(__file__).resolve().parents[2]
COMPLAINT = (ROOT / "processes" / "complaint_handling.bpmn").read_text(encoding="utf-8")
BROKEN_TIMER = COMPLAINT.replace('sla_due("classify", registered_at)', 'sla_due("classify", registered_at', 1)
QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|<[^>]*>|\([^)]*\)|（原文：.*）")


def _english_left(text: str) -> str | None:
    """Two English words in a row outside quotes and brackets: an English sentence in a Chinese message."""
    found = re.search(r"[a-z]{3,} [a-z]{3,}", QUOTED.sub("", text))
    return found.group(0) if found else None


def _check(web: Web, bpmn: str, process_id: str = "_new") -> list[dict]:
    r = post_json(web, f"/models/{process_id}/check", {"bpmn": bpmn})
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    return r.get_json()["problems"]


def _english(web: Web) -> Web:
    with web.client.session_transaction() as session:
        session["locale"] = "en"
    return web


def test_a_broken_timer_reads_in_chinese_in_the_editor_and_in_english_through_message(app, deployed):
    owner = Web(app).login("owner")
    (problem,) = [p for p in _check(owner, BROKEN_TIMER, "complaint_handling") if p["rule"] == "expression"]
    assert problem["code"] == "check.timer.syntax" and problem["params"]["detail"] == "'(' was never closed"
    assert "语法错误" in problem["text"] and "“(”没有闭合" in problem["text"]
    assert "was never closed" not in problem["text"] and "syntax error" not in problem["text"]
    assert "timer: syntax error: '(' was never closed" in problem["message"]  # API clients and logs
    english = _check(_english(owner), BROKEN_TIMER, "complaint_handling")
    (problem,) = [p for p in english if p["rule"] == "expression"]
    assert problem["text"].startswith("timer: syntax error: '(' was never closed")


BAD_SCRIPTS = [
    "x = (1, 2",  # '(' was never closed
    "x = 'open",  # unterminated string literal
    "  x = 1",  # unexpected indent
    "if x\n    y = 1",  # expected ':'
    "x = = 1",  # invalid syntax
    "x = severity.__class__",  # refused by the sandbox
    "x = rework + 1",  # a name nobody declared
    "",  # empty
]


def _bad_diagrams() -> list[str]:
    scripts = [linear("p", [Node("scriptTask", "s", "脚本", script(source))]).decode("utf-8") for source in BAD_SCRIPTS]
    timers = [
        linear(
            "p",
            [
                Node("userTask", "t", "处理"),
                Node("boundaryEvent", "b", "超时", timer(expression), {"attachedToRef": "t"}),
            ],
        ).decode("utf-8")
        for expression in ("PT2H", 'sla_due("nowhere")', "sla_due(")
    ]
    messy = build(
        "p",
        [
            Node("startEvent", "start", "", at=(0, 0)),
            Node("exclusiveGateway", "g", "", at=(1, 0)),
            Node("userTask", "a", "", at=(2, 0)),
            Node("userTask", "b", "", at=(2, 0)),
            Node("task", "lonely", "", at=(3, 1)),
            Node("inclusiveGateway", "ig", "包容", at=(3, 0)),
        ],
        [("f1", "start", "g"), ("f2", "g", "a"), ("f3", "g", "b"), ("f4", "a", "ig"), ("f5", "b", "ig")],
    ).decode("utf-8")
    lanes = COMPLAINT.replace('name="一线客服"', 'name="Nobody here"', 1)
    return [
        *scripts,
        *timers,
        messy,
        lanes,
        BROKEN_TIMER,
        "<bpmn:definitions>",
        COMPLAINT.replace('isExecutable="true"', 'isExecutable="false"'),
        *[p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests" / "corpus").glob("*.bpmn"))],
    ]


def test_every_problem_the_checks_find_reads_in_both_languages(app, deployed):
    owner = Web(app).login("owner")
    chinese = [p for bpmn in _bad_diagrams() for p in _check(owner, bpmn)]
    codes = {p["code"] for p in chinese}
    assert "" not in codes and codes <= set(CODES)
    assert len(codes) >= 25, sorted(codes)  # the battery reaches most kinds of problem
    english_left = [(p["code"], p["text"]) for p in chinese if _english_left(p["text"])]
    assert english_left == []
    assert not [p for p in chinese if re.search(r"check\.\w+", p["text"])]  # no key shown as itself
    english = [p for bpmn in _bad_diagrams() for p in _check(_english(Web(app).login("owner")), bpmn)]
    assert [p["code"] for p in english] == [p["code"] for p in chinese]
    assert not [p for p in english if re.search(r"[\u4e00-\u9fff]", QUOTED.sub("", p["text"]))]


DETAILS = [
    "'(' was never closed",
    "invalid syntax",
    "invalid syntax. Perhaps you forgot a comma?",
    "unterminated string literal (detected at line 1)",
    "unexpected indent",
    "expected ':'",
    "unmatched ')'",
    "attribute '__class__' is not allowed",
    "method .format() is not allowed",
    "operator Pow is not allowed",
    "name '_secret' is not allowed (names starting with '_')",
    "a set literal is not allowed",
    "nested deeper than 40 levels",
    "connector 'sms/send' has no parameter 'x' (it takes: phone, template)",
    "connector 'sms/send' needs parameter 'to' (the phone number)",
    "a time limit is an amount and a unit, e.g. '2 hours', got 'soon'",
    "unknown unit 'weeks' (known: hours, working_days)",
    "the amount must be a positive number for hours, got '0'",
    "No start event found",
    "Non-default exclusive outgoing sequence flow without condition",
    "A multiinstance task must specify a cardinality or a collection",
    "a form schema must be a JSON object",
    "not valid JSON: Expecting value: line 1 column 1 (char 0)",
    "not a valid JSON Schema: 'nonsense' is not valid under any of the given schemas (at the root)",
]


def test_python_and_the_checks_own_details_read_in_chinese(app):
    from flask import g

    from app.web.diagram_problems import detail_parts, python_detail

    with app.test_request_context():  # Flask-Babel keeps one request's catalogue: one context per language
        g.locale = "zh-CN"
        chinese = {detail: python_detail(detail) for detail in DETAILS}
    with app.test_request_context():
        g.locale = "en"
        english = {detail: python_detail(detail) for detail in DETAILS}
    assert not [(d, text) for d, text in chinese.items() if _english_left(text)]
    # said in Chinese, the JSON parsers' own words included: nothing is left to a technical detail
    assert not [d for d in DETAILS if "技术细节" in chinese[d]]
    assert not [d for d, text in chinese.items() if not re.search(r"[\u4e00-\u9fff]", text)]
    assert chinese["'(' was never closed"] == "“(”没有闭合"
    assert english["'(' was never closed"] == "'(' was never closed"
    # a detail the tables do not know is not quoted in the Chinese sentence: it is handed back apart, to fold
    with app.test_request_context():
        g.locale = "zh-CN"
        assert python_detail("f-string: single '}' is not allowed here") != ""
        assert detail_parts("something new from Python") == (
            "（原因未能译出，见技术细节）",
            "something new from Python",
        )
    with app.test_request_context():
        g.locale = "en"
        assert detail_parts("something new from Python") == ("something new from Python", "")
    # what Python says cannot be assigned to, in words; an unknown target is folded, never quoted
    with app.test_request_context():
        g.locale = "zh-CN"
        assert detail_parts("cannot assign to function call here. Maybe you meant '==' instead of '='?") == (
            "不能给函数调用赋值",
            "",
        )
        said, technical = detail_parts("cannot assign to ellipsis here")
        assert technical == "cannot assign to ellipsis here" and "ellipsis" not in said


def test_an_import_that_fails_says_why_in_chinese(app, deployed):
    owner = Web(app).login("owner")
    owner.get("/models")
    for name, data, said in [
        ("broken.bpmn", b"<bpmn:definitions>", "XML 格式不正确"),
        ("notes.txt", b"hello", "请选择 .bpmn 或 .bpmn20.xml 文件"),
    ]:
        r = owner.post("/models/import", {"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
        assert r.status_code == 302
        page = owner.text("/models")
        assert "无法导入" in page and said in page, name
        assert "not well-formed" not in page and "choose a" not in page
