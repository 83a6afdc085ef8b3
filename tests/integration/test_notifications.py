"""The outbox: written with the decision, sent once by the tick through the configured sender, retried with
back-off, never lost; two ticks at once never send a message twice (SKIP LOCKED on PostgreSQL)."""

from __future__ import annotations

import socketserver
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import Notification
from app.services.notifications.outbox import send_batch, send_due
from tests.conftest import Api, make_app

from .flow import registration, scenario

pytestmark = pytest.mark.also_postgres

SENT: list = []  # what the recording sender delivered, in order
FAIL = {"on": False}


class Recording:
    name = "recording"

    def send(self, message):
        if FAIL["on"]:
            raise ConnectionError("gateway down")
        time.sleep(0.002)  # a send takes a moment: concurrent ticks overlap
        SENT.append(message)
        return f"ref-{len(SENT)}"


def recording_sender(settings):
    """NOTIFY_SENDER=tests.integration.test_notifications:recording_sender (the plug-in hook)."""
    return Recording()


@pytest.fixture
def outbox(db_url, clock, tmp_path, deployed):
    SENT.clear()
    FAIL["on"] = False
    app = make_app(
        db_url,
        clock,
        tmp_path,
        NOTIFY_SENDER="tests.integration.test_notifications:recording_sender",
        NOTIFY_MAX_ATTEMPTS=3,
        PUBLIC_BASE_URL="https://kf.example.cn",
    )
    rt = app.extensions["complaintflow"]
    yield rt, Api(app.test_client())
    rt.db.dispose()


def _rows(rt):
    with rt.db.read() as s:
        return list(s.scalars(select(Notification).order_by(Notification.id)))


def test_registration_writes_the_notice_and_the_tick_sends_it_once(outbox):
    rt, api = outbox
    body = registration(scenario("general_satisfied_first_reply")) | {"customer_email": "zhang@example.cn"}
    number = api.post("agent", "/complaints", json=body).get_json()["number"]
    rows = _rows(rt)
    assert [(r.template, r.channel, r.status) for r in rows] == [
        ("received", "sms", "pending"),
        ("received", "email", "pending"),
    ]
    assert api.post("agent", "/complaints", json=body | {"channel": "pigeon"}).status_code == 422
    assert len(_rows(rt)) == 2  # a refused registration writes no notice

    assert send_due(rt) == 2 and send_due(rt) == 0
    assert [(m.channel, m.recipient) for m in SENT] == [("sms", body["customer_phone"]), ("email", "zhang@example.cn")]
    assert number in SENT[0].body and "https://kf.example.cn/customer/track" in SENT[0].body
    assert SENT[1].subject == f"您的投诉已受理（{number}）"
    assert len({m.key for m in SENT}) == 2
    assert all(r.status == "sent" and r.sent_at and r.sender == "recording" for r in _rows(rt))


def test_a_failing_gateway_backs_off_then_leaves_the_message_failed_for_a_supervisor(outbox, clock):
    rt, api = outbox
    api.post("agent", "/complaints", json=registration(scenario("general_satisfied_first_reply")))
    FAIL["on"] = True
    assert send_due(rt) == 0
    row = _rows(rt)[0]
    assert (row.status, row.attempts, row.next_attempt_at - clock.now()) == ("pending", 1, timedelta(minutes=1))
    assert send_due(rt) == 0 and _rows(rt)[0].attempts == 1  # not due again before its back-off
    clock.advance(timedelta(minutes=1))
    send_due(rt)
    clock.advance(timedelta(minutes=2))
    send_due(rt)
    row = _rows(rt)[0]
    assert (row.status, row.attempts, row.last_error) == ("failed", 3, "ConnectionError: gateway down")
    failed = api.get("supervisor", "/notifications?status=failed").get_json()["items"]
    assert [n["id"] for n in failed] == [row.id]
    assert api.get("agent", "/notifications").status_code == 403
    FAIL["on"] = False
    assert api.post("supervisor", f"/notifications/{row.id}/retry").get_json()["status"] == "pending"
    assert api.post("supervisor", f"/notifications/{row.id}/retry").status_code == 409
    assert send_due(rt) == 1 and [m.key for m in SENT] == [row.idempotency_key]


def test_concurrent_ticks_send_every_message_exactly_once(outbox):
    rt, api = outbox
    body = registration(scenario("general_satisfied_first_reply"))
    for i in range(30):
        api.post("agent", "/complaints", json=body | {"customer_phone": f"1390000{i:04d}"})
    errors = []

    def tick():
        try:
            for _ in range(10):
                send_batch(rt, 4)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=tick) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    send_due(rt)
    assert not errors
    keys = [m.key for m in SENT]
    assert len(keys) == 30 and len(set(keys)) == 30
    with rt.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Notification).where(Notification.status == "sent")) == 30


class _Smtp(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept one message and keep it."""

    received: list[bytes] = []

    def handle(self):
        self.wfile.write(b"220 test ready\r\n")
        data = None
        while line := self.rfile.readline():
            cmd = line.strip().upper()
            if data is not None:
                if cmd == b".":
                    _Smtp.received.append(b"".join(data))
                    data = None
                    self.wfile.write(b"250 queued\r\n")
                else:
                    data.append(line)
                continue
            if cmd.startswith((b"EHLO", b"HELO")):
                self.wfile.write(b"250 test\r\n")
            elif cmd == b"DATA":
                data = []
                self.wfile.write(b"354 go on\r\n")
            elif cmd == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


def test_the_smtp_sender_mails_with_the_key_as_message_id(sqlite_url, clock, tmp_path, deployed):
    _Smtp.received = []
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Smtp)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        app = make_app(
            sqlite_url,
            clock,
            tmp_path,
            NOTIFY_SENDER="smtp",
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=server.server_address[1],
            SMTP_FROM="kefu@example.cn",
        )
        rt = app.extensions["complaintflow"]
        body = registration(scenario("general_satisfied_first_reply")) | {"customer_email": "li@example.cn"}
        Api(app.test_client()).post("agent", "/complaints", json=body)
        assert send_due(rt) == 2  # the SMS goes to the log until a gateway is plugged in
        mail = _Smtp.received[0].decode("utf-8", "replace")
        key = _rows(rt)[1].idempotency_key
        assert "To: li@example.cn" in mail and f"Message-ID: <{key.replace(':', '.')}@example.cn>" in mail
        assert [r.sender for r in _rows(rt)] == ["log+smtp", "log+smtp"]
        rt.db.dispose()
    finally:
        server.shutdown()
        server.server_close()


def test_a_bad_template_or_rules_file_stops_start_up_naming_the_setting(sqlite_url, clock, tmp_path):
    bad = tmp_path / "notifications.toml"
    bad.write_text('[templates.received]\nsms = "{{ number "\n', encoding="utf-8")
    with pytest.raises(SystemExit, match="COMPLAINTFLOW_NOTIFICATIONS_CONFIG"):
        make_app(sqlite_url, clock, tmp_path, NOTIFICATIONS_CONFIG=str(bad))
    rules = tmp_path / "flow.toml"
    rules.write_text("[repeat]\nwindow_days = 0\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="COMPLAINTFLOW_FLOW_CONFIG.*window_days"):
        make_app(sqlite_url, clock, tmp_path, FLOW_CONFIG=str(rules))
