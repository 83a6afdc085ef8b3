"""A process owner edits a step's time limit in the properties panel, sees the checks as they edit
(markers and a list, with the quote fix for a bare ISO duration), gives a service task a registered
connector, and deploys: the new version's instances count the new limit. The diagram opens fitted,
clear of the palette; at 390 px the editor says it needs a wider screen and nothing breaks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.browser.signing_in import sign_in
from tests.conftest import Api
from tests.integration.flow import complete, registration, scenario

pytestmark = pytest.mark.browser


class _Patient:
    """Playwright's assertions with 15 s instead of 5: opening the modeler and each check (800 ms after
    an edit, then the server's whole review) take longer on a loaded machine."""

    def __init__(self, assertions):
        self._assertions = assertions

    def __getattr__(self, name):
        method = getattr(self._assertions, name)
        return lambda *args, **kwargs: method(*args, **{"timeout": 15_000, **kwargs})


def expect(locator):
    from playwright.sync_api import expect as pw_expect

    return _Patient(pw_expect(locator))


def open_editor(page, process_id: str = "complaint_handling", phone: bool = False):
    if phone:
        from tests.browser.test_phone_width import sign_in_on_phone

        sign_in_on_phone(page, "owner")
    else:
        sign_in(page, "owner")
    page.goto(f"/models/{process_id}/edit")
    page.wait_for_load_state("load")
    editor = page.locator("#editor")
    expect(editor).to_have_attribute("data-loaded", "1")
    expect(editor).to_have_attribute("data-checked", "ok")  # checked on opening
    return editor


def pick(page, element_id: str) -> None:
    page.evaluate(
        """(id) => { const m = window.complaintflowEditor.modeler;
                     m.get('selection').select(m.get('elementRegistry').get(id)); }""",
        element_id,
    )


def layout(page) -> dict:
    """Where the diagram, its first lane and the palette are on the screen."""
    return page.evaluate("""() => {
        const m = window.complaintflowEditor.modeler, canvas = m.get('canvas');
        const box = canvas._container.getBoundingClientRect();
        const shown = [...document.querySelectorAll('#canvas .djs-element:not(.djs-connection)')]
            .map(e => e.getBoundingClientRect()).filter(r => r.width > 0);
        const lanes = m.get('elementRegistry').filter(e => e.type === 'bpmn:Participant' || e.type === 'bpmn:Lane')
            .map(e => document.querySelector(`[data-element-id="${e.id}"]`).getBoundingClientRect());
        return {
            canvas: {left: box.left, right: box.right, top: box.top, bottom: box.bottom},
            left: Math.min(...shown.map(r => r.left)), right: Math.max(...shown.map(r => r.right)),
            top: Math.min(...shown.map(r => r.top)), bottom: Math.max(...shown.map(r => r.bottom)),
            lane: Math.min(...lanes.map(r => r.left)),
            palette: document.querySelector('.djs-palette').getBoundingClientRect().right,
        };
    }""")


def problem(page, element_id: str, rule: str):
    return page.locator(f'#problem-list li[data-element="{element_id}"][data-rule="{rule}"]')


