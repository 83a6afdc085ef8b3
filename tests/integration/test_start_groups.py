"""Who may start a process is part of the process: its startGroups property, checked at deploy, enforced by the API."""

from __future__ import annotations

from tests.diagrams import SIMPLE_FORM, Node, form, linear

from .test_escapes import upload


def diagram(pid: str, start_groups: str | None) -> bytes:
    return linear(pid, [Node("userTask", "fill", "填写", form("fill-schema.json"))], start_groups=start_groups)


def test_only_the_named_groups_may_start_a_process(api):
    assert upload(api, "p.bpmn", diagram("agents_only", "agent supervisor"), fill_schema=SIMPLE_FORM).status_code == 201
    refused = api.post("hall", "/process-instances", json={"process_id": "agents_only", "data": {}})
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    assert "agent" in refused.get_json()["detail"]
    assert api.post("agent", "/process-instances", json={"process_id": "agents_only", "data": {}}).status_code == 201
    assert (
        api.post("supervisor", "/process-instances", json={"process_id": "agents_only", "data": {}}).status_code == 201
    )


def test_a_process_naming_nobody_deploys_with_a_warning_and_nobody_may_start_it(api):
    r = upload(api, "p.bpmn", diagram("nobody", None), fill_schema=SIMPLE_FORM)
    assert r.status_code == 201
    warnings = r.get_json()["warnings"]
    assert any("startGroups" in w["message"] and w["element_id"] == "nobody" for w in warnings), warnings
    for user in ("agent", "hall", "owner", "supervisor"):
        assert api.post(user, "/process-instances", json={"process_id": "nobody", "data": {}}).status_code == 403


def test_unknown_groups_are_refused_at_deploy_naming_the_process(api):
    r = upload(api, "p.bpmn", diagram("typo", "agent agnet"), fill_schema=SIMPLE_FORM)
    assert r.status_code == 422
    assert any(e["element_id"] == "typo" and "agnet" in e["message"] for e in r.get_json()["errors"])


def test_the_demo_processes_name_their_starters(api, deployed):
    # called branches name nobody: they start only from the main flow
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "processes"
    named = {p.stem: re.search(r'name="startGroups" value="([^"]*)"', p.read_text()) for p in root.glob("*.bpmn")}
    assert named["complaint_handling"].group(1) == "agent"
    assert named["appeal_handling"].group(1) == "agent supervisor"
    assert all(named[p] is None for p in named if p not in ("complaint_handling", "appeal_handling"))
    assert (
        api.post("hall", "/process-instances", json={"process_id": "complaint_handling", "data": {}}).status_code == 403
    )


def test_start_data_nested_deeper_than_task_data_may_be_is_refused(api):
    assert upload(api, "p.bpmn", diagram("deep_start", "agent"), fill_schema=SIMPLE_FORM).status_code == 201
    deep: dict = {}
    for _ in range(40):
        deep = {"x": deep}
    r = api.post("agent", "/process-instances", json={"process_id": "deep_start", "data": deep})
    assert r.status_code == 422 and "deeper than 32" in r.get_json()["detail"]
