"""This app from two checkouts side by side in one run: did a change cut the workers' CPU per instance?

    python bench/two_trees.py /work/main               # the other tree (A) against this one (B), gunicorn
    BENCH_WORKERS=2 BENCH_ROUNDS=16 python bench/two_trees.py /work/main
    python bench/two_trees.py /work/main --in-process  # Flask's test client, one process per tree
    python bench/two_trees.py /work/main --instructions  # the same under valgrind: instructions, no noise

Both trees' apps run under gunicorn (BENCH_WORKERS sync workers each, default 1) on fresh SQLite files,
with this checkout's interpreter and packages (each tree's own code first on the path). Two client
threads (bench/engine_vs_http.py's driver, bench/eight_tasks.bpmn) drive one server at a time for a
slice of BENCH_SLICE instances per client (default 8); every round gives each tree one slice, who goes
first alternating ABBA, so both meet the same moments of a loaded machine. Printed: each tree's
instances/s and its workers' CPU per instance (user + system from /proc, which does not count the time
spent waiting for a core: the steadiest figure on a loaded machine), and the median with quartiles of
the per-round ratios B / A.

--in-process leaves gunicorn, sockets and the clients' threads out (less noise, same code paths from
the request layer down): each tree's app runs in a process of its own under bench/request_profile.py's
driver (Flask's test client, one instance after another), BENCH_ROUNDS (default 30) rounds of
BENCH_SLICE (default 5) instances each, ABBA; the process's own CPU time per instance, and how long
each write transaction held SQLite's write lock (sqlite3's trace, BEGIN IMMEDIATE to COMMIT).

--instructions runs the same child under valgrind's callgrind, instrumented only while it runs
BENCH_INSTANCES (default 10) instances after its warm-up (callgrind_control), with PYTHONHASHSEED=0: the
instructions executed per instance, the same from run to run within about 0.3 % whatever the machine's
load (it does not count time: SQLite's I/O waits, the kernel, cache misses). Slow (about 1.5 minutes).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import engine_vs_http  # noqa: E402
import two_workers  # noqa: E402,F401  (its patient _wait replaces engine_vs_http's)
from two_workers import _quartiles, _second_client, _slice  # noqa: E402


class Tree(engine_vs_http.OverHttp):
    """This app under gunicorn, its code from one checkout."""

    def __init__(self, root: Path, workers: int):
        super().__init__(workers)
        self.env["PYTHONPATH"] = str(root)
        self.root = root

    def __enter__(self) -> "Tree":
        saved = engine_vs_http.ROOT
        engine_vs_http.ROOT = self.root  # _prepare and gunicorn run in the tree (its migrations, its code)
        try:
            super().__enter__()
        finally:
            engine_vs_http.ROOT = saved
        return self


# The child of --in-process, run in one tree: reads a number of instances per line, runs them, answers
# with its CPU seconds for them and the write lock's holds (seconds) as one JSON line.
CHILD = """
import json, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, "bench")
import request_profile
traced = request_profile.Statements()
client, headers = request_profile._this_app(Path(tempfile.mkdtemp(prefix="cf-trees-")), traced)
request_profile._run(client, headers, 5, None, traced)
print("ready", flush=True)
for line in sys.stdin:
    traced.clear(); traced.holds.clear()
    started = time.process_time()
    request_profile._run(client, headers, int(line), None, traced)
    print(json.dumps([time.process_time() - started, traced.holds]), flush=True)
