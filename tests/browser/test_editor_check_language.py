"""The editor's check list speaks the owner's language: a broken timer reads as a Chinese syntax error,
Python's "was never closed" said in Chinese, never left as an English sentence."""

from __future__ import annotations

import pytest

from tests.browser.test_editor_time_limits import expect, open_editor, problem

pytestmark = pytest.mark.browser


def test_a_broken_timer_reads_in_chinese_in_the_check_list(page, live):
    open_editor(page)
    page.evaluate("""() => {
        const m = window.complaintflowEditor.modeler, el = m.get('elementRegistry').get('classify_breach');
        const definition = el.businessObject.eventDefinitions[0];
        m.get('modeling').updateModdleProperties(el, definition.timeDate, {body: 'sla_due("classify", registered_at'});
    }""")
    broken = problem(page, "classify_breach", "expression")
    expect(broken).to_be_visible()
    expect(broken).to_contain_text("定时器表达式语法错误")
    expect(broken).to_contain_text("“(”没有闭合")
    assert "was never closed" not in broken.inner_text()
    assert "syntax error" not in broken.inner_text()
