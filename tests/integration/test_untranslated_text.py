"""Every page as each role, in Chinese and in English: no event code, raw code value or Python repr is
shown, no English word in a Chinese page and no Chinese in an English one (outside what people typed).

Text set as code (`<code>`, `<kbd>`, `<samp>`: a command, a file name, a login name, a field name in
an audit record) is an identifier, not a word to translate, and is not read.

The customer's pages are read the same way in both languages: the home page, filing (with the form sent back
and the filed confirmation), following by number and by the complaint's own link, the survey.

A crawl: each role signs in, picks the language, opens its navigation, every page the app serves
without parameters, and every link on those pages within this app (detail pages of a complaint, a
task, a report); the visible text of each page is read as a user reads it (no script, style or
attribute values).

Pages that show what a library found (a refused holiday notice, a refused diagram import, the classifier's
import report, the editor's refusals) are read with those errors on them by test_untranslated_errors.py,
with the same checks.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.integration.test_web_flow import happy_path, register
from tests.integration.web_client import Web

ROOT = Path(__file__).resolve().parents[2]
ROLES = ("agent", "dispatcher", "network", "supervisor", "director", "owner", "manager")
MAX_PAGES = 60  # per role and language: the navigation, the endpoints, their pages' links one level down
SKIP = re.compile(
    r"/(logout|locale|static|vendor|api|favicon|customer|metrics)|/export|\.(csv|xlsx|bpmn|json|svg|png)$|/latest$"
)
EVENT_CODE = re.compile(
    r"\b(?:sla|task|timer|complaint|instance|compensation|outage|engine|note|contact|survey|evidence|incident)"
    r"\.[a-z_]+\b"
)
MACHINE_ACTOR = re.compile(r"\b(?:system|scheduler)\b")
ENGLISH_WORD = re.compile(r"\b[A-Za-z]{4,}\b")
SNAKE_CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")  # on_time, no_answer, supervisor_review
PYTHON_REPR = re.compile(r"\{'|\['|\bobject at 0x|datetime\.datetime|Decimal\(")  # None, True: English words
CJK = re.compile(r"[\u3400-\u9fff]")
# Words that are names, not English: product names, units, a format a user types, the editor's licence mark.
ALLOWED = {
    "bpmn",
    "BPMN",
    "SpiffWorkflow",
    "Excel",
    "JSON",
    "ECharts",
    "Enter",
    "Ctrl",
    "Shift",
    "English",
    "Markdown",
    "Schema",
    "Camunda",
    "Modeler",
    "spiff",
    "arena",
    "demo",
    "http",
    "https",
    "mailto",
}


def _coded_values() -> set[str]:
    """Every code a form offers (category, responsibility, compensation...): shown raw, it is a finding."""
    codes = set()
    for path in (ROOT / "forms").glob("*-schema.json"):
        for node in json.loads(path.read_text(encoding="utf-8")).get("properties", {}).values():
            for option in node.get("oneOf", []) + node.get("items", {}).get("oneOf", []):
                if isinstance(option.get("const"), str) and option.get("title") != option["const"]:
                    codes.add(option["const"])
    return codes


CODES = _coded_values() | {"classify", "dispatch", "register", "receive", "handle", "track", "summarize"}


HIDDEN = ("script", "style", "template", "code", "kbd", "samp", "pre", "textarea")  # samples and input, not labels
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Text(HTMLParser):
    """The text a user sees, and the links of a page.

    Not read: identifiers (``HIDDEN`` elements, and anything styled ``mono``: numbers, ids) and text the
    page declares to be in another language (``lang="zh-CN"`` on the language switch, a diagram's
    instructions), which a reader of this page's language expects to see in that language.
    """

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.links: list[str] = []
        self.lang = ""
        self._skip: list[list] = []  # [tag, nesting] of each element whose text is not read

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang", "")
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag in VOID:
            return
        if self._skip and self._skip[-1][0] == tag:
            self._skip[-1][1] += 1
        elif (
            tag in HIDDEN
            or "mono" in (a.get("class") or "").split()
            or (a.get("lang") and self.lang and a["lang"] != self.lang)
        ):
            self._skip.append([tag, 1])

    def handle_endtag(self, tag):
        if self._skip and self._skip[-1][0] == tag:
            self._skip[-1][1] -= 1
            if not self._skip[-1][1]:
                self._skip.pop()

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.text.append(data.strip())


def _read(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


def _raw_codes(text: str) -> list[str]:
    found = [f"code {m}" for m in EVENT_CODE.findall(text)]
    found += [f"raw value {m}" for m in SNAKE_CODE.findall(text)]
    found += [f"raw value {text}" for _ in [1] if text in CODES]
    found += [f"repr {m}" for m in PYTHON_REPR.findall(text)]
    return found


XML_TAG = re.compile(r"</?[A-Za-z][\w:.-]*/?>")  # <bpmn:userTask>: an element of a file, named as it is written


def _problems_zh(text: str) -> list[str]:
    found = _raw_codes(text)
    text = XML_TAG.sub("", text)
    found += [f"raw value {m}" for m in re.findall(r"[:：]\s*([a-z]+)\b", text) if m in CODES]  # 责任归属：ours
    found += [f"actor {m}" for m in MACHINE_ACTOR.findall(text)]
    found += [f"English {w}" for w in ENGLISH_WORD.findall(text) if w not in ALLOWED and not w.isupper()]  # IPTV, SIM
    return found


def _problems_en(user_data: set[str]):
    def problems(text: str) -> list[str]:
        found = _raw_codes(text)
        rest = text
        for value in sorted(user_data, key=len, reverse=True):  # what people typed or named stays as typed
            rest = rest.replace(value, "")
        found += [f"Chinese {m}" for m in re.findall(r"[\u3400-\u9fff]+", rest)]
        return found

    return problems


def _endpoints(app) -> list[str]:
    """Every page the app serves without a parameter (GET, HTML blueprints)."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and not SKIP.search(rule.rule):
            paths.append(rule.rule)
    return sorted(paths)


