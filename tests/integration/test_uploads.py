"""Malformed uploads are refused with clear problem+json errors: too large, not XML, hostile XML, wrong types."""

from __future__ import annotations

import io

import pytest

from tests.conftest import ROOT, Api, make_app

EIGHT = (ROOT / "bench" / "eight_tasks.bpmn").read_bytes()


@pytest.fixture
def api(sqlite_url, clock, tmp_path, demo_users):
    app = make_app(sqlite_url, clock, tmp_path, MAX_UPLOAD_MB=1)
    yield Api(app.test_client())
    app.extensions["complaintflow"].db.dispose()


def _upload(api, name: str, content: bytes, **fields):
    files = {"file": (io.BytesIO(content), name), **{k: (io.BytesIO(v[1]), v[0]) for k, v in fields.items()}}
    return api.post("owner", "/process-models", data=files, content_type="multipart/form-data")


def _problem(r, status: int) -> dict:
    assert r.status_code == status, r.get_data(as_text=True)[:500]
    assert r.mimetype == "application/problem+json"
    body = r.get_json()
    assert body["status"] == status and body["detail"] and body["request_id"] == r.headers["X-Request-ID"]
    return body


def test_a_diagram_over_max_upload_mb_is_413(api):
    huge = EIGHT.replace(b"</bpmn:definitions>", b"<!--" + b"x" * (2 * 1024 * 1024) + b"--></bpmn:definitions>")
    # The multipart body by hand: the test client would spool a file this large to a temporary file.
    raw = (
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="eight_tasks.bpmn"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n" + huge + b"\r\n--B--\r\n"
    )
    r = api.post("owner", "/process-models", data=raw, content_type="multipart/form-data; boundary=B")
    body = _problem(r, 413)
    assert "MAX_UPLOAD_MB" in body["detail"] and "1 MB" in body["detail"]


def test_a_json_body_over_max_upload_mb_is_413(api):
    r = api.post(
        "agent", "/complaints", data=b'{"matter": "' + b"x" * (2 * 1024 * 1024) + b'"}', content_type="application/json"
    )
    _problem(r, 413)


def test_a_file_that_is_not_text_is_refused(api):
    body = _problem(_upload(api, "eight_tasks.bpmn", b"\x89PNG\r\n\x1a\n\x00\x00binary"), 422)
    assert "UTF-8" in body["errors"][0]["message"]


def test_a_file_of_the_wrong_type_is_refused(api):
    body = _problem(_upload(api, "diagram.png", EIGHT), 422)
    assert body["errors"][0]["field"] == "file" and ".bpmn" in body["errors"][0]["message"]
    extra = _problem(_upload(api, "eight_tasks.bpmn", EIGHT, other=("run.sh", b"#!/bin/sh")), 422)
    assert "run.sh" in extra["errors"][0]["message"]


def test_an_empty_or_missing_file_is_refused(api):
    _problem(_upload(api, "eight_tasks.bpmn", b""), 422)
    missing = api.post("owner", "/process-models", data={"note": "no file"}, content_type="multipart/form-data")
    assert _problem(missing, 422)["errors"][0]["field"] == "file"


@pytest.mark.parametrize(
    "xml, expected",
    [
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', "DOCTYPE"),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><x>&b;</x>',
            "DOCTYPE",
        ),
        (b"<a>" * 5000 + b"</a>" * 5000, "depth"),
        (b"<bpmn:definitions><bpmn:process id='p'></bpmn:definitions>", "well-formed"),
    ],
)
def test_hostile_or_broken_xml_is_refused_without_being_expanded(api, xml, expected):
    body = _problem(_upload(api, "hostile.bpmn", xml), 422)
    assert expected.lower() in body["errors"][0]["message"].lower()


def test_a_body_that_is_not_a_json_object_is_refused(api):
    for data, content_type in (
        (b"not json", "application/json"),
        (b"[1, 2]", "application/json"),
        (b"customer_name=x", "application/x-www-form-urlencoded"),
    ):
        r = api.post("agent", "/complaints", data=data, content_type=content_type)
        assert _problem(r, 422)["errors"][0]["message"].startswith("send a JSON object")