def test_an_owner_changes_a_steps_time_limit_and_the_new_version_counts_it(page, live, screenshots):
    _base, app, clock = live
    editor = open_editor(page)

    # the whole diagram in view, the palette left of the first lane
    at = layout(page)
    box = at["canvas"]
    assert box["left"] <= at["left"] and at["right"] <= box["right"]
    assert box["top"] <= at["top"] and at["bottom"] <= box["bottom"]
    assert at["palette"] < at["lane"]
    expect(page.get_by_test_id("editor-narrow")).to_be_hidden()
    # bpmn-js's own words in the page's language
    expect(page.locator('.djs-palette [data-action="hand-tool"]')).to_have_attribute("aria-label", "抓手工具")
    expect(page.locator('.djs-palette [data-action="create.task"]')).to_have_attribute("aria-label", "创建任务")

    # the task shows its step's limit from the SLA policy, under the step's name
    pick(page, "classify")
    limit = page.get_by_test_id("properties").locator('[data-testid="prop-limit"][data-step="classify"]')
    expect(limit).to_contain_text("时限 · 投诉分类")
    expect(limit.get_by_test_id("prop-limit-amount")).to_have_value("1")
    expect(limit.get_by_test_id("prop-limit-unit")).to_have_value("hours")
    expect(limit.get_by_test_id("prop-limit-policy")).to_have_text("SLA 策略：1 小时")
    # its timer lists the steps by name
    pick(page, "classify_breach")
    steps = page.get_by_test_id("prop-sla-step")
    expect(steps.locator("option:checked")).to_have_text("投诉分类")
    assert "classify" not in steps.locator("option").all_inner_texts()

    # a bad value: the live check names the timer, marks it, and the deploy refuses
    pick(page, "classify")
    limit.get_by_test_id("prop-limit-amount").fill("0")
    limit.get_by_test_id("prop-limit-amount").press("Tab")
    bad = problem(page, "classify_breach", "sla")
    expect(bad).to_be_visible()
    expect(bad).to_have_class("problem problem-error clickable")
    expect(bad.locator(".problem-where")).to_contain_text("投诉分类超时")  # its name, not its id
    assert "classify_breach" not in bad.locator(".problem-where").inner_text()
    expect(page.locator('.djs-element.cf-error[data-element-id="classify_breach"]')).to_have_count(1)
    expect(editor).to_have_attribute("data-checked", "errors")
    expect(page.get_by_test_id("deploy")).to_be_disabled()
    expect(page.get_by_test_id("deploy")).to_have_attribute("title", "有 2 个错误，修正后才能部署。")

    # 3 hours: the check passes as the owner types, and the deploy takes it
    limit.get_by_test_id("prop-limit-amount").fill("3")
    limit.get_by_test_id("prop-limit-amount").press("Tab")
    expect(bad).to_have_count(0)
    expect(editor).to_have_attribute("data-checked", "ok")
    expect(page.get_by_test_id("deploy")).to_be_enabled()
    expect(limit).to_have_attribute("data-own", "1")
    expect(limit.get_by_test_id("prop-limit-reset")).to_be_visible()
    page.evaluate("""() => {  // the README's picture: the task and its timers at full size
        const m = window.complaintflowEditor.modeler, c = m.get('canvas'), el = m.get('elementRegistry').get('classify');
        const box = c._container.getBoundingClientRect();
        c.viewbox({x: el.x - box.width / 2 + 50, y: el.y - box.height / 2 + 40, width: box.width, height: box.height});
    }""")
    page.screenshot(path=str(screenshots / "editor-time-limit.png"))
    page.get_by_test_id("note").fill("投诉分类时限改为 3 小时")
    page.get_by_test_id("deploy").click()
    expect(page.get_by_test_id("message")).to_contain_text("第 2 版")

    # a complaint on the new version: its classify step is due 3 hours after it was received
    api = Api(app.test_client())
    sc = scenario("general_satisfied_first_reply")
    instance = api.post("agent", "/complaints", json=registration(sc)).get_json()["process_instance_id"]
    assert complete(api, instance, "receive", "agent", sc["steps"][0]["data"]).status_code == 200
    from app.models import Timer

    rt = app.extensions["complaintflow"]
    with rt.db.read() as s:
        due = s.scalars(
            select(Timer.due_at).where(
                Timer.instance_id == instance, Timer.sla_step == "classify", Timer.kind == "breach"
            )
        ).one()
    assert due.replace(tzinfo=None) - clock.now().replace(tzinfo=None) == timedelta(hours=3)


