"""`complaintflow serve` runs gunicorn and a timer process, and Ctrl+C stops every process it started."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bench.cluster import free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]


def _get(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


def _group(pgid: int) -> list[str]:
    """The command lines of the processes still in a process group."""
    out = subprocess.run(["ps", "-ww", "-o", "pid=,args=", "-g", str(pgid)], capture_output=True, text=True).stdout
    return [line.strip() for line in out.splitlines() if line.strip()]


@pytest.mark.slow
def test_serve_runs_gunicorn_and_a_timer_process_and_ctrl_c_stops_them_all(tmp_path):
    port = free_port()
    metrics = tmp_path / "metrics"
    metrics.mkdir()
    env = {
        **os.environ,
        "COMPLAINTFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "COMPLAINTFLOW_SECRET_KEY": "serve-test",
        "COMPLAINTFLOW_UPLOAD_DIR": str(tmp_path / "uploads"),
        "COMPLAINTFLOW_WORKERS": "1",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics),
        "PYTHONPATH": str(ROOT),
    }
    log = open(tmp_path / "serve.log", "wb")
    # A session of its own stands for the terminal: Ctrl+C sends SIGINT to its whole foreground group.
    proc = subprocess.Popen(
        [sys.executable, "-c", "from app.cli import main; main()", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for(lambda: _get(port, "/readyz") == 200, 120, "serve answering /readyz")
        assert _get(port, "/login") == 200
        running = _group(proc.pid)
        assert any("gunicorn" in p and "config/gunicorn.conf.py" in p for p in running), running
        assert any(p.endswith("scheduler") for p in running), running
        # Ctrl+C once both have started (the timer process says so), as a person at the terminal would.
        wait_for(lambda: b"timer tick every" in (tmp_path / "serve.log").read_bytes(), 60, "the timer process ticking")
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(60) == 0
        wait_for(lambda: not _group(proc.pid), 30, "every process of the group exiting")
    finally:
        if proc.poll() is None or _group(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
    output = (tmp_path / "serve.log").read_text(errors="replace")
    assert "development server" not in output.lower()
    assert "Starting gunicorn" in output and "timer tick every" in output and "stopped" in output
