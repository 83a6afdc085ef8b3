"""The model library and the editor's endpoints: roles, drafts per user, check, diff, deploy, forms preview."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.diagrams import Node, form, linear
from tests.integration.web_client import Web

ROOT = Path(__file__).resolve().parents[2]
COMPLAINT = (ROOT / "processes" / "complaint_handling.bpmn").read_text(encoding="utf-8")


def post_json(web: Web, path: str, body: dict | None = None, method: str = "POST"):
    if not web.token:
        web.get("/models")
    call = web.client.post if method == "POST" else web.client.delete
    return call(path, data=json.dumps(body or {}), content_type="application/json", headers={"X-CSRFToken": web.token})


def test_the_library_lists_versions_for_owners_and_managers_only(app, deployed):
    page = Web(app).login("owner").text("/models")
    assert "投诉处理" in page and "complaint_handling" in page and "第 1 版" in page
    assert 'data-testid="edit-complaint_handling"' in page
    manager = Web(app).login("manager")
    assert "投诉处理" in manager.text("/models") and 'data-testid="edit-' not in manager.text("/models")
    assert "流程模型" in manager.text("/")  # the navigation shows it to managers too
    assert manager.get("/models/complaint_handling/edit").status_code == 403
    assert Web(app).login("agent").get("/models").status_code == 403


def test_the_process_page_shows_the_viewer_with_its_file(app, deployed):
    web = Web(app).login("manager")
    page = web.text("/models/complaint_handling")
    src = re.search(r'data-src="([^"]+)"', page).group(1)
    assert "bpmn-navigated-viewer.production.min.js" in page
    r = web.get(src)
    assert r.status_code == 200 and r.get_data(as_text=True) == COMPLAINT


def test_a_draft_is_kept_per_user_and_survives(app, deployed):
    owner = Web(app).login("owner")
    state = owner.client.get("/models/complaint_handling/editor.json").get_json()
    assert state["draft"] is False and state["current_version"] == 1 and state["bpmn"] == COMPLAINT
    assert "classify-schema.json" in state["available_forms"] and "handle" in state["sla_steps"]
    edited = COMPLAINT.replace('name="投诉分类"', 'name="分类（草稿）"')
    r = post_json(
        owner,
        "/models/complaint_handling/draft",
        {"bpmn": edited, "forms": {"callback-schema.json": '{"type": "object"}'}, "base_version": 1},
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    again = Web(app).login("owner").client.get("/models/complaint_handling/editor.json").get_json()
    assert again["draft"] is True and again["bpmn"] == edited and "callback-schema.json" in again["forms"]
    assert (
        owner.client.get("/models/complaint_handling/forms/callback-schema.json").get_data(as_text=True)
        == '{"type": "object"}'
    )
    assert (
        post_json(owner, "/models/complaint_handling/draft", {"bpmn": edited, "forms": {"../x.json": "{}"}}).status_code
        == 422
    )
    assert post_json(owner, "/models/complaint_handling/draft", method="DELETE").status_code == 200
    assert owner.client.get("/models/complaint_handling/editor.json").get_json()["draft"] is False


def test_check_diff_and_deploy_from_the_editor(app, deployed):
    owner = Web(app).login("owner")
    nameless = COMPLAINT.replace('<bpmn:userTask id="track" name="投诉跟踪">', '<bpmn:userTask id="track" name="">')
    checked = post_json(owner, "/models/complaint_handling/check", {"bpmn": nameless}).get_json()
    assert checked["ok"] is True  # a missing label is style: a warning, never a block
    assert any(
        p["element_id"] == "track" and p["rule"] == "label-required" and p["severity"] == "warning"
        for p in checked["problems"]
    )
    unsafe = COMPLAINT.replace('severity == "major"', 'severity.__class__ == "major"')
    refused = post_json(owner, "/models/complaint_handling/deploy", {"bpmn": unsafe})
    assert refused.status_code == 422 and refused.get_json()["errors"][0]["rule"] == "expression"

    renamed = COMPLAINT.replace(
        '<bpmn:userTask id="track" name="投诉跟踪">', '<bpmn:userTask id="track" name="跟踪回访">'
    )
    diff = post_json(owner, "/models/complaint_handling/diff", {"bpmn": renamed}).get_json()
    assert [c["id"] for c in diff["changed"]] == ["track"] and diff["added"] == diff["removed"] == []
    assert diff["forms"] == {"added": [], "removed": [], "changed": []}
    post_json(owner, "/models/complaint_handling/draft", {"bpmn": renamed})
    deployed_now = post_json(owner, "/models/complaint_handling/deploy", {"bpmn": renamed, "note": "改名"})
    assert deployed_now.status_code == 201 and deployed_now.get_json()["version"] == 2
    assert owner.client.get("/models/complaint_handling/editor.json").get_json()["draft"] is False
    page = owner.text("/models/complaint_handling?from=1&to=2")
    assert "改名" in page and "跟踪回访" in page and 'data-testid="diff"' in page


def test_the_forms_preview_validates_the_schema_and_renders_fields(app, deployed):
    owner = Web(app).login("owner")
    good = {
        "type": "object",
        "required": ["reason"],
        "properties": {
            "reason": {"type": "string", "title": "回访原因"},
            "kind": {"type": "string", "title": "方式", "oneOf": [{"const": "phone", "title": "电话"}]},
        },
    }
    r = post_json(owner, "/models/forms/preview", {"schema": json.dumps(good, ensure_ascii=False)}).get_json()
    assert (
        r["problems"] == [] and 'data-field="reason"' in r["html"] and "回访原因" in r["html"] and "电话" in r["html"]
    )
    bad = post_json(owner, "/models/forms/preview", {"schema": '{"type": "nonsense"}'}).get_json()
    assert bad["problems"] and bad["html"] == ""
    assert (
        post_json(owner, "/models/forms/preview", {"schema": "{not json"})
        .get_json()["problems"][0]
        .startswith("not valid JSON")
    )


def test_a_new_process_is_drawn_from_a_blank_diagram_and_deployed(app, deployed):
    owner = Web(app).login("owner")
    assert owner.get("/models/new/edit").status_code == 302
    state = owner.client.get("/models/_new/editor.json").get_json()
    assert state["current_version"] is None and "new_process" in state["bpmn"]
    diagram = linear("callback", [Node("userTask", "call", "回访", form("callback-schema.json"))]).decode()
    forms = {"callback-schema.json": '{"type": "object", "properties": {"note": {"type": "string"}}}'}
    r = post_json(owner, "/models/_new/deploy", {"bpmn": diagram, "forms": forms})
    assert r.status_code == 201 and r.get_json()["process_id"] == "callback"
    files = owner.client.get("/models/callback/versions/1/files/callback-schema.json")
    assert files.status_code == 200 and files.get_data(as_text=True) == forms["callback-schema.json"]


def test_migration_from_the_process_page(app, deployed, api):
    from .flow import complete, registration, scenario

    sc = scenario("general_satisfied_first_reply")
    iid = api.post("agent", "/complaints", json=registration(sc)).get_json()["process_instance_id"]
    complete(api, iid, "receive", "agent", sc["steps"][0]["data"])
    owner = Web(app).login("owner")
    renamed = COMPLAINT.replace('name="投诉分类"', 'name="投诉分类（新）"')
    assert post_json(owner, "/models/complaint_handling/deploy", {"bpmn": renamed}).status_code == 201
    page = owner.text("/models/complaint_handling#migrate")
    assert f'data-instance="{iid}"' in page
    dry = owner.post(
        "/models/complaint_handling/migrate", {"instance_id": str(iid), "to_version": "2", "action": "dry_run"}
    )
    assert dry.status_code == 200 and "可以迁移" in dry.get_data(as_text=True)
    done = owner.post(
        "/models/complaint_handling/migrate", {"instance_id": str(iid), "to_version": "2", "action": "migrate"}
    )
    assert "已迁移" in done.get_data(as_text=True)
    assert api.get("manager", f"/process-instances/{iid}").get_json()["process_version"] == 2
