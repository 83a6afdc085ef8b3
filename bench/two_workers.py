"""This app against the thinnest app on this stack at one and two gunicorn workers, side by side in one run.

    python bench/two_workers.py            # BENCH_ROUNDS (default 6) x BENCH_SLICE (default 10) instances per client

Four servers run at once on fresh SQLite files: the thin app (bench/thin_app.py: Flask + SpiffWorkflow +
SQLite, no auth, no audit, one version-checked write) and this app (gunicorn, token authentication,
validation, projection, roll-ups, hash-chained audit), each with 1 and with 2 sync workers. Two client
threads drive one server at a time (the driver of bench/engine_vs_http.py: start an instance of
bench/eight_tasks.bpmn, complete its eight tasks), a slice of BENCH_SLICE instances per client, the
servers taking turns in rotating order for BENCH_ROUNDS rounds, so every server meets the same moments of
a machine whose speed changes by the minute. Each server's instances/s is its instances over its own
summed time; the ratios are printed against the thin app's best figure. Server CPU per instance is read
from /proc (the workers' user + system time).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import engine_vs_http  # noqa: E402
from engine_vs_http import Client, OverHttp, _free_port, _run_instances  # noqa: E402


def _wait(port: int) -> Client:
    """Wait for a server to answer: up to 3 minutes, since this app's start takes long on a loaded machine."""
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            c = Client(port)
            c.call("GET", "/openapi.json")
            return c
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


engine_vs_http._wait = _wait  # OverHttp waits the same


def _cpu_seconds(pid: int) -> float:
    """User + system CPU so far of a gunicorn master and its live workers."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid] + [
        int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    ]
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


class Thin:
    """The thin app under gunicorn (a context manager)."""

    def __init__(self, workers: int):
        self.workers = workers
        self.tmp = Path(tempfile.mkdtemp(prefix="cf-thin-"))
        self.env = {**os.environ, "THIN_DB": str(self.tmp / "thin.db"), "PYTHONPATH": str(ROOT / "bench")}

    def __enter__(self) -> "Thin":
        port = _free_port()
        self.server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-w",
                str(self.workers),
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "thin_app:app",
            ],
            env=self.env,
            cwd=ROOT / "bench",
        )
        self.client = _wait(port)
        _run_instances(self.client, 5, [])
        return self

    def __exit__(self, *exc) -> None:
        self.server.terminate()
        self.server.wait(10)


def _second_client(server) -> Client:
    c = Client(server.client.conn.port)
    c.headers = dict(server.client.headers)  # this app's bearer token
    return c


def main() -> None:
    rounds, per = int(os.environ.get("BENCH_ROUNDS", "6")), int(os.environ.get("BENCH_SLICE", "10"))
    load_before = os.getloadavg()[0]
    names = ("thin app, 1 worker", "thin app, 2 workers", "this app, 1 worker", "this app, 2 workers")
    servers = [Thin(1), Thin(2), OverHttp(1), OverHttp(2)]
    for s in servers:
        s.__enter__()
    try:
        clients = [(s.client, _second_client(s)) for s in servers]
        spent, cpu, done = [0.0] * 4, [0.0] * 4, [0] * 4
        latencies: list[list[float]] = [[] for _ in servers]
        for r in range(rounds):
            for k in [(r + i) % 4 for i in range(4)]:
                threads = [threading.Thread(target=_run_instances, args=(c, per, latencies[k])) for c in clients[k]]
                c0, t0 = _cpu_seconds(servers[k].server.pid), time.perf_counter()
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                spent[k] += time.perf_counter() - t0
                cpu[k] += _cpu_seconds(servers[k].server.pid) - c0
                done[k] += per * len(threads)
    finally:
        for s in servers:
            s.__exit__(None, None, None)
    rates = [d / t for d, t in zip(done, spent)]
    best_thin = max(rates[0], rates[1])
    print(f"Two clients, {rounds} rounds x {per} instances per client per server, servers in rotating turns")
    print(f"cores: {os.cpu_count()}, load average before {load_before:.1f}, after {os.getloadavg()[0]:.1f}")
    print("| server | instances/s | vs thin app's best | server CPU ms per instance | complete-task p95 ms |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for i, name in enumerate(names):
        lat = sorted(latencies[i])
        p95 = lat[int(len(lat) * 0.95)] * 1000 if lat else float("nan")
        print(f"| {name} | {rates[i]:.1f} | {rates[i] / best_thin:.2f} | {cpu[i] / done[i] * 1000:.1f} | {p95:.1f} |")
    print(
        f"goal: this app with 2 workers >= 0.85 of the thin app's best: {rates[3] / best_thin:.2f} "
        f"({'met' if rates[3] / best_thin >= 0.85 else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