def _crawl(web: Web, start: list[str], problems_of) -> dict[str, list[str]]:
    """path -> what is wrong on it, for every page the role reaches from the inbox and the endpoints."""
    seen: set[str] = set()
    queue = ["/", *start]
    out: dict[str, list[str]] = {}
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        r = web.get(path)
        if r.status_code != 200 or r.mimetype != "text/html":
            continue
        page = _read(r.get_data(as_text=True))
        lines = [t for t in page.text if problems_of(t)]
        if lines:
            out[path] = [f"{p}  ⟨{line[:80]}⟩" for line in lines for p in problems_of(line)]
        for href in page.links:
            parts = urlsplit(href)
            if parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query and "tab=" in parts.query else "")
            if target not in seen:
                queue.append(target)
    return out


@pytest.fixture
def worked_complaint(app, deployed):
    """A complaint past its first steps, so that timelines, tasks and the audit have something to show."""
    sc = happy_path()
    agent = Web(app).login("agent")
    number, task_id = register(agent, sc["start_data"])
    return sc["start_data"]


def _diagram_names() -> set[str]:
    """The names a process owner gave diagrams and their steps (Chinese; a step's English name is a message)."""
    from lxml import etree

    names = set()
    for path in (ROOT / "processes").glob("*.bpmn"):
        names |= {" ".join(el.get("name").split()) for el in etree.parse(str(path)).iter() if el.get("name")}
    return names


