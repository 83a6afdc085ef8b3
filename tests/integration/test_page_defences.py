"""Text a diagram or form brings is never HTML, and every response tells the browser so.

Each attack is the one a process owner could deploy today: markup in a task's instructions, a
form field whose name closes an attribute. The page must show it as text, and the headers must
forbid inline script and framing even if some markup got through.
"""

from __future__ import annotations

import io
import json
import re
from xml.sax.saxutils import escape

import pytest

from tests.diagrams import Node, linear
from tests.integration.web_client import Web

XSS_INSTRUCTIONS = "<img src=x onerror=alert(1)><script>alert(2)</script> **请核实** [链接](javascript:alert(3))"
EVIL_FIELD = 'x" onfocus="alert(1)'


def deploy_task(api, pid: str, instructions: str | None, schema: dict) -> None:
    ext = (
        "<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property "
        'name="formJsonSchemaFilename" value="fill-schema.json"/></spiffworkflow:properties>'
    )
    if instructions is not None:
        ext += f"<spiffworkflow:instructionsForEndUser>{escape(instructions)}</spiffworkflow:instructionsForEndUser>"
    ext += "</bpmn:extensionElements>"
    files = {
        "file": (io.BytesIO(linear(pid, [Node("userTask", "fill", "填写", ext)])), f"{pid}.bpmn"),
        "form0": (io.BytesIO(json.dumps(schema).encode()), "fill-schema.json"),
    }
    r = api.post("owner", "/process-models", data=files, content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()


def start_and_find_task(api, pid: str) -> str:
    r = api.post("agent", "/process-instances", json={"process_id": pid, "data": {}})
    assert r.status_code == 201, r.get_json()
    instance = api.get("manager", f"/process-instances/{r.get_json()['id']}").get_json()
    return instance["ready_tasks"][0]["id"]


def test_markup_in_instructions_is_shown_as_text_and_markdown_still_formats(app, api):
    deploy_task(
        api, "xss_instructions", XSS_INSTRUCTIONS, {"type": "object", "properties": {"note": {"type": "string"}}}
    )
    task_id = start_and_find_task(api, "xss_instructions")
    html = Web(app).login("agent").text(f"/tasks/{task_id}")
    box = re.search(r'data-testid="instructions"[^>]*>(.*?)</div>', html, re.S).group(1)
    assert "<img" not in box and "<script" not in box and "<a" not in box  # the javascript: link stays text
    assert "&lt;img src=x onerror=alert(1)&gt;" in box and "&lt;script&gt;alert(2)&lt;/script&gt;" in box
    assert "<strong>请核实</strong>" in box  # Markdown is what diagram authors format with


def test_a_form_field_name_cannot_close_the_attribute_it_is_written_into(app, api):
    schema = {
        "type": "object",
        "required": [EVIL_FIELD],
        "properties": {EVIL_FIELD: {"type": "string", "title": "备注"}},
    }
    deploy_task(api, "xss_field", None, schema)
    task_id = start_and_find_task(api, "xss_field")
    web = Web(app).login("agent")
    web.post(f"/tasks/{task_id}/claim")
    r = web.post(f"/tasks/{task_id}", {EVIL_FIELD: "", "_action": "complete"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422, html[:500]
    assert 'aria-describedby="e-x&#34; onfocus=&#34;alert(1)"' in html
    assert not re.search(r'\sonfocus="alert', html)


@pytest.mark.parametrize(
    "path", ["/login", "/", "/static/css/app.css", "/api/v1/openapi.json", "/no-such-page", "/customer"]
)
def test_every_response_forbids_inline_script_framing_and_sniffing(client, path):
    r = client.get(path)
    r.close()  # a static file's handle
    csp = r.headers["Content-Security-Policy"]
    directives = dict((d.split(" ", 1) + [""])[:2] for d in csp.split("; "))
    assert directives["script-src"] == "'self'" and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in r.headers  # only when configured for TLS


def test_no_template_has_inline_script_or_handlers():
    """Inline script would need 'unsafe-inline'; JSON data blocks are not script and stay allowed."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "app" / "web" / "templates"
    offenders = []
    for path in root.rglob("*.html"):
        text = path.read_text()
        for m in re.finditer(r"<script\b([^>]*)>", text):
            if "src=" not in m.group(1) and 'type="application/json"' not in m.group(1):
                offenders.append(f"{path.name}: {m.group(0)}")
        offenders += [f"{path.name}: {m.group(0)}" for m in re.finditer(r"\son[a-z]+\s*=", text)]
        offenders += [f"{path.name}: {m.group(0)}" for m in re.finditer(r"\sstyle\s*=|javascript:", text)]
    assert not offenders, offenders
