"""Serving on many hosts: health and readiness, request ids, JSON logs, metrics, sign-in limits across hosts."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from sqlalchemy import text

from app.ops.logs import JsonFormatter, RequestIdFilter, request_id
from tests.conftest import make_app

from .flow import complete, registration, scenario

pytestmark = pytest.mark.also_postgres


def test_healthz_answers_without_the_database(tmp_path, clock):
    from app import create_app

    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/nowhere",
            "SECRET_KEY": "test",
            "UPLOAD_DIR": str(tmp_path),
        },
        clock=clock,
    )
    client = app.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok"}
    r = client.get("/readyz")
    assert r.status_code == 503 and r.headers["Retry-After"]
    body = r.get_json()
    assert body["status"] == "not ready" and body["checks"]["database"]["ok"] is False
    assert "database unreachable" in body["reasons"][0]


def test_api_calls_answer_503_while_the_database_is_unreachable(tmp_path, clock):
    from app import create_app

    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/nowhere",
            "SECRET_KEY": "test",
            "UPLOAD_DIR": str(tmp_path),
        },
        clock=clock,
    )
    r = app.test_client().post(
        "/api/v1/tasks/00000000-0000-0000-0000-000000000000/complete",
        json={"data": {}},
        headers={"Authorization": "Bearer some-token"},
    )  # the token lookup cannot connect
    assert r.status_code == 503 and r.headers["Retry-After"] and r.mimetype == "application/problem+json"


def test_readyz_names_an_old_schema(app, client, rt):
    r = client.get("/readyz")
    assert r.status_code == 200
    body = r.get_json()
    assert body["checks"]["database"]["ok"] and body["checks"]["migrations"]["ok"]

    with rt.db.read() as s:
        current = s.scalar(text("SELECT version_num FROM alembic_version"))
    try:
        with rt.db.write() as s:
            s.execute(text("UPDATE alembic_version SET version_num = '0001'"))
        stale = client.get("/readyz")
        assert stale.status_code == 503 and "init-db" in stale.get_json()["reasons"][0]

        with rt.db.write() as s:  # a newer release migrated first (expand): this older code keeps serving
            s.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
        ahead = client.get("/readyz")
        assert ahead.status_code == 200 and "newer than this code" in ahead.get_json()["checks"]["migrations"]["state"]
    finally:  # the PostgreSQL test database outlives this test (its tables are truncated, this row is not)
        with rt.db.write() as s:
            s.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": current})


def test_a_request_id_is_honoured_or_made_and_echoed_in_problems(client, demo_users):
    mine = client.get("/api/v1/tasks", headers={"X-Request-ID": "lb-42.abc"})
    assert mine.status_code == 401
    assert mine.headers["X-Request-ID"] == "lb-42.abc" and mine.get_json()["request_id"] == "lb-42.abc"
    made = client.get("/api/v1/tasks", headers={"X-Request-ID": "bad id\twith spaces"})
    assert made.headers["X-Request-ID"] != "bad id\twith spaces"
    assert made.get_json()["request_id"] == made.headers["X-Request-ID"] and len(made.headers["X-Request-ID"]) == 32


def test_json_logs_carry_the_request_id():
    record = logging.LogRecord("app.services", logging.WARNING, __file__, 1, "timer %s failed", ("t1",), None)
    record.instance_id = 7
    token = request_id.set("rid-1")
    try:
        RequestIdFilter().filter(record)
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id.reset(token)
    assert line["msg"] == "timer t1 failed" and line["level"] == "warning"
    assert line["request_id"] == "rid-1" and line["instance_id"] == 7 and line["ts"].endswith("+00:00")


def _sample(metrics_text: str, name: str) -> float:
    total = 0.0
    for line in metrics_text.splitlines():
        if line.startswith(name) and not line.startswith("#"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_metrics_count_committed_completions_and_read_open_tasks_from_the_database(client, api, deployed):
    before = client.get("/metrics").get_data(as_text=True)
    sc = scenario("general_satisfied_first_reply")
    iid = api.post("agent", "/complaints", json=registration(sc)).get_json()["process_instance_id"]
    assert complete(api, iid, "receive", "agent", sc["steps"][0]["data"]).status_code == 200
    bad = complete(api, iid, "classify", "agent", {"category": "weather"})  # refused: nothing committed
    assert bad.status_code == 422
    after = client.get("/metrics").get_data(as_text=True)
    name = 'complaintflow_task_completions_total{element="receive"}'
    assert _sample(after, name) - _sample(before, name) == 1
    assert _sample(after, 'complaintflow_task_completions_total{element="classify"}') == _sample(
        before, 'complaintflow_task_completions_total{element="classify"}'
    )
    assert 'complaintflow_open_tasks{sla_state="on_time"} 1.0' in after
    assert "complaintflow_database_up 1.0" in after
    assert 'complaintflow_http_requests_total{method="POST",route="/api/v1/complaints",status="201"}' in after


def test_sign_in_is_refused_after_too_many_wrong_passwords_on_every_host(db_url, clock, tmp_path, demo_users):
    apps = [make_app(db_url, clock, tmp_path, SIGN_IN_MAX_FAILURES=3) for _ in range(2)]
    try:
        _sign_in_limit_holds_across(*(a.test_client() for a in apps), clock)
    finally:
        for a in apps:
            a.extensions["complaintflow"].db.dispose()


def _sign_in_limit_holds_across(host_a, host_b, clock):
    for host in (host_a, host_b, host_a):
        assert host.post("/api/v1/auth/token", json={"username": "agent", "password": "wrong-one"}).status_code == 401
    locked = host_b.post("/api/v1/auth/token", json={"username": "agent", "password": "demo1234"})
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert locked.mimetype == "application/problem+json"
    clock.advance(timedelta(minutes=16))
    assert host_a.post("/api/v1/auth/token", json={"username": "agent", "password": "demo1234"}).status_code == 200
