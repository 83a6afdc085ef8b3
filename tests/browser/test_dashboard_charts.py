"""In the browser: a dashboard chart with nothing in the period says so instead of drawing an empty frame,
and long names (steps, categories, departments) wrap whole instead of being cut to "…"."""

from __future__ import annotations

import pytest

from tests.browser.signing_in import sign_in
from tests.browser.test_manager_audit import finished  # noqa: F401 - the fixture: complaints for the charts
from tests.browser.test_phone_width import no_sideways_scroll, phone, sign_in_on_phone  # noqa: F401 - phone: a fixture

pytestmark = pytest.mark.browser

CHARTS = 11

# The lines each label of a chart was drawn in, grouped by label: zrender lays a label out as one text
# span per line (what the canvas shows, "…" included when cut), under a text whose own text is the whole name.
LABEL_LINES = """(selector) => {
  const chart = echarts.getInstanceByDom(document.querySelector(selector));
  const labels = new Map();
  chart.getZr().storage.getDisplayList(true).forEach(line => {
    if (line.type !== 'tspan' || !line.parent || line.parent.type !== 'text') return;
    const rect = line.getBoundingRect().clone();
    if (line.transform) rect.applyTransform(line.transform);
    const label = labels.get(line.parent) || { text: line.parent.style.text, lines: [], top: Infinity, bottom: -Infinity,
      left: Infinity, right: -Infinity, height: chart.getHeight(), width: chart.getWidth() };
    label.lines.push(line.style.text);
    label.top = Math.min(label.top, rect.y); label.bottom = Math.max(label.bottom, rect.y + rect.height);
    label.left = Math.min(label.left, rect.x); label.right = Math.max(label.right, rect.x + rect.width);
    labels.set(line.parent, label);
  });
  return [...labels.values()];
}"""


def expect(locator):
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator)


def _charts_ready(page, n: int = CHARTS) -> None:
    expect(page.locator(f"body[data-charts-drawn='{n}']")).to_have_count(1)


def test_an_empty_period_says_there_is_no_data_in_both_languages(page, live, screenshots):
    sign_in(page, "manager")
    page.goto("/reports?from=2020-01-01&to=2020-01-31")
    _charts_ready(page)
    empty = page.locator("[data-chart][data-empty='1']")
    # the period's charts are empty; the two of "now" (backlog, breached) may hold what is open today
    assert empty.count() >= CHARTS - 2
    assert page.locator("[data-chart=durations][data-empty='1']").count() == 1
    for i in range(empty.count()):
        expect(empty.nth(i)).to_have_text("所选期间没有数据")
    assert page.locator("[data-chart][data-empty='1'] canvas").count() == 0, "no empty frame drawn"
    page.screenshot(path=str(screenshots / "dashboard-empty.png"), full_page=False)
    page.get_by_role("button", name="EN").click()
    expect(page.locator("html[lang=en]")).to_have_count(1)
    _charts_ready(page)
    expect(page.locator("[data-chart][data-empty='1']").first).to_have_text("No data for this period")
    # The language is kept with the user: give the manager Chinese back, the module's other tests read it.
    page.get_by_role("button", name="中文").click()
    expect(page.locator("html[lang=zh-CN]")).to_have_count(1)


def test_step_names_wrap_whole_inside_the_chart(page, finished):  # noqa: F811
    sign_in(page, "manager")
    page.goto("/reports")
    _charts_ready(page)
    empty = {el.get_attribute("data-chart") for el in page.locator("[data-chart][data-empty='1']").all()}
    assert empty <= {"breached"}, f"a finished complaint fills the period's charts (nothing late now): {empty}"
    names = page.locator("[data-testid=on-time] tbody td:first-child").all_inner_texts()
    assert names, "the finished complaint's steps are on the dashboard"
    labels = [x for x in page.evaluate(LABEL_LINES, "[data-chart=ontime]") if x["text"] in names]
    assert {x["text"] for x in labels} == set(names), "every step is named on the axis"
    for x in labels:
        assert "…" not in "".join(x["lines"]) and "".join(x["lines"]) == x["text"], x
        assert 0 <= x["top"] and x["bottom"] <= x["height"], f"{x['text']} is drawn outside the chart"


def test_long_category_and_department_names_wrap_whole_in_the_shared_pie_and_bars(page, finished):  # noqa: F811
    """Names as long as the operator's real ones, drawn by the charts' shared code on the dashboard page."""
    long_names = [
        "网络质量（信号、通话、宽带速率）",
        "营业厅服务（排队、态度、办理差错）",
        "政企客户响应中心第二支撑部",
    ]
    sign_in(page, "manager")
    page.goto("/reports")
    _charts_ready(page)
    page.evaluate(
        """(names) => {
          for (const kind of ['pie', 'bar']) {
            const box = document.createElement('div');
            box.className = 'chart'; box.id = 'probe-' + kind;
            document.querySelectorAll('.charts section')[1].appendChild(box);  // a narrow panel
            if (kind === 'pie') complaintflowCharts.pie(box, names.map((n, i) => ({ name: n, value: i + 1 })));
            else complaintflowCharts.namedBar(box, names, [{ type: 'bar', data: [3, 2, 1] }]);
          }
        }""",
        long_names,
    )
    for kind in ("pie", "bar"):
        labels = [x for x in page.evaluate(LABEL_LINES, f"#probe-{kind}") if x["text"] in long_names]
        assert {x["text"] for x in labels} == set(long_names), kind
        for x in labels:
            assert "".join(x["lines"]) == x["text"] and len(x["lines"]) > 1, f"{kind}: {x} is wrapped whole"
            assert 0 <= x["left"] and x["right"] <= x["width"] + 1, f"{kind}: {x['text']} leaves the chart"


def test_on_a_phone_the_message_and_the_wrapped_names_fit_the_screen(phone, finished):  # noqa: F811
    sign_in_on_phone(phone, "manager")
    phone.goto("/reports?from=2020-01-01&to=2020-01-31")
    _charts_ready(phone)
    expect(phone.locator("[data-chart=volume]")).to_have_text("所选期间没有数据")
    no_sideways_scroll(phone)
    phone.goto("/reports")
    _charts_ready(phone)
    names = phone.locator("[data-testid=on-time] tbody td:first-child").all_inner_texts()
    for x in [x for x in phone.evaluate(LABEL_LINES, "[data-chart=ontime]") if x["text"] in names]:
        assert "".join(x["lines"]) == x["text"] and 0 <= x["left"] and x["right"] <= x["width"] + 1, x
    no_sideways_scroll(phone)
