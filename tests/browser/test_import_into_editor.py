"""A process owner imports a diagram drawn in another modeler: the editor opens it as a draft with its
problems marked, the owner fixes the one that blocks, deploys, and the process starts and runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.signing_in import sign_in

pytestmark = pytest.mark.browser
CORPUS = Path(__file__).resolve().parents[1] / "corpus"
FIXED = 'refund_ok = amount <= 200\ntags = ["checked"]'


def test_import_a_diagram_with_problems_see_the_markers_fix_deploy_and_start(page, live, tmp_path, screenshots):
    base, app, _clock = live
    source = (CORPUS / "spiff_data_objects.bpmn").read_text(encoding="utf-8")
    broken = source.replace("refund_ok = amount &lt;= 200", "import os\nrefund_ok = amount &lt;= 200")
    upload = tmp_path / "refund_check.bpmn20.xml"
    upload.write_text(broken, encoding="utf-8")

    sign_in(page, "owner")
    page.get_by_role("link", name="流程模型").click()
    page.get_by_test_id("import-file").first.set_input_files(str(upload))
    page.get_by_test_id("import-submit").first.click()
    editor = page.locator("#editor")
    expect(editor).to_have_attribute("data-loaded", "1")
    expect(editor).to_have_attribute("data-checked", "errors")  # checked on opening: the owner sees what to fix
    expect(page.locator('[data-element-id="decide_refund"].cf-error')).to_have_count(1)
    expect(page.locator('[data-element-id="StartEvent_1"].cf-warning')).to_have_count(1)  # unnamed: style only
    page.screenshot(path=str(screenshots / "import-marked.png"))

    page.evaluate(
        """(script) => {
        const m = window.complaintflowEditor.modeler;
        m.get('modeling').updateProperties(m.get('elementRegistry').get('decide_refund'), {script: script});
    }""",
        FIXED,
    )
    page.get_by_test_id("check").click()
    expect(editor).to_have_attribute("data-checked", "ok")
    expect(page.locator('[data-element-id="decide_refund"].cf-error')).to_have_count(0)
    page.get_by_test_id("deploy").click()
    # a process new to the library: the editor hands over to its page, which shows the deployed version
    expect(page).to_have_url(re.compile(r"/models/refund_check$"))
    expect(page.locator("table.versions tbody tr")).to_have_count(1)
    expect(page.locator("table.versions tbody tr").first).to_contain_text("第 1 版")
    page.screenshot(path=str(screenshots / "import-deployed.png"))

    from app.services.instances.store import SYSTEM, describe_instance, start_instance

    rt = app.extensions["complaintflow"]
    with app.app_context():
        started = describe_instance(rt, start_instance(rt, "refund_check", {"amount": 120}, SYSTEM))
    assert started["status"] == "completed" and started["data"]["tags"] == ["checked"]