def test_a_bare_duration_is_quoted_in_one_click_and_a_service_task_takes_a_connector(page, live):
    editor = open_editor(page)

    # the owner types a bare ISO duration into a timer: the check offers to quote it
    pick(page, "receive_warning")
    props = page.get_by_test_id("properties")
    props.get_by_test_id("prop-timer-kind").select_option("timeDuration")
    props.get_by_test_id("prop-timer-expr").fill("PT2H")
    props.get_by_test_id("prop-timer-expr").press("Tab")
    bare = problem(page, "receive_warning", "expression")
    expect(bare).to_contain_text("PT2H")
    bare.get_by_test_id("fix-quote").click()
    expect(bare).to_have_count(0)
    expect(editor).to_have_attribute("data-checked", "ok")
    pick(page, "receive_warning")
    expect(props.get_by_test_id("prop-timer-expr")).to_have_value('"PT2H"')

    # a new service task: the panel offers the registered connectors and their parameters
    task_id = page.evaluate("""() => {
        const m = window.complaintflowEditor.modeler, reg = m.get('elementRegistry');
        const wait = reg.get('receive_warning'), root = m.get('canvas').getRootElement();
        const parent = reg.filter(e => e.type === 'bpmn:Lane' || e.type === 'bpmn:Participant')
            .find(e => wait.x >= e.x && wait.x <= e.x + e.width && wait.y >= e.y && wait.y <= e.y + e.height);
        const shape = m.get('modeling').createShape({type: 'bpmn:ServiceTask'},
            {x: wait.x + 18, y: wait.y + 140}, parent && parent.type === 'bpmn:Participant' ? parent : root);
        m.get('selection').select(shape);
        return shape.id;
    }""")
    connector = props.get_by_test_id("prop-connector")
    expect(connector.locator('option[value="sms/send"]')).to_contain_text("通过通知发件箱发送短信")
    connector.select_option("sms/send")
    expect(props.get_by_test_id("prop-param-to")).to_be_visible()
    expect(props.get_by_test_id("prop-param-template")).to_be_visible()
    expect(props).to_contain_text("notifications.toml 中的模板")
    missing = problem(page, task_id, "connector")
    expect(missing.first).to_contain_text("缺少参数“to”")
    expect(editor).to_have_attribute("data-checked", "errors")
    props.get_by_test_id("prop-param-to").fill("customer_phone")
    props.get_by_test_id("prop-param-to").press("Tab")
    props.get_by_test_id("prop-param-template").fill('"visit_reminder"')
    props.get_by_test_id("prop-param-template").press("Tab")
    expect(missing).to_have_count(0)
    xml = page.evaluate("() => window.complaintflowEditor.modeler.saveXML().then(r => r.xml)")
    assert '<spiffworkflow:serviceTaskOperator id="sms/send">' in xml
    assert '<spiffworkflow:parameter id="to" type="any" value="customer_phone" />' in xml

    page.once("dialog", lambda d: d.accept())  # the next test opens the current version, not this draft
    page.get_by_test_id("discard").click()
    expect(page.get_by_test_id("draft-status")).to_have_text("当前版本")

    # a task whose timer is not an SLA timer: its time limit is the timer's expression, edited on the task
    page.goto("/models/appeal_handling/edit")
    page.wait_for_load_state("load")
    expect(page.locator("#editor")).to_have_attribute("data-loaded", "1")
    pick(page, "appeal_contact")
    own = props.locator('[data-testid="prop-limit-expr"][data-element="appeal_contact_deadline"]')
    expect(own).to_have_value("regulator_deadline")
    own.fill("PT4H")
    own.press("Tab")
    bare = problem(page, "appeal_contact_deadline", "expression")
    bare.get_by_test_id("fix-quote").click()
    expect(bare).to_have_count(0)
    pick(page, "appeal_contact")
    expect(own).to_have_value('"PT4H"')


def test_at_phone_width_the_editor_asks_for_a_wider_screen_and_nothing_breaks(
    browser, live, csp_violations, screenshots
):
    from tests.browser.conftest import _REPORT_CSP_VIOLATIONS

    ctx = browser.new_context(base_url=live[0], viewport={"width": 390, "height": 844}, locale="zh-CN")
    ctx.set_default_timeout(10_000)
    ctx.add_init_script(_REPORT_CSP_VIOLATIONS)
    page = ctx.new_page()
    page.on("console", lambda m: csp_violations.append(m.text) if "CSP violation" in m.text else None)
    try:
        open_editor(page, phone=True)
        expect(page.get_by_test_id("editor-narrow")).to_be_visible()
        pick(page, "classify")
        expect(page.get_by_test_id("properties").get_by_test_id("prop-limit-amount")).to_be_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(screenshots / "editor-390.png"), full_page=True)
    finally:
        ctx.close()
    assert not csp_violations, csp_violations
