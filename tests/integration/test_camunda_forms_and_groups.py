"""A Camunda Modeler diagram's forms and candidate groups work here as they did there.

camunda:formData becomes a JSON Schema form at deploy (validated by the API and shown on the
task page); what the form cannot keep is a warning naming the element and the field.
camunda:candidateGroups map to our groups through config/group_aliases.toml, and those that map
to nothing are reported and go to the stated fallback group.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.integration.web_client import Web

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
NAME = "camunda_refund_form.bpmn"


@pytest.fixture
def db_url(sqlite_url):
    """SQLite only: these tests are about reading diagrams."""
    return sqlite_url


def upload(api, path: str = "/process-models", data: bytes | None = None):
    source = data if data is not None else (CORPUS / NAME).read_bytes()
    return api.post(
        "owner", path, data={"file": (io.BytesIO(source), NAME)}, content_type="multipart/form-data"
    ).get_json()


def start(rt, app) -> int:
    from app.services.instances.store import SYSTEM, start_instance

    with app.app_context():
        return start_instance(rt, "refund_request", {"case_ref": "R-2026-001"}, SYSTEM)


def ready_task(api, user: str, element_id: str) -> dict:
    tasks = api.get(user, "/tasks?state=ready").get_json()["items"]
    (task,) = [t for t in tasks if t["element_id"] == element_id]
    return task


def test_unsupported_fields_and_unmapped_groups_are_warnings_naming_element_and_field(api):
    body = upload(api, "/process-models/check")
    assert body["ok"] is True, [p for p in body["problems"] if p["severity"] == "error"]
    found = {(p["rule"], p["element_id"]): p["message"] for p in body["problems"] if p["severity"] == "warning"}
    form_warnings = [m for (rule, el), m in found.items() if rule == "camunda-form" and el == "Activity_review"]
    messages = [p["message"] for p in body["problems"] if p["rule"] == "camunda-form"]
    assert form_warnings
    assert any("'attachment'" in m and "type 'file' is not supported" in m for m in messages)
    assert any("'iban'" in m and "constraint 'validator' is not supported" in m for m in messages)
    groups = found[("candidate-groups", "Activity_legal")]
    assert "legal, compliance" in groups and "fallback group 'supervisor'" in groups
    assert ("candidate-groups", "Activity_review") not in found  # accounting -> handler_billing
    # the generated form is found, and its fields are names the gateway may read
    assert not [
        p for p in body["problems"] if p["rule"] in ("form", "undeclared-name") and p["element_id"] != "Activity_legal"
    ]


def test_the_generated_form_is_served_validated_and_fills_the_task_data(api, app, rt):
    assert upload(api)["version"] == 1
    start(rt, app)
    task = ready_task(api, "billing", "Activity_review")  # accounting is the billing department here
    assert task["candidate_group"] == "handler_billing"
    full = api.get("billing", f"/tasks/{task['id']}").get_json()
    schema = full["form_schema"]
    assert schema["required"] == ["customer", "refund_amount"]
    assert schema["properties"]["refund_amount"] == {
        "type": "integer",
        "title": "Refund (yuan)",
        "default": 50,
        "minimum": 1,
        "maximum": 5000,
    }
    assert (
        schema["properties"]["pay_by"]["format"] == "date" and schema["properties"]["pay_by"]["default"] == "2026-12-31"
    )
    assert [o["const"] for o in schema["properties"]["refund_channel"]["oneOf"]] == ["bill", "bank"]
    assert schema["properties"]["case_ref"]["readOnly"] is True

    bad = api.post("billing", f"/tasks/{task['id']}/complete", json={"data": {"customer": "王", "refund_amount": 9000}})
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.get_json()["errors"]}
    assert fields == {"customer", "refund_amount"}  # too short, above the max

    done = api.post(
        "billing",
        f"/tasks/{task['id']}/complete",
        json={
            "data": {
                "customer": "王芳",
                "refund_amount": 120,
                "approved": True,
                "case_ref": "changed",
                "pay_by": "2026-12-01",
            }
        },
    )
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["status"] == "completed"
    audit = api.get("supervisor", f"/process-instances/{task['instance_id']}").get_json()
    assert audit["data"]["case_ref"] == "R-2026-001"  # a readonly field keeps the process's value


def test_a_group_that_maps_to_nothing_goes_to_the_fallback_group(api, app, rt):
    upload(api)
    start(rt, app)
    task = ready_task(api, "billing", "Activity_review")
    api.post(
        "billing",
        f"/tasks/{task['id']}/complete",
        json={"data": {"customer": "王芳", "refund_amount": 10, "approved": False}},
    )
    legal = ready_task(api, "supervisor", "Activity_legal")
    assert legal["candidate_group"] == "supervisor"


def test_the_task_page_shows_the_form_with_defaults_and_a_readonly_field(api, app, rt):
    upload(api)
    start(rt, app)
    task = ready_task(api, "billing", "Activity_review")
    web = Web(app)
    web.login("billing")
    page = web.text(f"/tasks/{task['id']}")
    assert 'name="refund_amount" value="50"' in page and 'min="1"' in page and 'max="5000"' in page
    assert 'type="date" id="f-pay_by" name="pay_by" value="2026-12-31"' in page
    assert "Next bill" in page and "Bank transfer" in page
    assert 'name="case_ref" value="R-2026-001"  disabled' in page
    refused = web.post(f"/tasks/{task['id']}", data={"customer": "", "refund_amount": "50"})
    assert refused.status_code in (200, 422) and "f-customer" in refused.get_data(as_text=True)
