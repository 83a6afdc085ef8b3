"""`complaintflow web`: Granian serving the app as deployed (docs/deploy.md), and the access log."""
from __future__ import annotations

import http.client
import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.ops.serving import server_options
from bench.cluster import free_port, wait_for
from tests.conftest import ROOT, make_app


def test_settings_come_from_the_environment():
    opts = server_options({"COMPLAINTFLOW_BIND": "127.0.0.1:8123", "COMPLAINTFLOW_WORKERS": "3",
                           "COMPLAINTFLOW_THREADS": "2", "COMPLAINTFLOW_WORKER_LIFETIME": "0",
                           "COMPLAINTFLOW_LOG_FORMAT": "json", "COMPLAINTFLOW_LOG_LEVEL": "WARNING"})
    assert (opts["address"], opts["port"], opts["workers"], opts["blocking_threads"]) == ("127.0.0.1", 8123, 3, 2)
    assert opts["target"] == "app.wsgi:app" and opts["respawn_failed_workers"] and opts["workers_lifetime"] is None
    assert opts["log_dictconfig"]["formatters"]["json"]["()"] == "app.ops.logs.JsonFormatter"
    defaults = server_options({"WEB_CONCURRENCY": "5"})
    assert (defaults["address"], defaults["port"], defaults["workers"]) == ("0.0.0.0", 8000, 5)
    assert defaults["log_dictconfig"] is None and defaults["workers_lifetime"] == 86400
    assert server_options({"COMPLAINTFLOW_BIND": "[::1]:9000"})["address"] == "::1"


def test_json_logging_under_granian_keeps_the_chatty_libraries_quiet():
    """Granian configures logging before the worker builds the app; SpiffWorkflow's INFO must stay out."""
    import logging.config

    from app.ops import logs
    from app.ops.serving import _json_logging

    root = logging.getLogger()
    saved = root.handlers[:], root.level, {name: logging.getLogger(name).level for name in logs.QUIET}
    try:
        logging.config.dictConfig(_json_logging("info"))
        for name in logs.QUIET:
            logging.getLogger(name).setLevel(logging.NOTSET)  # as if the dict config had not named them
        logs.configure("json")
        assert not logging.getLogger("spiff.task").isEnabledFor(logging.INFO)
        assert logging.getLogger("app.services").isEnabledFor(logging.INFO)
    finally:
        root.handlers[:], root.level = saved[0], saved[1]
        for name, level in saved[2].items():
            logging.getLogger(name).setLevel(level)


def test_access_log_names_route_status_and_request_id_and_trusts_the_proxy(sqlite_url, clock, tmp_path, caplog):
    app = make_app(sqlite_url, clock, tmp_path, ACCESS_LOG=True, LOG_FORMAT="json", PROXY_HOPS=1)
    client = app.test_client()
    with caplog.at_level(logging.INFO, logger="complaintflow.access"):
        logging.getLogger("complaintflow.access").addHandler(caplog.handler)
        try:
            r = client.get("/api/v1/tasks/00000000-0000-0000-0000-000000000000?x=1",
                           headers={"X-Request-ID": "lb-7", "X-Forwarded-For": "203.0.113.9"},
                           environ_base={"REMOTE_ADDR": "10.0.0.2"})
        finally:
            logging.getLogger("complaintflow.access").removeHandler(caplog.handler)
    assert r.status_code == 401
    [record] = [rec for rec in caplog.records if rec.name == "complaintflow.access"]
    assert (record.method, record.route, record.status, record.query) == ("GET", "/api/v1/tasks/<task_id>", 401, "x=1")
    assert record.remote == "203.0.113.9"  # the proxy's X-Forwarded-For, since one hop is trusted
    assert record.duration_ms >= 0 and record.bytes == len(r.data)
    from app.ops.logs import JsonFormatter

    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "lb-7" and line["logger"] == "complaintflow.access"
    app.extensions["complaintflow"].db.dispose()


