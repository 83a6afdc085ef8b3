"""The browser enforces the pages' Content-Security-Policy, and the browser tests notice a breach."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.signing_in import sign_in
from tests.browser.test_manager_audit import finished  # noqa: F401 - the fixture: a finished complaint for the charts

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


def test_chart_tooltips_draw_within_the_policy(page, finished):
    """ECharts' HTML tooltips wrote inline style attributes; every chart's tooltip is shown here."""
    sign_in(page, "manager")
    page.get_by_role("link", name="报表").click()
    expect(page.locator("body[data-charts-drawn='11']")).to_have_count(1)
    shown = page.evaluate("""() => new Promise(done => {
        const charts = [...document.querySelectorAll('[_echarts_instance_]')].map(el => echarts.getInstanceByDom(el));
        charts.forEach(c => c.dispatchAction({ type: 'showTip', seriesIndex: 0, dataIndex: 0 }));
        requestAnimationFrame(() => requestAnimationFrame(() => done(charts.length)));
    })""")
    empty = page.locator("[data-chart][data-empty='1']").count()  # "no data" instead of a chart
    assert shown + empty >= 11 and shown >= 9
    assert page.evaluate("() => window.__cspViolations || []") == []
