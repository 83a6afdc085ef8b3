"""A process owner changes the complaint flow in the browser: a new user task with a new form, a check
that warns with the element marked, the fix, the deploy; new complaints take the new task while one
started before the deploy finishes on the old version."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Api
from tests.integration.flow import USER_FOR_GROUP, registration, scenario
from tests.browser.signing_in import sign_in

pytestmark = pytest.mark.browser

NEW_FORM = {
    "type": "object",
    "title": "回访确认",
    "required": ["callback_note"],
    "properties": {
        "callback_note": {"type": "string", "title": "回访记录", "x-title-en": "Call-back note"},
        "callback_ok": {"type": "boolean", "title": "客户已确认"},
    },
}


def expect(locator):
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator)


def ready(api: Api, instance_id: int) -> list[dict]:
    return api.get("manager", f"/process-instances/{instance_id}").get_json()["ready_tasks"]


def work(api: Api, instance_id: int, element_id: str, data: dict) -> dict:
    """Complete the ready task of an element as the demo user of its group; return the answer."""
    task = next(t for t in ready(api, instance_id) if t["element_id"] == element_id)
    user = USER_FOR_GROUP[task["candidate_group"]]
    r = api.post(user, f"/tasks/{task['id']}/complete", json={"data": data})
    assert r.status_code == 200, (element_id, r.get_json())
    return r.get_json()


def drop_point(page) -> dict:
    """Zoom to 100% on the flow leaving 'register' and return the screen point of its first segment's middle."""
    return page.evaluate("""() => {
        const m = window.complaintflowEditor.modeler;
        const canvas = m.get('canvas'), flow = m.get('elementRegistry').get('register').outgoing[0];
        const [a, b] = flow.waypoints;
        const mid = {x: (a.x + b.x) / 2, y: (a.y + b.y) / 2};
        const box = canvas._container.getBoundingClientRect();
        canvas.viewbox({x: mid.x - box.width / 2, y: mid.y - box.height / 2, width: box.width, height: box.height});
        const vb = canvas.viewbox();
        return {x: box.left + (mid.x - vb.x) * vb.scale, y: box.top + (mid.y - vb.y) * vb.scale, flow: flow.id,
                target: flow.target.id};
    }""")


def inserted_task(page, flow_target: str) -> dict:
    return page.evaluate(
        """(target) => {
        const reg = window.complaintflowEditor.modeler.get('elementRegistry');
        const next = reg.get('register').outgoing.map(f => f.target)[0];
        const out = next.outgoing.map(f => f.target.id);
        return {id: next.id, type: next.type, name: next.businessObject.name || '', leadsTo: out,
                lane: (next.businessObject.lanes || []).map(l => l.name)};
    }""",
        flow_target,
    )