def test_without_proxy_hops_a_forwarded_header_is_not_believed(sqlite_url, clock, tmp_path):
    from flask import request

    app = make_app(sqlite_url, clock, tmp_path)
    with app.test_request_context("/", headers={"X-Forwarded-For": "203.0.113.9"},
                                  environ_base={"REMOTE_ADDR": "10.0.0.2"}):
        app.preprocess_request()
        assert request.remote_addr == "10.0.0.2"
    app.extensions["complaintflow"].db.dispose()


@pytest.fixture
def served(tmp_path, sqlite_template):
    """`complaintflow web` with one worker on a copy of the migrated template database, JSON logs."""
    import shutil

    db = tmp_path / "web.db"
    shutil.copy(sqlite_template, db)
    port = free_port()
    env = {**os.environ, "COMPLAINTFLOW_DATABASE_URL": f"sqlite:///{db}", "COMPLAINTFLOW_SECRET_KEY": "web-test",
           "COMPLAINTFLOW_BIND": f"127.0.0.1:{port}", "COMPLAINTFLOW_WORKERS": "1",
           "COMPLAINTFLOW_LOG_FORMAT": "json", "PYTHONPATH": str(ROOT)}
    env.pop("COMPLAINTFLOW_ACCESS_LOG", None)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    out, err = tmp_path / "out.log", tmp_path / "err.log"
    with out.open("wb") as o, err.open("wb") as e:
        proc = subprocess.Popen([sys.executable, "-c", "from app.cli import main; main()", "web"], env=env,
                                cwd=ROOT, stdout=o, stderr=e, start_new_session=True)
    server = Server(proc, port, out, err)
    try:
        wait_for(lambda: server.get("/healthz")[0] == 200, 60, "the server answering /healthz")
        yield server
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


class Server:
    def __init__(self, proc, port: int, out: Path, err: Path):
        self.proc, self.port, self.out, self.err = proc, port, out, err

    def get(self, path: str, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path, headers=headers or {})
            r = conn.getresponse()
            return r.status, r.read()
        finally:
            conn.close()

    def access_lines(self) -> list[dict]:
        return [json.loads(line) for line in self.out.read_text().splitlines()
                if '"complaintflow.access"' in line]


@pytest.mark.slow
def test_web_serves_with_keep_alive_logs_each_request_and_stops_gracefully(served):
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    conn.request("GET", "/healthz", headers={"X-Request-ID": "first"})
    first = conn.getresponse()
    assert first.status == 200 and first.read() and first.getheader("X-Request-ID") == "first"
    sock = conn.sock
    conn.request("GET", "/api/v1/process-models")  # the same connection: kept alive
    second = conn.getresponse()
    assert second.status == 401 and second.getheader("Content-Type") == "application/problem+json"
    second.read()
    assert conn.sock is sock
    conn.close()

    wait_for(lambda: len(served.access_lines()) >= 2, 10, "two access log lines")
    lines = {line["path"]: line for line in served.access_lines()}
    assert lines["/healthz"]["request_id"] == "first" and lines["/healthz"]["status"] == 200
    assert lines["/api/v1/process-models"]["status"] == 401 and lines["/api/v1/process-models"]["request_id"]

    served.proc.send_signal(signal.SIGTERM)
    assert served.proc.wait(40) == 0
    assert "shutdown" in served.err.read_text().lower()


@pytest.mark.slow
def test_a_killed_worker_is_replaced(served):
    status, body = served.get("/healthz")
    pid = [line["pid"] for line in served.access_lines()][-1]
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.5)

    def answered_by_another_worker() -> bool:
        if served.get("/healthz")[0] != 200:
            return False
        return served.access_lines()[-1]["pid"] != pid

    wait_for(answered_by_another_worker, 30, "a new worker answering", interval=0.5)
    assert served.proc.poll() is None
