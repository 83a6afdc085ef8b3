"""This app against the thinnest app on this stack at one and two gunicorn workers, side by side in one run.

    python bench/two_workers.py            # BENCH_ROUNDS (default 20) x BENCH_SLICE (default 8) instances per client

Four servers run at once on fresh SQLite files: the thin app (bench/thin_app.py: Flask + SpiffWorkflow +
SQLite, no auth, no audit, one version-checked write) and this app (gunicorn, token authentication,
validation, projection, roll-ups, hash-chained audit), each with 1 and with 2 sync workers. Two client
threads drive one server at a time (the driver of bench/engine_vs_http.py: start an instance of
bench/eight_tasks.bpmn, complete its eight tasks), a slice of BENCH_SLICE instances per client. Every
round gives each server one slice; the two apps' slices at the same worker count run back to back, who
goes first alternating round by round (ABBA), so both meet the same moments of a machine whose speed
changes by the minute. The goal's figure is the median over the rounds of each round's ratio (this app
with two workers / the thin app's best variant), printed with its quartiles and range: one slow spell
moves one round, not the figure. Whole-run instances/s (instances over summed time) and server CPU per
instance (the workers' user + system time from /proc) are printed beside it.
"""

from __future__ import annotations

import os
import statistics
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


NAMES = ("thin app, 1 worker", "thin app, 2 workers", "this app, 1 worker", "this app, 2 workers")


def _order(r: int) -> list[int]:
    """Round r's turns: each app's two-worker slice beside the other's, who goes first alternating (ABBA)."""
    order = [1, 3, 0, 2] if r % 2 == 0 else [2, 0, 3, 1]
    return order if r % 4 < 2 else order[2:] + order[:2]


def _quartiles(values: list[float]) -> tuple[float, float, float]:
    q = statistics.quantiles(values, n=4, method="inclusive") if len(values) > 1 else values * 3
    return q[0], statistics.median(values), q[2]


def _slice(server, clients, per: int, latencies: list[float]) -> tuple[float, float, int]:
    """One turn: both clients run `per` instances each at once; (seconds, server CPU seconds, instances)."""
    threads = [threading.Thread(target=_run_instances, args=(c, per, latencies)) for c in clients]
    c0, t0 = _cpu_seconds(server.server.pid), time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, _cpu_seconds(server.server.pid) - c0, per * len(threads)


def main() -> None:
    rounds, per = int(os.environ.get("BENCH_ROUNDS", "20")), int(os.environ.get("BENCH_SLICE", "8"))
    started, load_before = time.perf_counter(), os.getloadavg()[0]
    servers = [Thin(1), Thin(2), OverHttp(1), OverHttp(2)]
    for s in servers:
        s.__enter__()
    try:
        clients = [(s.client, _second_client(s)) for s in servers]
        spent, cpu, done = [0.0] * 4, [0.0] * 4, [0] * 4
        per_round: list[list[float]] = [[] for _ in servers]  # instances/s of each server in each round
        cpu_round: list[list[float]] = [[] for _ in servers]  # its workers' CPU ms per instance in each round
        latencies: list[list[float]] = [[] for _ in servers]
        for r in range(rounds):
            for k in _order(r):
                seconds, cpu_seconds, n = _slice(servers[k], clients[k], per, latencies[k])
                spent[k], cpu[k], done[k] = spent[k] + seconds, cpu[k] + cpu_seconds, done[k] + n
                per_round[k].append(n / seconds)
                cpu_round[k].append(cpu_seconds / n * 1000)
    finally:
        for s in servers:
            s.__exit__(None, None, None)
    rates = [d / t for d, t in zip(done, spent)]
    best = 1 if rates[1] >= rates[0] else 0  # the thin app's best variant over the whole run
    print(
        f"Two clients, {rounds} rounds x {per} instances per client per server, "
        "each app's two-worker turns side by side (ABBA order)"
    )
    print(f"cores: {os.cpu_count()}, load average before {load_before:.1f}, after {os.getloadavg()[0]:.1f}")
    print("| server | instances/s | vs thin app's best | server CPU ms per instance | complete-task p95 ms |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for i, name in enumerate(NAMES):
        lat = sorted(latencies[i])
        p95 = lat[int(len(lat) * 0.95)] * 1000 if lat else float("nan")
        print(f"| {name} | {rates[i]:.1f} | {rates[i] / rates[best]:.2f} | {cpu[i] / done[i] * 1000:.1f} | {p95:.1f} |")
    # Each round's ratio compares slices run minutes apart at most; their median resists the machine's
    # swings (one slow spell moves one round), their spread says how far to trust it.
    ratios = [a / b for a, b in zip(per_round[3], per_round[best])]
    q1, median, q3 = _quartiles(ratios)
    print(
        f"per-round ratio, this app 2 workers / {NAMES[best]}: median {median:.2f}, "
        f"quartiles {q1:.2f}-{q3:.2f}, range {min(ratios):.2f}-{max(ratios):.2f} over {len(ratios)} rounds"
    )
    # Waiting for a core does not count as CPU, so this ratio moves less with the load than the one above.
    q1, cpu_median, q3 = _quartiles([a / b for a, b in zip(cpu_round[3], cpu_round[best])])
    print(
        f"per-round CPU per instance, this app 2 workers / {NAMES[best]}: median {cpu_median:.2f}, quartiles {q1:.2f}-{q3:.2f}"
    )
    print(
        f"goal: this app with 2 workers >= 0.85 of the thin app's best (median of rounds): {median:.2f} "
        f"({'met' if median >= 0.85 else 'MISSED'}); run took {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