def test_an_owner_adds_a_task_checks_fixes_deploys_and_both_versions_run(page, live):
    base, app, _clock = live
    api = Api(app.test_client())
    sc = scenario("general_satisfied_first_reply")
    steps = {s["task"]: s["data"] for s in sc["steps"]}
    before = api.post("agent", "/complaints", json=registration(sc)).get_json()["process_instance_id"]
    work(api, before, "receive", steps["receive"])

    sign_in(page, "owner")
    page.get_by_role("link", name="流程模型").click()
    page.get_by_test_id("edit-complaint_handling").click()
    editor = page.locator("#editor")
    expect(editor).to_have_attribute("data-loaded", "1")
    expect(page.locator(".bjs-powered-by")).to_be_visible()  # bpmn.io's watermark, as its licence asks

    # a new task dropped on the flow after 'register', then made a user task with the context pad
    point = drop_point(page)
    page.locator(".djs-palette .entry.bpmn-icon-task").click()
    page.mouse.move(point["x"] - 30, point["y"] - 10)
    page.mouse.move(point["x"], point["y"], steps=6)
    page.mouse.click(point["x"], point["y"])
    task = inserted_task(page, point["target"])
    assert task["type"] == "bpmn:Task" and task["leadsTo"] == [point["target"]] and task["lane"] == ["一线客服"]
    page.keyboard.press("Escape")  # bpmn-js opens the new task's label for typing: leave it empty for now
    expect(page.locator(".djs-direct-editing-parent")).to_be_hidden()
    # (select it through bpmn-js: a neighbour's label may lie over the new shape's middle)
    page.evaluate(
        """(id) => { const m = window.complaintflowEditor.modeler;
                               m.get('selection').select(m.get('elementRegistry').get(id)); }""",
        task["id"],
    )
    page.locator('.djs-context-pad .entry[data-action="replace"]').click()
    page.locator('.djs-popup [data-id="replace-with-user-task"]').click()
    task = inserted_task(page, point["target"])
    assert task["type"] == "bpmn:UserTask"
    props = page.get_by_test_id("properties")
    expect(props.get_by_test_id("prop-id")).to_have_value(task["id"])
    expect(props.get_by_test_id("prop-lane")).to_contain_text("一线客服 → agent")

    # a new form, written in the forms editor with a live preview
    props.get_by_test_id("form-new").click()
    dialog = page.get_by_test_id("form-dialog")
    dialog.get_by_test_id("form-name").fill("callback-schema.json")
    dialog.get_by_test_id("form-schema").fill('{"type": "object", "properties": {"x": {"type": "nonsense"}}}')
    problems = dialog.get_by_test_id("form-problems")
    expect(problems).to_contain_text("表单：不是有效的 JSON Schema（位置：properties/x/type）")  # the owner's language
    assert "is not valid" not in problems.inner_text() and "not a valid" not in problems.inner_text()
    dialog.get_by_test_id("form-schema").fill('{"type": "object",')  # the browser's JSON parser: its words folded
    expect(problems).to_contain_text("表单 Schema 不是有效的 JSON")
    expect(problems.locator("details.technical-detail summary")).to_have_text("技术细节")
    expect(problems.locator("details.technical-detail samp")).to_be_hidden()
    dialog.get_by_test_id("form-schema").fill(json.dumps(NEW_FORM, ensure_ascii=False, indent=2))
    expect(dialog.get_by_test_id("form-preview").locator('[data-field="callback_note"]')).to_contain_text("回访记录")
    expect(dialog).to_have_attribute("data-valid", "1")
    dialog.get_by_test_id("form-apply").click()
    expect(dialog).to_be_hidden()
    expect(props.get_by_test_id("prop-form")).to_have_value("callback-schema.json")
    expect(page.get_by_test_id("draft-status")).to_contain_text("草稿")

    # the check warns: the task has no name (style: it would not block); the list says so, the element is marked
    page.get_by_test_id("check").click()
    problem = page.locator(f'#problem-list li[data-element="{task["id"]}"][data-rule="label-required"]')
    expect(problem).to_be_visible()
    expect(editor).to_have_attribute("data-checked", "ok")
    expect(page.locator(f'.djs-element.cf-warning[data-element-id="{task["id"]}"]')).to_have_count(1)
    expect(page.locator(f'.cf-problem-badge[data-element="{task["id"]}"]')).to_have_count(0)  # badges count errors

    # the fix: a name; the draft is saved and survives a reload
    name = props.get_by_test_id("prop-name")
    name.fill("回访确认")
    name.press("Tab")
    page.get_by_test_id("save").click()
    expect(editor).to_have_attribute("data-dirty", "0")
    page.reload()
    expect(editor).to_have_attribute("data-loaded", "1")
    assert inserted_task(page, point["target"])["name"] == "回访确认"
    assert page.evaluate("() => Object.keys(window.complaintflowEditor.state().forms)") == ["callback-schema.json"]
    page.get_by_test_id("check").click()
    expect(editor).to_have_attribute("data-checked", "ok")
    expect(page.locator(".djs-element.cf-error")).to_have_count(0)

    page.get_by_test_id("diff").click()
    expect(page.get_by_test_id("changes").locator(f'.diff-added li[data-element="{task["id"]}"]')).to_be_visible()
    page.get_by_test_id("note").fill("登记后增加回访确认")
    page.get_by_test_id("deploy").click()
    expect(page.get_by_test_id("message")).to_contain_text("第 2 版")
    expect(editor).to_have_attribute("data-deployed-version", "2")

    page.goto("/models/complaint_handling")
    versions = page.locator("table.versions tbody tr")
    expect(versions).to_have_count(2)
    expect(versions.first).to_contain_text("登记后增加回访确认")
    expect(page.get_by_test_id("viewer")).to_have_attribute("data-loaded", "1")

    # a new complaint goes through the new task ...
    after = api.post("agent", "/complaints", json=registration(sc)).get_json()["process_instance_id"]
    assert api.get("manager", f"/process-instances/{after}").get_json()["process_version"] == 2
    for step in sc["steps"]:
        if step["task"] == "register":
            work(api, after, "register", step["data"])
            (new_task,) = [t for t in ready(api, after) if t["element_id"] == task["id"]]
            assert new_task["name"] == "回访确认" and new_task["form"] == "callback-schema.json"
            assert new_task["candidate_group"] == "agent"
            refused = api.post("agent", f"/tasks/{new_task['id']}/complete", json={"data": {}})
            assert refused.status_code == 422  # the new form's required field
            work(api, after, task["id"], {"callback_note": "客户确认登记无误", "callback_ok": True})
            continue
        work(api, after, step["task"], step["data"])
    done = api.get("manager", f"/process-instances/{after}").get_json()
    assert done["status"] == "completed" and done["data"]["callback_note"] == "客户确认登记无误"

    # ... while the one started before the deploy finishes on version 1, without it
    for step in sc["steps"][1:]:
        work(api, before, step["task"], step["data"])
    old = api.get("manager", f"/process-instances/{before}").get_json()
    assert old["status"] == "completed" and old["process_version"] == 1
    events = api.get("manager", f"/process-instances/{before}/events").get_json()["items"]
    assert task["id"] not in {e["element_id"] for e in events}