def _user_data(app, start: dict) -> set[str]:
    """What people typed or are called: a complaint's text, users' names, the diagrams' own names."""
    from sqlalchemy import select

    from app.domain.personal_data import mask_name
    from app.models import User

    rt = app.extensions["complaintflow"]
    with rt.db.read() as s:
        names = set(s.scalars(select(User.display_name)))
    typed = {v for v in start.values() if isinstance(v, str)}
    masked = {mask_name(v) for v in names | {start.get("customer_name", "")} if v}  # 张** where the name is hidden
    return {v for v in names | typed | masked | _diagram_names() if v}


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
def test_no_code_or_english_word_on_any_zh_cn_page(app, worked_complaint, role):
    web = Web(app).login(role)
    problems = _crawl(web, _endpoints(app), _problems_zh)
    assert not problems, "\n".join(f"{path}: {p}" for path, items in problems.items() for p in items)


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
def test_no_code_or_chinese_on_any_english_page(app, worked_complaint, role):
    web = Web(app).login(role)
    web.post("/locale", {"locale": "en"})
    problems = _crawl(web, _endpoints(app), _problems_en(_user_data(app, worked_complaint)))
    assert not problems, "\n".join(f"{path}: {p}" for path, items in problems.items() for p in items)


def test_the_complaint_list_names_the_current_step_in_english(app, worked_complaint):
    web = Web(app).login("agent")
    web.post("/locale", {"locale": "en"})
    rows = re.findall(r"<tr[^>]*>.*?</tr>", web.text("/complaints"), re.S)
    steps = [cells[-2] for row in rows[1:] if (cells := re.findall(r"<td[^>]*>(.*?)</td>", row, re.S))]
    assert steps and all(step and not CJK.search(step) for step in steps), steps


CUSTOMER_SAYS = {
    "customer_name": "孙悦",
    "customer_phone": "13698765321",
    "matter": "家里宽带晚上只有 2M，签约是 300M。",
}


def _customer_files(web: Web, answer_right: bool):
    from tests.integration.test_customer_page import QUESTION, TOKEN

    form = web.text("/customer/file")
    a, b = map(int, QUESTION.search(form).groups())
    sent = CUSTOMER_SAYS | {
        "captcha_token": TOKEN.search(form).group(1),
        "captcha_question": f"{a} + {b} = ?",
        "captcha_answer": str(a + b) if answer_right else "-1",
    }
    return web.post("/customer/file", sent, content_type="multipart/form-data")


@pytest.mark.slow
@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_the_customers_pages_show_no_code_and_speak_the_chosen_language(app, deployed, locale):
    from tests.integration.customer_flow import STAFF_TYPED, handle_until_the_reply, survey_path

    web = Web(app)
    web.post("/locale", {"locale": locale})
    pages = {"/customer/file (sent back)": _customer_files(web, answer_right=False)}
    filed = _customer_files(web, answer_right=True)
    assert filed.status_code == 201
    pages["/customer/file (filed)"] = filed
    html = filed.get_data(as_text=True)
    number = re.search(r'data-testid="complaint-number">(TS\d{14})<', html).group(1)
    link = re.search(r'href="(/customer/track/[^"/]+)"', html).group(1)
    survey = survey_path(app, handle_until_the_reply(app, number))
    for path in ("/login", "/customer/", "/customer/file", "/customer/track", f"/customer/track?number={number}", link):
        pages[path] = web.get(path)
    pages["the survey"] = web.get(survey)
    typed = set(CUSTOMER_SAYS.values()) | set(STAFF_TYPED)
    problems_of = _problems_zh if locale == "zh-CN" else _problems_en(typed | _user_data(app, CUSTOMER_SAYS))
    problems = {}
    for name, r in pages.items():
        assert r.status_code in (200, 201, 422), (name, r.status_code)
        page = _read(r.get_data(as_text=True))
        assert page.lang == locale, f"{name} is in {page.lang}"
        found = [f"{p}  ⟨{line[:80]}⟩" for line in page.text for p in problems_of(line)]
        if found:
            problems[name] = found
    assert not problems, "\n".join(f"{path}: {p}" for path, items in problems.items() for p in items)
