"""The managers' pages render, record readings, export, save searches; others are turned away."""

from __future__ import annotations

import pytest

from .test_instance_audit import walk
from .web_client import Web


@pytest.fixture
def web(app, demo_users):
    return Web(app).login("manager")


def test_search_instance_dashboard_and_regulator_pages(app, api, deployed, web):
    done = walk(api, "general_satisfied_first_reply")
    page = web.text("/reports/instances?status=closed")
    assert done["number"] in page and "138****5678" in page
    assert web.text("/reports/instances?status=nonsense", 200).count("status") >= 1
    inst = web.text(f"/reports/instances/{done['process_instance_id']}")
    assert "138****5678" in inst and "13812345678" not in inst  # the manager does not work it: masked
    assert 'id="diagram"' in inst and "bpmn-navigated-viewer" in inst
    assert 'data-seq="1"' in inst
    checked = web.text(f"/reports/instances/{done['process_instance_id']}?verify=1")
    assert 'data-testid="verify-result"' in checked and "flash-success" in checked
    csv = web.get("/reports/instances/export.csv?status=closed")
    assert csv.status_code == 200 and done["number"] in csv.get_data().decode("utf-8-sig")
    r = web.post("/reports/instances/saved", {"name": "已办结", "status": "closed"})
    assert r.status_code == 302 and "已办结" in web.text("/reports/instances")
    dash = web.text("/reports?from=2026-02-01&to=2026-03-02")
    assert 'data-chart="volume"' in dash and "echarts.min.js" in dash and 'id="heatmap"' in dash
    assert 'data-testid="p90-note"' in dash  # the page says how its P90 is rounded
    assert "2026-Q1" in web.text("/reports/regulator")
    log = api.get("manager", f"/access-log?complaint_id={done['id']}").get_json()["items"]
    assert [e["via"] for e in log] == ["web", "web"]  # the instance page, twice


def test_the_pages_are_for_managers_supervisors_and_directors(app, demo_users):
    agent = Web(app).login("agent")
    assert agent.get("/reports").status_code == 403
    assert agent.get("/reports/instances").status_code == 403
