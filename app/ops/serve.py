"""`complaintflow serve`: one command for a laptop or a single host, with production processes.

It runs what docs/deploy.md runs on each host, as children of this process:
- gunicorn with config/gunicorn.conf.py (COMPLAINTFLOW_WORKERS sync workers, 2 by default here), and
- the timer tick in a process of its own (`complaintflow scheduler`), never inside the web workers:
  gunicorn recycles workers, and a tick per worker would only contend for SQLite's write lock.
Both share PROMETHEUS_MULTIPROC_DIR (instance/metrics by default), so /metrics adds them up.

Ctrl+C (SIGINT to the terminal's process group) or SIGTERM stops both: each child gets SIGTERM, and
gets SIGKILL if it has not exited STOP_SECONDS later (gunicorn lets requests in flight finish, the
tick rolls back a batch in progress). If either child exits on its own, the other is stopped too and
the command fails with its exit code: a half-running service is worse than a stopped one.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Mapping

ROOT = Path(__file__).resolve().parents[2]
GUNICORN_CONF = ROOT / "config" / "gunicorn.conf.py"
STOP_SECONDS = 35  # gunicorn's graceful_timeout (30 s) and a margin


class _Stop(Exception):
    """SIGTERM arrived: stop the children as Ctrl+C would."""


def _raise_stop(*_):
    raise _Stop


def commands(python: str = sys.executable) -> dict[str, list[str]]:
    """The child processes' command lines: the web server and the timer tick."""
    return {
        "web": [python, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "app.wsgi:app"],
        "scheduler": [python, "-c", "from app.cli import main; main()", "scheduler"],
    }


def child_environment(
    base: Mapping[str, str], settings: Mapping[str, object], host: str, port: int, instance: Path
) -> dict[str, str]:
    """The children's environment: this process's, the resolved database, the address, the metrics dir."""
    env = dict(base)
    env["COMPLAINTFLOW_DATABASE_URL"] = str(settings["DATABASE_URL"])
    env["COMPLAINTFLOW_BIND"] = f"{host}:{port}"
    env.setdefault("COMPLAINTFLOW_WORKERS", "2")
    env["COMPLAINTFLOW_SCHEDULER_ENABLED"] = "false"  # the tick runs in its own process
    env.setdefault("PROMETHEUS_MULTIPROC_DIR", str(instance / "metrics"))
    env.setdefault("PYTHONPATH", str(ROOT))
    return env


def run(env: dict[str, str], echo=print) -> int:
    """Start the web server and the tick, wait until one exits or a stop is asked; return an exit code."""
    Path(env["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)
    previous = signal.signal(signal.SIGTERM, _raise_stop)
    # Ctrl+C must reach us even when we were started with SIGINT ignored (a parent such as a test runner's
    # worker can pass that on, and Python then installs no handler): else gunicorn stops on it, we do not,
    # and its exit reads as a failure.
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    children: dict[str, subprocess.Popen] = {}
    try:
        for name, command in commands().items():
            children[name] = subprocess.Popen(command, cwd=ROOT, env=env)
            echo(f"started {name} (pid {children[name].pid})")
        while True:
            for name, proc in children.items():
                if proc.poll() is not None:
                    echo(f"{name} exited with code {proc.returncode}: stopping the others")
                    return proc.returncode or 1
            time.sleep(0.5)  # a supervisor's poll: nothing here is timed by it
    except (KeyboardInterrupt, _Stop):
        echo("stopping…")
        return 0
    finally:
        _stop_all(children, echo)
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)


def _stop_all(children: dict[str, subprocess.Popen], echo) -> None:
    """SIGTERM every child still running, then SIGKILL what outlives STOP_SECONDS."""
    for proc in children.values():
        if proc.poll() is None:
            try:
                proc.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + STOP_SECONDS
    for name, proc in children.items():
        while True:
            try:
                proc.wait(max(0.0, deadline - time.monotonic()))
                break
            except subprocess.TimeoutExpired:
                echo(f"{name} (pid {proc.pid}) did not stop in {STOP_SECONDS} s: killing it")
                proc.kill()
            except KeyboardInterrupt:  # a second Ctrl+C while waiting: keep waiting, the children were told
                continue
    echo("stopped")