"""


def _in_process(other: Path) -> None:
    rounds, per = int(os.environ.get("BENCH_ROUNDS", "30")), int(os.environ.get("BENCH_SLICE", "5"))
    started, load_before = time.perf_counter(), os.getloadavg()
    children = []
    for root in (other, ROOT):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD],
            cwd=root,
            env={**os.environ, "PYTHONPATH": str(root)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        children.append(child)
    for child in children:
        while child.stdout.readline().strip() != "ready":
            pass
    cpu_round: list[list[float]] = [[], []]
    holds: list[list[float]] = [[], []]
    for r in range(rounds):
        for k in (0, 1) if r % 4 in (0, 3) else (1, 0):  # ABBA
            children[k].stdin.write(f"{per}\n")
            children[k].stdin.flush()
            cpu, held = json.loads(children[k].stdout.readline())
            cpu_round[k].append(cpu / per * 1000)
            holds[k].extend(held)
    for child in children:
        child.stdin.close()
        child.wait(30)
    print(f"A = {other}, B = {ROOT}; in process, {rounds} rounds x {per} instances, ABBA")
    print(f"load average before {load_before[0]:.1f} {load_before[1]:.1f}, after {os.getloadavg()[0]:.1f}")
    print("| tree | CPU ms per instance (median of rounds) | quartiles | write lock held p50 ms | p90 ms |")
    print("| --- | ---: | --- | ---: | ---: |")
    for k, name in enumerate("AB"):
        q1, med, q3 = _quartiles(cpu_round[k])
        held = sorted(holds[k])
        p50, p90 = held[len(held) // 2] * 1000, held[int(len(held) * 0.9)] * 1000
        print(f"| {name} | {med:.2f} | {q1:.2f}-{q3:.2f} | {p50:.3f} | {p90:.3f} |")
    q1, med, q3 = _quartiles([b / a for a, b in zip(cpu_round[0], cpu_round[1])])
    print(f"per-round CPU per instance B / A: median {med:.3f}, quartiles {q1:.3f}-{q3:.3f}")
    print(f"run took {time.perf_counter() - started:.0f} s")


def _instructions(other: Path) -> None:
    n = int(os.environ.get("BENCH_INSTANCES", "10"))
    started, load_before = time.perf_counter(), os.getloadavg()
    tmp = Path(tempfile.mkdtemp(prefix="cf-trees-cg-"))
    children = []
    for k, root in enumerate((other, ROOT)):
        child = subprocess.Popen(
            ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={tmp / f'{k}.out'}"]
            + [sys.executable, "-c", CHILD],
            cwd=root,
            env={**os.environ, "PYTHONPATH": str(root), "PYTHONHASHSEED": "0"},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        children.append(child)
    for child in children:
        while child.stdout.readline().strip() != "ready":
            pass
        subprocess.run(["callgrind_control", "-i", "on", str(child.pid)], check=True, capture_output=True)
        child.stdin.write(f"{n}\n")
        child.stdin.flush()
    for child in children:
        child.stdout.readline()
        subprocess.run(["callgrind_control", "-i", "off", str(child.pid)], check=True, capture_output=True)
        child.stdin.close()
        child.wait(120)
    counts = []
    for k in (0, 1):
        totals = [line for line in (tmp / f"{k}.out").read_text().splitlines() if line.startswith("totals:")]
        counts.append(int(totals[-1].split()[1]) / n)
    print(f"A = {other}, B = {ROOT}; {n} instances each in process under callgrind (after a warm-up of 5)")
    print(f"load average before {load_before[0]:.1f}, after {os.getloadavg()[0]:.1f}")
    for name, count in zip("AB", counts):
        print(f"{name}: {count / 1e6:.2f} million instructions per instance")
    print(f"B / A: {counts[1] / counts[0]:.4f}; run took {time.perf_counter() - started:.0f} s")


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    if "--instructions" in sys.argv:
        _instructions(Path(sys.argv[1]).resolve())
        return
    if "--in-process" in sys.argv:
        _in_process(Path(sys.argv[1]).resolve())
        return
    other = Path(sys.argv[1]).resolve()
    rounds, per = int(os.environ.get("BENCH_ROUNDS", "16")), int(os.environ.get("BENCH_SLICE", "8"))
    workers = int(os.environ.get("BENCH_WORKERS", "1"))
    started, load_before = time.perf_counter(), os.getloadavg()
    trees = [Tree(other, workers), Tree(ROOT, workers)]
    for t in trees:
        t.__enter__()
    try:
        clients = [(t.client, _second_client(t)) for t in trees]
        spent, cpu, done = [0.0, 0.0], [0.0, 0.0], [0, 0]
        rate_round: list[list[float]] = [[], []]
        cpu_round: list[list[float]] = [[], []]
        latencies: list[list[float]] = [[], []]
        for r in range(rounds):
            for k in (0, 1) if r % 4 in (0, 3) else (1, 0):  # ABBA
                seconds, cpu_seconds, n = _slice(trees[k], clients[k], per, latencies[k])
                spent[k], cpu[k], done[k] = spent[k] + seconds, cpu[k] + cpu_seconds, done[k] + n
                rate_round[k].append(n / seconds)
                cpu_round[k].append(cpu_seconds / n * 1000)
    finally:
        for t in trees:
            t.__exit__(None, None, None)
    print(
        f"A = {other}, B = {ROOT}; {workers} worker(s) each, two clients, {rounds} rounds x {per} instances per client"
    )
    print(f"load average before {load_before[0]:.1f} {load_before[1]:.1f}, after {os.getloadavg()[0]:.1f}")
    print("| tree | instances/s | workers' CPU ms per instance | complete-task p95 ms |")
    print("| --- | ---: | ---: | ---: |")
    for k, name in enumerate("AB"):
        lat = sorted(latencies[k])
        p95 = lat[int(len(lat) * 0.95)] * 1000
        print(f"| {name} | {done[k] / spent[k]:.1f} | {cpu[k] / done[k] * 1000:.2f} | {p95:.1f} |")
    q1, med, q3 = _quartiles([b / a for a, b in zip(cpu_round[0], cpu_round[1])])
    print(f"per-round CPU per instance B / A: median {med:.3f}, quartiles {q1:.3f}-{q3:.3f}")
    q1, med, q3 = _quartiles([b / a for a, b in zip(rate_round[0], rate_round[1])])
    print(f"per-round instances/s B / A: median {med:.3f}, quartiles {q1:.3f}-{q3:.3f}")
    print(f"run took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
