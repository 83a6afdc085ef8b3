"""Every page as each role, in Chinese: no event code, machine actor or stray English word is shown.

Text set as code (`<code>`, `<kbd>`, `<samp>`: a command, a file name, a login name, a field name in
an audit record) is an identifier, not a word to translate, and is not read.

A crawl: each role signs in, opens its navigation and every link on those pages within this app
(detail pages of a complaint, a task, a report), and the visible text of each zh-CN page is read
as a user reads it (no script, style or attribute values).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from tests.integration.test_web_flow import happy_path, register
from tests.integration.web_client import Web

ROLES = ("agent", "dispatcher", "network", "supervisor", "director", "owner", "manager")
MAX_PAGES = 40  # per role: the navigation, its pages' links one level down
SKIP = re.compile(r"/(logout|locale|static|vendor|api|favicon|customer)|/export\.|\.(csv|xlsx|bpmn|json|svg|png)$")
EVENT_CODE = re.compile(r"\b(?:sla|task|timer|complaint|instance|compensation|outage|engine|note|contact)\.[a-z_]+\b")
MACHINE_ACTOR = re.compile(r"\b(?:system|scheduler)\b")
ENGLISH_WORD = re.compile(r"\b[A-Za-z]{4,}\b")
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


HIDDEN = ("script", "style", "template", "code", "kbd", "samp", "pre", "textarea")  # samples and input, not labels


class _Text(HTMLParser):
    """The text a user sees, and the links of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN:
            self._hidden += 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag):
        if tag in HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.text.append(data.strip())


def _read(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


def _problems(text: str) -> list[str]:
    found = [f"code {m}" for m in EVENT_CODE.findall(text)]
    found += [f"actor {m}" for m in MACHINE_ACTOR.findall(text)]
    found += [f"English {w}" for w in ENGLISH_WORD.findall(text) if w not in ALLOWED and not w.isupper()]  # IPTV, SIM
    return found


def _crawl(web: Web) -> dict[str, list[str]]:
    """path -> what is wrong on it, for every page the role reaches in two steps from the inbox."""
    seen: set[str] = set()
    queue = ["/"]
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
        lines = [t for t in page.text if _problems(t)]
        if lines:
            out[path] = [f"{p}  ⟨{line[:80]}⟩" for line in lines for p in _problems(line)]
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
    return number


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
def test_no_code_or_english_word_on_any_zh_cn_page(app, worked_complaint, role):
    web = Web(app).login(role)
    problems = _crawl(web)
    assert not problems, "\n".join(f"{path}: {p}" for path, items in problems.items() for p in items)
