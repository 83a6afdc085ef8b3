"""Customers attach evidence on their own page, checked as the agents' uploads are; agents see it marked."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from sqlalchemy import select

from app.models import AuditEvent, Complaint
from app.services import evidence_files as files
from app.services.complaints import customer_evidence

from .test_customer_page import NUMBER, QUESTION, TOKEN
from .web_client import Web

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PDF = b"%PDF-1.4\n%%EOF\n"
HELD = re.compile(r'name="evidence_held" value="([^"]*)"')
LINK = re.compile(r'href="(/customer/track/[^"/]+)"')


def _form(page: str, **over) -> dict:
    a, b = map(int, QUESTION.search(page).groups())
    return {
        "customer_name": "刘芳",
        "customer_phone": "13912345678",
        "matter": "营业厅办理的套餐与宣传不符。",
        "captcha_token": TOKEN.search(page).group(1),
        "captcha_question": f"{a} + {b} = ?",
        "captcha_answer": str(a + b),
    } | over


def _evidence_events(rt, number: str) -> list[dict]:
    with rt.db.read() as s:
        iid = s.scalar(select(Complaint.instance_id).where(Complaint.number == number))
        return [
            {"actor": e.actor, "after": e.data_after}
            for e in s.scalars(
                select(AuditEvent).where(AuditEvent.instance_id == iid, AuditEvent.type == "evidence.added")
            )
        ]


def _agent_page(app, number: str) -> str:
    agent = Web(app).login("agent")
    listing = agent.text(f"/complaints?q={number}")
    complaint_id = re.search(r'href="/complaints/(\d+)"', listing).group(1)
    return agent.text(f"/complaints/{complaint_id}")


def test_a_bad_file_is_refused_in_words_and_nothing_else_on_the_form_is_lost(app, rt, deployed):
    web = Web(app)
    form = _form(web.text("/customer/file"))
    sent = dict(
        form, evidence__upload=[(io.BytesIO(PNG), "欠费短信.png"), (io.BytesIO(b"MZ\x90\x00binary"), "tool.exe")]
    )
    r = web.post("/customer/file", sent, content_type="multipart/form-data")
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "tool.exe：只接受照片" in page and 'data-testid="evidence-error"' in page
    assert "营业厅办理的套餐与宣传不符。" in page and 'value="13912345678"' in page, "what was typed stays"
    assert f'value="{form["captcha_answer"]}"' in page, "the check's answer stays: it was not used"
    assert "欠费短信.png" in page.split('data-testid="evidence-kept"')[1], "the good file is kept"
    # sent again without the bad file: filed, with the photo on its record, marked as the customer's
    again = dict(form, evidence_held=HELD.search(page).group(1))
    r = web.post("/customer/file", again, content_type="multipart/form-data")
    assert r.status_code == 201, r.get_data(as_text=True)[:1500]
    number = NUMBER.search(r.get_data(as_text=True)).group(1)
    (added,) = _evidence_events(rt, number)
    assert added["actor"] == "customer" and len(added["after"]["evidence"]) == 1
    page = _agent_page(app, number)
    evidence = page.split('data-testid="complaint-evidence"')[1]
    assert "欠费短信.png" in evidence and 'data-testid="from-customer">客户提交<' in evidence


def test_a_forged_list_of_held_files_names_none(app, rt):
    forged = customer_evidence.hold(rt, ["0" * 32]).replace("a", "b", 1) + "x"
    assert customer_evidence.held(rt, forged) == []
    assert customer_evidence.held(rt, customer_evidence.hold(rt, ["0" * 32])) == [], "an unknown id is dropped"


def test_the_customer_adds_evidence_through_the_complaints_link_until_it_is_closed(app, rt, deployed):
    web = Web(app)
    r = web.post("/customer/file", _form(web.text("/customer/file")), content_type="multipart/form-data")
    assert r.status_code == 201
    filed = r.get_data(as_text=True)
    number = NUMBER.search(filed).group(1)
    link = LINK.search(filed).group(1)
    page = web.text(link)
    assert 'data-testid="add-evidence"' in page
    r = web.post(
        f"{link}/evidence", {"evidence__upload": [(io.BytesIO(PDF), "发票.pdf")]}, content_type="multipart/form-data"
    )
    assert r.status_code == 200 and "已收到 1 个文件" in r.get_data(as_text=True)
    r = web.post(
        f"{link}/evidence", {"evidence__upload": [(io.BytesIO(b"<svg/>"), "x.svg")]}, content_type="multipart/form-data"
    )
    assert r.status_code == 422 and "x.svg：只接受照片" in r.get_data(as_text=True)
    assert len(_evidence_events(rt, number)) == 1
    assert "发票.pdf" in _agent_page(app, number).split('data-testid="complaint-evidence"')[1]
    with rt.db.write() as s:
        s.execute(Complaint.__table__.update().where(Complaint.number == number).values(status="closed"))
    r = web.post(
        f"{link}/evidence", {"evidence__upload": [(io.BytesIO(PDF), "又一张.pdf")]}, content_type="multipart/form-data"
    )
    assert "该投诉已办结，不能再补充材料" in r.get_data(as_text=True) and len(_evidence_events(rt, number)) == 1


def test_uploads_are_limited_per_address(app, rt, deployed):
    web = Web(app)
    page = web.text("/customer/file")
    for _ in range(customer_evidence.FILES_PER_ADDRESS_PER_HOUR // 3):
        form = _form(page, evidence__upload=[(io.BytesIO(PNG), f"{i}.png") for i in range(3)], matter="")
        assert web.post("/customer/file", form, content_type="multipart/form-data").status_code == 422  # matter missing
    form = _form(page, evidence__upload=[(io.BytesIO(PNG), "one-more.png")])
    r = web.post("/customer/file", form, content_type="multipart/form-data")
    assert r.status_code == 429 and r.headers["Retry-After"]


def test_a_customers_upload_never_sent_with_a_complaint_is_deleted_once_old(app, rt, deployed, clock, api):
    """A form sent back (the check answered wrong) keeps the photo; the customer leaves and never files."""
    web = Web(app)
    left = _form(web.text("/customer/file"), captcha_answer="-1", evidence__upload=[(io.BytesIO(PNG), "离开.png")])
    page = web.post("/customer/file", left, content_type="multipart/form-data").get_data(as_text=True)
    held = HELD.search(page).group(1)
    (orphan,) = [f["id"] for f in customer_evidence.held(rt, held)]
    # another customer files with a photo: attached to the complaint, it stays whatever its age
    filed = _form(web.text("/customer/file"), evidence__upload=[(io.BytesIO(PNG), "账单.png")])
    r = web.post("/customer/file", filed, content_type="multipart/form-data")
    assert r.status_code == 201
    number = NUMBER.search(r.get_data(as_text=True)).group(1)
    (attached,) = _evidence_events(rt, number)[0]["after"]["evidence"]
    # an agent's upload not yet sent with a step is the agent's to finish, not this job's
    staff = api.post(
        "agent", "/evidence", data={"file": (io.BytesIO(PDF), "录音.pdf")}, content_type="multipart/form-data"
    )
    assert staff.status_code == 201, staff.get_json()
    (staff_id,) = [f["id"] for f in staff.get_json()["items"]]

    hours = rt.settings["CUSTOMER_UPLOAD_ORPHAN_HOURS"]
    start = clock.now()
    clock.set(start + timedelta(hours=hours - 1))
    assert customer_evidence.remove_orphans(rt) == 0, "younger than the configured age: still the customer's"
    assert customer_evidence.held(rt, held), "the form sent back still holds it"

    clock.set(start + timedelta(hours=hours, minutes=1))
    assert customer_evidence.remove_orphans(rt) == 1
    blob, meta = files.paths(rt, orphan)
    assert not blob.exists() and not meta.exists(), "the photo and its record are gone from the disk"
    assert customer_evidence.held(rt, held) == [], "the old form names it no more"
    for kept in (attached, staff_id):
        blob, meta = files.paths(rt, kept)
        assert blob.exists() and meta.exists()
    assert "账单.png" in _agent_page(app, number).split('data-testid="complaint-evidence"')[1]
    assert customer_evidence.remove_orphans(rt) == 0
