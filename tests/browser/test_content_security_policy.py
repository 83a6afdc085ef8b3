"""The browser enforces the pages' Content-Security-Policy, and the browser tests notice a breach."""
from __future__ import annotations

import pytest

from tests.browser.signing_in import sign_in

pytestmark = pytest.mark.browser


def test_injected_inline_script_and_handlers_do_not_run_and_are_reported(page, csp_violations):
    sign_in(page, "agent")
    # What a stored XSS would amount to if some markup got past the escaping: the browser refuses it.
    page.evaluate("""() => {
        const s = document.createElement('script'); s.textContent = 'window.pwned = 1'; document.body.appendChild(s);
        const d = document.createElement('div'); d.innerHTML = '<img src="/static/none.png" onerror="window.pwned = 2">';
        document.body.appendChild(d);
    }""")
    page.wait_for_function("() => (window.__cspViolations || []).length >= 2")  # the script and the handler
    assert page.evaluate("() => window.pwned") is None
    assert any("script-src" in v for v in csp_violations), csp_violations
    csp_violations.clear()  # this test made them on purpose; any other test making one fails
