"""A live server on a free localhost port (SQLite temp database) and Debian's chromium via Playwright."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import pytest

from tests.conftest import DEPLOYED, MONDAY_MORNING, make_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def live(tmp_path_factory, sqlite_templates):
    """The app served by a real HTTP server thread, demo users and processes/ deployed; yields (base_url, app, clock)."""
    from werkzeug.serving import make_server

    from app.domain.clock import FixedClock

    tmp = tmp_path_factory.mktemp("live")
    url = sqlite_templates.copy(DEPLOYED, tmp / "live.db")
    clock = FixedClock(MONDAY_MORNING)
    app = make_app(url, clock, tmp)
    rt = app.extensions["complaintflow"]
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request in failure reports
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app, clock
    server.shutdown()
    thread.join(5)
    server.server_close()
    rt.db.dispose()


@pytest.fixture(scope="session")
def browser():
    """One chromium per session (per xdist worker): starting it costs about a second; each test gets its own context."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (scripts/test.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


# Reports every Content-Security-Policy violation of a page to its console, where the fixture
# below collects it: a page that needs inline script or a foreign source fails its test.
_REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  (window.__cspViolations = window.__cspViolations || []).push(e.violatedDirective);
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
                " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


@pytest.fixture
def csp_violations() -> list[str]:
    """What the context's pages reported as blocked by the Content-Security-Policy."""
    return []


DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
# What a context is opened as: a desktop window, or a phone (390 px, touch, the mobile viewport rules).
SCREENS = {
    "desktop": {"viewport": DESKTOP},
    "phone": {"viewport": PHONE, "is_mobile": True, "has_touch": True},
}


@pytest.fixture
def screen() -> str:
    """The screen of the test's context: a desktop; a module that tests both widths overrides this with
    ``@pytest.fixture(params=["desktop", "phone"])``."""
    return "desktop"


@pytest.fixture
def context(browser, live, csp_violations, screen):
    ctx = browser.new_context(base_url=live[0], locale="zh-CN", **SCREENS[screen])
    ctx.set_default_timeout(10_000)
    ctx.add_init_script(_REPORT_CSP_VIOLATIONS)
    violations = csp_violations

    def watch(page):
        page.on(
            "console",
            lambda msg: (
                violations.append(msg.text)
                if msg.type == "error"
                and ("Content Security Policy" in msg.text or msg.text.startswith("CSP violation"))
                else None
            ),
        )

    ctx.on("page", watch)
    yield ctx
    ctx.close()
    assert not violations, "the pages broke their Content-Security-Policy:\n" + "\n".join(violations)


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def screenshots(tmp_path) -> Path:
    """docs/screenshots/ when COMPLAINTFLOW_SCREENSHOTS=1 (to refresh the README's pictures), else a temp dir."""
    if os.environ.get("COMPLAINTFLOW_SCREENSHOTS") == "1":
        out = ROOT / "docs" / "screenshots"
        out.mkdir(parents=True, exist_ok=True)
        return out
    return tmp_path
