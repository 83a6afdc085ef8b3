"""Evidence shown where it is discussed: each type previewed its own way, served with safe headers, opened
only by those who may see the complaint, every view and download in the complaint's access log."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from app.domain.policy import may_open_evidence
from app.models import AccessLog
from app.services import evidence_files
from tests.integration.test_web_flow import as_form, happy_path, open_task_of, register
from tests.integration.web_client import Web

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\0" * 64


def _registered_with(app, uploads: list[tuple[bytes, str]]) -> tuple[Web, str]:
    """An agent registers a complaint and attaches these files at the register step."""
    sc = happy_path()
    agent = Web(app).login("agent")
    number, _ = register(agent, sc["start_data"])
    for step in sc["steps"][:2]:
        agent.post(f"/tasks/{open_task_of(agent, number)}", as_form(step["data"]))
    data = as_form(sc["steps"][2]["data"])
    data["evidence__upload"] = [(io.BytesIO(content), name) for content, name in uploads]
    r = agent.post(f"/tasks/{open_task_of(agent, number)}", data, content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    return agent, number


def _ids(page: str) -> dict[str, str]:
    """File name -> evidence id, as the page lists them."""
    return dict(
        (name, fid)
        for fid, name in re.findall(
            r'data-evidence="([0-9a-f]{32})">.*?<span class="evidence-name">([^<]+)</span>', page, re.S
        )
    )


def _status(web: Web, path: str) -> int:
    with web.get(path) as r:  # a file response holds the file open until closed
        return r.status_code


def _access(app) -> list[tuple[str, str, str]]:
    with app.extensions["complaintflow"].db.read() as s:
        rows = s.scalars(select(AccessLog).where(AccessLog.action.like("evidence.%")).order_by(AccessLog.id)).all()
        return [(r.actor, r.action, r.detail["name"]) for r in rows]


def test_each_type_is_previewed_its_own_way_on_the_task_and_the_complaint_page(app, deployed):
    agent, number = _registered_with(app, [(PNG, "信号截图.png"), (PDF, "账单.pdf"), (MP3, "通话录音.mp3")])
    dispatcher = Web(app).login("dispatcher")
    task_page = dispatcher.text(f"/tasks/{open_task_of(dispatcher, number)}")
    ids = _ids(task_page)
    assert set(ids) == {"信号截图.png", "账单.pdf", "通话录音.mp3"}
    photo, pdf, mp3 = ids["信号截图.png"], ids["账单.pdf"], ids["通话录音.mp3"]
    assert re.search(rf'href="/evidence/{photo}"[^>]*data-preview="image"', task_page), "a thumbnail that enlarges"
    assert f'<img class="evidence-thumb" src="/evidence/{photo}"' in task_page
    assert re.search(rf'href="/evidence/{pdf}"[^>]*data-preview="pdf"', task_page), "a PDF opens in the viewer"
    assert f'<audio controls preload="none" src="/evidence/{mp3}"' in task_page
    assert task_page.count('data-testid="evidence-download"') == 3
    complaint_id = re.search(r'href="/complaints/(\d+)" data-testid="complaint-number"', task_page).group(1)
    complaint_page = agent.text(f"/complaints/{complaint_id}")
    assert 'data-testid="complaint-evidence"' in complaint_page and set(_ids(complaint_page)) == set(ids)
    assert "客户提交" not in complaint_page, "an agent's upload is not marked as the customer's"


def test_files_are_served_with_safe_headers_and_a_changed_file_is_only_downloaded(app, deployed):
    agent, number = _registered_with(app, [(PNG, "信号截图.png"), (PDF, "账单.pdf")])
    dispatcher = Web(app).login("dispatcher")
    ids = _ids(dispatcher.text(f"/tasks/{open_task_of(dispatcher, number)}"))
    with agent.get(f"/evidence/{ids['信号截图.png']}") as r:
        assert r.status_code == 200 and r.mimetype == "image/png" and r.data == PNG
        assert r.headers["Content-Disposition"].startswith("inline")
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["X-Frame-Options"] == "SAMEORIGIN"
        policy = dict(d.strip().split(" ", 1) for d in r.headers["Content-Security-Policy"].split(";"))
        assert policy["default-src"] == "'none'" and policy["frame-ancestors"] == "'self'"
        assert "script-src" not in policy, "nothing in a file runs"
    with agent.get(f"/evidence/{ids['账单.pdf']}/download") as r:
        assert r.status_code == 200 and r.headers["Content-Disposition"].startswith("attachment")
        assert "filename*=UTF-8''%E8%B4%A6%E5%8D%95.pdf" in r.headers["Content-Disposition"]
    # the bytes on disk no longer are a PNG (an HTML page slipped in): never shown, never typed as an image
    rt = app.extensions["complaintflow"]
    blob, _ = evidence_files.paths(rt, ids["信号截图.png"])
    blob.write_bytes(b"<html><script>alert(1)</script></html>")
    with agent.get(f"/evidence/{ids['信号截图.png']}") as r:
        assert r.mimetype == "application/octet-stream" and r.headers["Content-Disposition"].startswith("attachment")


def test_only_those_who_may_see_the_complaint_open_a_file_and_each_opening_is_in_its_access_log(app, deployed):
    agent, number = _registered_with(app, [(PNG, "信号截图.png")])
    dispatcher = Web(app).login("dispatcher")
    (photo,) = _ids(dispatcher.text(f"/tasks/{open_task_of(dispatcher, number)}")).values()
    assert _status(dispatcher, f"/evidence/{photo}") == 200
    assert _status(agent, f"/evidence/{photo}/download") == 200
    assert _status(Web(app).login("billing"), f"/evidence/{photo}") == 404, "another department"
    assert _status(Web(app).login("owner"), f"/evidence/{photo}/download") == 404, "a process owner"
    manager = Web(app).login("manager")
    assert _status(manager, f"/evidence/{photo}") == 200, "an overseer, logged"
    assert _access(app) == [
        ("dispatcher", "evidence.viewed", "信号截图.png"),
        ("agent", "evidence.downloaded", "信号截图.png"),
        ("manager", "evidence.viewed", "信号截图.png"),
    ]
    log = manager.text(f"/reports/access-log?number={number}")
    assert log.count('data-testid="access-file">信号截图.png<') == 3
    assert "下载证据文件" in log and "查看证据文件" in log


def test_too_many_files_at_once_are_refused_in_words_and_nothing_is_kept(app, deployed):
    sc = happy_path()
    agent = Web(app).login("agent")
    number, _ = register(agent, sc["start_data"])
    for step in sc["steps"][:2]:
        agent.post(f"/tasks/{open_task_of(agent, number)}", as_form(step["data"]))
    data = as_form(sc["steps"][2]["data"])
    data["evidence__upload"] = [(io.BytesIO(PNG), f"p{i}.png") for i in range(11)]
    r = agent.post(f"/tasks/{open_task_of(agent, number)}", data, content_type="multipart/form-data")
    assert r.status_code == 422 and "一次最多上传 10 个文件" in r.get_data(as_text=True)
    rt = app.extensions["complaintflow"]
    assert not list(evidence_files.root(rt).glob("*/*.json")), "nothing stored"


@pytest.mark.parametrize(
    "own_unattached, sees, works, groups, allowed",
    [
        (True, False, False, {"agent"}, True),
        (False, True, True, {"handler_network"}, True),
        (False, True, False, {"manager"}, True),
        (False, True, False, {"agent"}, False),
        (False, False, False, {"manager"}, False),
    ],
)
def test_the_need_to_know_rule(own_unattached, sees, works, groups, allowed):
    assert (
        may_open_evidence(groups, own_unattached=own_unattached, sees_complaint=sees, works_on_complaint=works)
        is allowed
    )
