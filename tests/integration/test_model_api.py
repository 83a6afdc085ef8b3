"""Process owners' CI through the API: check, deploy, versions, diff, download, migrate with a dry run."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.diagrams import SIMPLE_FORM, Node, form, linear, script

from .flow import complete, registration, scenario

pytestmark = pytest.mark.also_postgres

ROOT = Path(__file__).resolve().parents[2]
COMPLAINT = (ROOT / "processes" / "complaint_handling.bpmn").read_bytes()


def multipart(name: str, data: bytes, **extra) -> dict:
    files = {"file": (io.BytesIO(data), name)}
    for field, (fname, content) in extra.items():
        files[field] = (io.BytesIO(content), fname)
    return {"data": files, "content_type": "multipart/form-data"}


def complaint_upload(bpmn: bytes) -> dict:
    """The complaint diagram with what it needs beside it: the diagrams it calls and its DMN tables."""
    extra = {
        f"x{i}": (path.name, path.read_bytes())
        for i, path in enumerate(sorted((ROOT / "processes").iterdir()))
        if path.suffix in (".bpmn", ".dmn") and path.name != "complaint_handling.bpmn"
    }
    return multipart("complaint_handling.bpmn", bpmn, **extra)


def two_steps(first_name: str = "第一步", extra=()) -> bytes:
    return linear(
        "two_steps",
        [
            Node("userTask", "first", first_name, form("fill-schema.json")),
            *extra,
            Node("userTask", "second", "第二步", form("fill-schema.json")),
        ],
    )


def test_check_lists_errors_and_warnings_without_deploying(api):
    broken = linear(
        "checked",
        [
            Node("userTask", "nameless", ""),
            Node("scriptTask", "s", "脚本", script("x = nope")),
            Node("scriptTask", "evil", "导入", script("import os")),
        ],
    )
    r = api.post("owner", "/process-models/check", **multipart("checked.bpmn", broken))
    assert r.status_code == 200
    body = r.get_json()
    assert body["ok"] is False and body["process_id"] == "checked"
    seen = {(p["rule"], p["element_id"], p["severity"]) for p in body["problems"]}
    assert ("label-required", "nameless", "warning") in seen  # style: config/diagram_rules.toml
    assert ("form", "nameless", "warning") in seen
    assert ("undeclared-name", "s", "warning") in seen  # a name the check cannot prove
    assert ("expression", "evil", "error") in seen  # an import is unsafe: it blocks
    assert all(p["line"] for p in body["problems"])
    assert api.get("owner", "/process-models").get_json()["items"] == []
    ok = api.post(
        "owner", "/process-models/check", **multipart("two.bpmn", two_steps(), f=("fill-schema.json", SIMPLE_FORM))
    )
    assert ok.get_json()["ok"] is True and ok.get_json()["problems"] == []
    assert api.post("agent", "/process-models/check", **multipart("two.bpmn", two_steps())).status_code == 403


def test_a_diagram_that_fails_never_replaces_the_deployed_one(api):
    form_file = {"f": ("fill-schema.json", SIMPLE_FORM)}
    assert api.post("owner", "/process-models", **multipart("two.bpmn", two_steps(), **form_file)).status_code == 201
    bad = two_steps(extra=[Node("scriptTask", "evil", "脚本", script("import os"))])
    r = api.post("owner", "/process-models", **multipart("two.bpmn", bad, **form_file))
    assert r.status_code == 422 and r.get_json()["errors"][0]["element_id"] == "evil"
    (model,) = api.get("owner", "/process-models").get_json()["items"]
    assert [v["version"] for v in model["versions"]] == [1]
    started = api.post("agent", "/process-instances", json={"process_id": "two_steps", "data": {}}).get_json()
    assert started["process_version"] == 1


def test_versions_diff_and_download_byte_for_byte(api):
    form_file = {"f": ("fill-schema.json", SIMPLE_FORM)}
    v1 = two_steps()
    api.post("owner", "/process-models", **multipart("two.bpmn", v1, **form_file))
    v2 = two_steps("第一步（新）", extra=[Node("userTask", "middle", "中间", form("fill-schema.json"))])
    changed_form = SIMPLE_FORM.replace(b'"string"', b'"string", "maxLength": 200')
    r = api.post("owner", "/process-models", **multipart("two.bpmn", v2, f=("fill-schema.json", changed_form)))
    assert r.status_code == 201 and r.get_json()["version"] == 2

    diff = api.get("manager", "/process-models/two_steps/diff?from=1&to=2").get_json()
    assert {e["id"] for e in diff["added"]} >= {"middle"}
    changed = {e["id"]: {f["field"] for f in e["fields"]} for e in diff["changed"]}
    assert {"name", "form content"} <= changed["first"]
    assert "form content" in changed["second"]
    assert diff["forms"] == {"added": [], "removed": [], "changed": ["fill-schema.json"]}

    got = api.get("owner", "/process-models/two_steps/versions/1/files/two.bpmn")
    assert got.status_code == 200 and got.data == v1 and got.mimetype == "application/xml"
    assert api.get("owner", "/process-models/two_steps/versions/2/files/fill-schema.json").data == changed_form
    assert api.get("owner", "/process-models/two_steps/versions/9/files/two.bpmn").status_code == 404
    assert api.get("agent", "/process-models/two_steps/diff?from=1&to=2").status_code == 403
    assert api.get("owner", "/process-models/two_steps/diff?from=x&to=2").status_code == 422


def test_migration_dry_run_then_one_instance_then_the_rest(api, deployed):
    sc = scenario("general_satisfied_first_reply")
    ids = []
    for _ in range(3):
        created = api.post("agent", "/complaints", json=registration(sc)).get_json()
        ids.append(created["process_instance_id"])
        complete(api, ids[-1], "receive", "agent", sc["steps"][0]["data"])
    renamed = COMPLAINT.replace('name="投诉分类"'.encode(), 'name="投诉分类（新）"'.encode())
    r = api.post("owner", "/process-models", **complaint_upload(renamed))
    assert r.status_code == 201, r.get_json()

    dry = api.post("owner", f"/process-instances/{ids[0]}/migrate", json={"to_version": 2, "dry_run": True}).get_json()
    assert dry["safe"] and not dry["migrated"] and dry["changed"] == ["classify"]
    assert api.get("manager", f"/process-instances/{ids[0]}").get_json()["process_version"] == 1
    assert api.post("agent", f"/process-instances/{ids[0]}/migrate", json={"dry_run": False}).status_code == 403

    one = api.post("owner", f"/process-instances/{ids[0]}/migrate", json={"to_version": 2, "dry_run": False}).get_json()
    assert one["migrated"] is True
    inst = api.get("manager", f"/process-instances/{ids[0]}").get_json()
    assert inst["process_version"] == 2 and inst["ready_tasks"][0]["name"] == "投诉分类（新）"
    events = api.get("manager", f"/process-instances/{ids[0]}/events").get_json()["items"]
    migrated = [e for e in events if e["type"] == "instance.migrated"]
    assert migrated and migrated[0]["data_before"] == {"process_version": 1}

    bulk_dry = api.post("owner", "/process-instances/migrate", json={"process_id": "complaint_handling"}).get_json()
    assert bulk_dry["dry_run"] and sorted(i["instance_id"] for i in bulk_dry["items"]) == sorted(ids[1:])
    bulk = api.post(
        "owner",
        "/process-instances/migrate",
        json={"process_id": "complaint_handling", "instance_ids": ids[1:], "dry_run": False},
    ).get_json()
    assert bulk["migrated"] == 2
    # the migrated complaint goes on to the end on the new version
    for step in sc["steps"][1:]:
        assert complete(api, ids[1], step["task"], step["group"], step["data"]).status_code == 200
    assert api.get("manager", f"/process-instances/{ids[1]}").get_json()["status"] == "completed"


def test_an_unsafe_migration_is_refused_and_audited(api, deployed):
    sc = scenario("general_satisfied_first_reply")
    created = api.post("agent", "/complaints", json=registration(sc)).get_json()
    iid = created["process_instance_id"]
    complete(api, iid, "receive", "agent", sc["steps"][0]["data"])
    retyped = COMPLAINT.replace(b'<bpmn:userTask id="classify"', b'<bpmn:manualTask id="classify"').replace(
        b'</bpmn:userTask>\n    <bpmn:userTask id="register"', b'</bpmn:manualTask>\n    <bpmn:userTask id="register"'
    )
    assert api.post("owner", "/process-models", **complaint_upload(retyped)).status_code == 201

    r = api.post("owner", f"/process-instances/{iid}/migrate", json={"dry_run": False}).get_json()
    assert r["migrated"] is False and "type" in r["reasons"][0]
    assert api.get("manager", f"/process-instances/{iid}").get_json()["process_version"] == 1
    events = api.get("manager", f"/process-instances/{iid}/events").get_json()["items"]
    assert [e["type"] for e in events][-1] == "instance.migration_refused"
