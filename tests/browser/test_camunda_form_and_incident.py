"""In a real browser: a Camunda Modeler diagram's generated form on the task page (defaults, a readonly
field, validation beside the field), and a failing connector's incident retried from the instance page."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from tests.browser.signing_in import sign_in
from tests.conftest import Api
from tests.integration import test_connector_incidents as connector

pytestmark = pytest.mark.browser
CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def expect(locator):
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator)


def deploy(api: Api, name: str, data: bytes) -> None:
    got = api.post(
        "owner", "/process-models", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )
    assert got.status_code == 201, got.get_json()


def test_a_camunda_user_task_shows_its_form_and_checks_it(live, page, screenshots):
    from app.domain.actors import SYSTEM
    from app.services.instances.store import start_instance

    _, app, _ = live
    rt = app.extensions["complaintflow"]
    api = Api(app.test_client())
    deploy(api, "camunda_refund_form.bpmn", (CORPUS / "camunda_refund_form.bpmn").read_bytes())
    with app.app_context():
        start_instance(rt, "refund_request", {"case_ref": "R-2026-007"}, SYSTEM)
    (task,) = [t for t in api.get("billing", "/tasks").get_json()["items"] if t["element_id"] == "Activity_review"]
    sign_in(page, "billing")
    page.goto(f"/tasks/{task['id']}")
    expect(page.get_by_test_id("submit")).to_be_visible()
    page.wait_for_load_state("load")
    expect(page.locator("#f-refund_amount")).to_have_value("50")
    expect(page.locator("#f-pay_by")).to_have_value("2026-12-31")
    expect(page.locator("#f-case_ref")).to_be_disabled()
    expect(page.locator("#f-case_ref")).to_have_value("R-2026-007")
    page.locator("#f-refund_channel").select_option("bank")
    page.screenshot(path=str(screenshots / "camunda-form.png"), full_page=True)
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("error-summary")).to_be_visible()
    expect(page.locator("#e-customer")).to_be_visible()  # required, said beside the field
    page.locator("#f-customer").fill("王芳")
    page.get_by_test_id("submit").click()
    expect(page.locator(".flash-success, [role=status]").first).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(screenshots / "camunda-form-done-390.png"), full_page=True)


def test_a_supervisor_retries_a_connector_incident_from_the_instance_page(live, page, tmp_path, screenshots):
    _, app, _ = live
    rt = app.extensions["complaintflow"]
    config = tmp_path / "connectors.toml"
    config.write_text(
        f'[retry]\nattempts = 2\nbackoff_seconds = 0\n[customer]\nadapter = "{connector.__name__}:flaky"\n',
        encoding="utf-8",
    )
    rt.settings["CONNECTORS_CONFIG"] = str(config)
    connector.FAULT.update(broken=True, flaky_left=0)
    api = Api(app.test_client())
    deploy(api, "vip.bpmn", connector.DIAGRAM)
    started = api.post("agent", "/process-instances", json={"process_id": "vip_check", "data": {}}).get_json()
    (task,) = started["ready_tasks"]
    done = api.post("agent", f"/tasks/{task['id']}/complete", json={"data": {"phone": "13800000009"}}).get_json()
    assert done["incidents"]

    sign_in(page, "supervisor")
    page.goto(f"/reports/instances/{started['id']}")
    incidents = page.get_by_test_id("incidents")
    expect(incidents).to_contain_text("customer/lookup")
    expect(incidents).to_contain_text("BSS refused the connection")
    page.screenshot(path=str(screenshots / "instance-incident.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(screenshots / "instance-incident-390.png"), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 900})

    connector.FAULT["broken"] = False  # the BSS is back
    page.get_by_test_id("retry-incident").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.get_by_test_id("instance-status")).to_have_text("已完成")
    expect(page.get_by_test_id("retry-incident")).to_have_count(0)
