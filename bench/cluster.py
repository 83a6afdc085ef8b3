"""A small complaintflow cluster on this machine, for the fault test and the load bench.

- ``PgCluster``: a throwaway PostgreSQL cluster (pg_createcluster, as root) on a free port, so a
  test may restart or stop its database without touching anyone else's.
- ``AppProcess``: gunicorn with config/gunicorn.conf.py; ``SchedulerProcess``: `complaintflow scheduler`.
  Both run in their own process group, so SIGKILL takes the whole process (master and workers).
- ``Balancer``: an HTTP client over several app processes, like a load balancer with client retries:
  a refused or broken connection goes to the next process, a 503 waits Retry-After, and every retry
  of a POST repeats its Idempotency-Key. It counts answers by status, retries and network errors.
"""

from __future__ import annotations

import collections
import http.client
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_NETWORK_ERRORS = (ConnectionError, http.client.HTTPException, socket.timeout, OSError)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, timeout: float, what: str, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:  # noqa: BLE001 - not up yet
            pass
        time.sleep(interval)
    raise TimeoutError(f"{what} did not happen within {timeout} s")


class PgCluster:
    """A PostgreSQL cluster of its own, made with Debian's pg_createcluster; dropped by stop()."""

    def __init__(self, name: str, settings: dict[str, str] | None = None):
        self.version = sorted(os.listdir("/etc/postgresql"), key=lambda v: float(v))[-1]
        self.name = name
        self.port = free_port()
        self.settings = {"max_connections": "200", "shared_buffers": "128MB", **(settings or {})}

    @staticmethod
    def available() -> str | None:
        """None when a throwaway cluster can be made here, else the reason it cannot."""
        if shutil.which("pg_createcluster") is None or not os.path.isdir("/etc/postgresql"):
            return "Debian's pg_createcluster is not installed"
        if os.geteuid() != 0:
            return "making a throwaway PostgreSQL cluster needs root"
        return None

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, action: str) -> None:
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, action],
            check=True,
            capture_output=True,
        )

    def start(self) -> "PgCluster":
        options = [arg for k, v in self.settings.items() for arg in ("-o", f"{k}={v}")]
        subprocess.run(
            [
                "pg_createcluster",
                self.version,
                self.name,
                "-p",
                str(self.port),
                *options,
                "--",
                "--auth-local=trust",
                "--auth-host=trust",
            ],
            check=True,
            capture_output=True,
        )
        self._ctl("start")
        self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 30) -> None:
        wait_for(
            lambda: subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(self.port)]).returncode == 0,
            timeout,
            "PostgreSQL accepting connections",
        )

    def restart(self) -> float:
        """Restart (fast mode: every session is cut); return the seconds it took."""
        t0 = time.monotonic()
        self._ctl("restart")
        self.wait_ready()
        return time.monotonic() - t0

    def stop(self) -> None:
        subprocess.run(["pg_dropcluster", "--stop", self.version, self.name], capture_output=True)


class _Process:
    """A child process in its own process group, its output in a log file."""

    command: list[str]

    def __init__(self, env: dict[str, str], log: Path):
        self.env, self.log = env, log
        self.proc: subprocess.Popen | None = None

    def start(self):
        out = open(self.log, "ab")
        self.proc = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        out.close()
        return self

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass
            self.proc.wait(30)

    def stop(self) -> None:
        self.kill(signal.SIGTERM)


class AppProcess(_Process):
    def __init__(self, env: dict[str, str], log: Path, port: int, workers: int):
        self.port = port
        self.command = [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "config" / "gunicorn.conf.py"),
            "app.wsgi:app",
        ]
        super().__init__({**env, "COMPLAINTFLOW_BIND": f"127.0.0.1:{port}", "COMPLAINTFLOW_WORKERS": str(workers)}, log)

    def wait_ready(self, timeout: float = 60) -> None:
        def ready() -> bool:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                conn.request("GET", "/readyz")
                return conn.getresponse().status == 200
            finally:
                conn.close()

        wait_for(ready, timeout, f"the app on port {self.port} being ready")


class SchedulerProcess(_Process):
    command = [sys.executable, "-c", "from app.cli import main; main()", "scheduler"]


class Balancer:
    """Spread requests over app processes; retry what failed for a reason a retry can fix."""

    def __init__(self, ports: list[int], max_tries: int = 60, timeout: float = 30):
        self.ports = ports
        self.max_tries = max_tries
        self.timeout = timeout
        self._next = itertools.count()
        self._local = threading.local()
        self._lock = threading.Lock()
        self.statuses: collections.Counter[int] = collections.Counter()  # every answer seen, retried or not
        self.retries = 0
        self.network_errors = 0
        self.unavailable_without_retry_after = 0

    def _conn(self, port: int) -> http.client.HTTPConnection:
        conns = self._local.__dict__.setdefault("conns", {})
        if port not in conns:
            conns[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=self.timeout)
        return conns[port]

    def _drop(self, port: int) -> None:
        conn = self._local.__dict__.get("conns", {}).pop(port, None)
        if conn is not None:
            conn.close()

    def call(
        self,
        method: str,
        path: str,
        body=None,
        token: str | None = None,
        key: str | None = None,
        port: int | None = None,
    ) -> tuple[int, object]:
        """One logical request, retried until it gets an answer that is not 503 (or max_tries)."""
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if key:
            headers["Idempotency-Key"] = key
        payload = json.dumps(body) if body is not None else None
        start = next(self._next)
        for attempt in range(self.max_tries):
            target = port if port is not None else self.ports[(start + attempt) % len(self.ports)]
            try:
                conn = self._conn(target)
                conn.request(method, path, body=payload, headers=headers)
                r = conn.getresponse()
                raw = r.read()
            except _NETWORK_ERRORS:
                self._drop(target)
                with self._lock:
                    self.network_errors += 1
                    self.retries += 1
                time.sleep(min(0.2 * (attempt + 1), 2))
                continue
            with self._lock:
                self.statuses[r.status] += 1
            if r.status == 503:
                retry_after = r.getheader("Retry-After")
                with self._lock:
                    self.retries += 1
                    if not retry_after:
                        self.unavailable_without_retry_after += 1
                time.sleep(min(float(retry_after or 1), 5))
                continue
            return r.status, (json.loads(raw) if raw else None)
        raise RuntimeError(f"{method} {path}: no answer after {self.max_tries} tries")


def prepare_database(url: str, sla_policy: Path | None = None) -> None:
    """Migrate, create the groups, deploy processes/ and seed the demo users, in this process."""
    from app import create_app
    from app.migrate import upgrade
    from app.services.accounts.users import ensure_groups
    from app.demo.users import seed_demo_users
    from app.services.process_models.deployment import deploy_directory

    config = {"DATABASE_URL": url, "SECRET_KEY": "cluster"}
    if sla_policy is not None:
        config["SLA_POLICY"] = str(sla_policy)
    app = create_app(config)
    rt = app.extensions["complaintflow"]
    upgrade(rt.db)
    ensure_groups(rt)
    seed_demo_users(rt)
    deploy_directory(rt, ROOT / "processes")
    rt.db.dispose()
