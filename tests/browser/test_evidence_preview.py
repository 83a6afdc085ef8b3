"""In the browser: evidence previewed on the task and complaint pages (a photo enlarged in a dialog, a PDF
in the viewer, a recording in a player), at desktop and phone width; a customer attaches evidence on their
own page (a refused file loses nothing else) and the agents see it marked as the customer's."""

from __future__ import annotations

import io
import re
import struct
import zlib

import pytest

from tests.browser.accessibility import serious_violations
from tests.browser.signing_in import sign_in
from tests.browser.test_phone_width import PHONE, no_sideways_scroll, phone  # noqa: F401 - the fixture
from tests.integration.test_web_flow import as_form, happy_path, open_task_of, register
from tests.integration.web_client import Web

pytestmark = pytest.mark.browser


def expect(locator):
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator)


def png(width: int = 48, height: int = 32) -> bytes:
    """A real (orange) PNG the browser can draw."""
    raw = b"".join(b"\x00" + b"\xf5\x9e\x0b" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\0" * 64


def _with_evidence(app, phone_number: str) -> str:
    """An agent registers a complaint and attaches a photo, a PDF and a recording; its number."""
    sc = happy_path()
    agent = Web(app).login("agent")
    number, _ = register(agent, dict(sc["start_data"], customer_phone=phone_number))
    for step in sc["steps"][:2]:
        agent.post(f"/tasks/{open_task_of(agent, number)}", as_form(step["data"]))
    data = as_form(sc["steps"][2]["data"])
    data["evidence__upload"] = [
        (io.BytesIO(png()), "基站附近信号截图_2026年3月1日晚间_客户自行拍摄.png"),
        (io.BytesIO(PDF), "账单.pdf"),
        (io.BytesIO(MP3), "通话录音.mp3"),
    ]
    r = agent.post(f"/tasks/{open_task_of(agent, number)}", data, content_type="multipart/form-data")
    assert r.status_code == 302
    return number


def test_a_photo_enlarges_a_pdf_opens_in_the_viewer_and_a_recording_plays(page, live, screenshots):
    _, app, _ = live
    number = _with_evidence(app, "13955560001")
    sign_in(page, "dispatcher")
    page.goto(f"/?q={number}")
    page.locator("a.rowlink").first.click()
    expect(page.get_by_test_id("task-title")).to_be_visible()
    page.wait_for_load_state("load")
    evidence = page.get_by_test_id("evidence-list")
    thumb = evidence.locator("a[data-preview=image]")
    expect(thumb.locator("img")).to_have_js_property("complete", True)
    assert thumb.locator("img").evaluate("img => img.naturalWidth") == 48
    expect(evidence.locator("audio[controls]")).to_have_count(1)

    thumb.click()
    viewer = page.get_by_test_id("evidence-viewer")
    expect(viewer).to_be_visible()
    expect(viewer.locator("h2")).to_have_text("基站附近信号截图_2026年3月1日晚间_客户自行拍摄.png")
    expect(viewer.locator("img.evidence-full")).to_have_js_property("naturalWidth", 48)
    page.screenshot(path=str(screenshots / "evidence-photo.png"))
    assert serious_violations(page) == []
    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    expect(thumb).to_be_focused()

    with page.expect_response(re.compile(r"/evidence/[0-9a-f]{32}$")) as got:
        evidence.get_by_test_id("evidence-pdf").click()
    assert got.value.status == 200 and got.value.headers["content-type"] == "application/pdf"
    assert got.value.headers["content-disposition"].startswith("inline")
    expect(viewer.locator("iframe.evidence-pdf")).to_be_visible()
    viewer.get_by_role("button", name="关闭").click()
    expect(viewer).to_be_hidden()

    with page.expect_download() as download:
        evidence.get_by_test_id("evidence-download").nth(1).click()
    assert download.value.suggested_filename == "账单.pdf"


def test_the_complaint_page_lists_the_evidence_on_a_phone(phone, live, screenshots):  # noqa: F811
    _, app, _ = live
    number = _with_evidence(app, "13955560002")
    from tests.browser.test_phone_width import sign_in_on_phone

    sign_in_on_phone(phone, "agent")
    phone.goto(f"/complaints?q={number}")
    phone.locator(f"a:has-text('{number}')").first.click()
    panel = phone.get_by_test_id("complaint-evidence")
    expect(panel).to_be_visible()
    expect(panel.locator("[data-evidence]")).to_have_count(3)
    no_sideways_scroll(phone)
    phone.wait_for_load_state("load")
    panel.locator("a[data-preview=image]").click()
    expect(phone.get_by_test_id("evidence-viewer")).to_be_visible()
    box = phone.get_by_test_id("evidence-viewer").bounding_box()
    assert box and box["width"] <= PHONE["width"]
    phone.screenshot(path=str(screenshots / "evidence-phone.png"))


def test_a_customer_attaches_evidence_on_a_phone_and_the_agent_sees_it_marked(phone, live, tmp_path):  # noqa: F811
    _, app, _ = live
    photo, bad = tmp_path / "欠费短信.png", tmp_path / "说明.exe"
    photo.write_bytes(png())
    bad.write_bytes(b"MZ\x90\x00not a photo")
    phone.goto("/customer/file")
    phone.locator("[name=customer_name]").fill("赵敏")
    phone.locator("[name=customer_phone]").fill("13955560003")
    phone.locator("[name=matter]").fill("宽带每晚断线，已报修三次仍未解决。")
    a, b = map(int, re.findall(r"\d+", phone.get_by_test_id("captcha-question").inner_text()))
    phone.get_by_test_id("captcha-answer").fill(str(a + b))
    phone.locator("[name=evidence__upload]").set_input_files([str(photo), str(bad)])
    no_sideways_scroll(phone)
    phone.get_by_test_id("file-submit").click()
    expect(phone.get_by_test_id("evidence-error")).to_contain_text("说明.exe：只接受照片")
    expect(phone.locator("[name=matter]")).to_have_value("宽带每晚断线，已报修三次仍未解决。")
    expect(phone.get_by_test_id("captcha-answer")).to_have_value(str(a + b))
    expect(phone.get_by_test_id("evidence-kept")).to_contain_text("欠费短信.png")
    assert serious_violations(phone) == []
    phone.get_by_test_id("file-submit").click()
    number = phone.get_by_test_id("complaint-number").inner_text()

    phone.get_by_test_id("track-link").click()
    form = phone.get_by_test_id("add-evidence")
    expect(form).to_be_visible()
    pdf = tmp_path / "维修单.pdf"
    pdf.write_bytes(PDF)
    form.locator("[name=evidence__upload]").set_input_files(str(pdf))
    form.get_by_test_id("evidence-submit").click()
    expect(phone.get_by_test_id("evidence-added")).to_contain_text("已收到 1 个文件")
    no_sideways_scroll(phone)
    assert serious_violations(phone) == []  # the following page with its result, its steps and its link

    agent = Web(app).login("agent")
    complaint_id = re.search(r'href="/complaints/(\d+)"', agent.text(f"/complaints?q={number}")).group(1)
    listed = agent.text(f"/complaints/{complaint_id}").split('data-testid="complaint-evidence"')[1]
    assert "欠费短信.png" in listed and "维修单.pdf" in listed
    assert listed.count('data-testid="from-customer"') == 2
