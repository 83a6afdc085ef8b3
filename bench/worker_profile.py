"""Inside one gunicorn sync worker of each app, under the bench's driver: what a request costs in the worker.

    python bench/worker_profile.py              # BENCH_INSTANCES (default 40) of bench/eight_tasks.bpmn per app
    python bench/worker_profile.py --top 40     # more lines of each profile
    python bench/worker_profile.py --sample     # a sampling profile instead (BENCH_INSTANCES default 200)
    python bench/worker_profile.py --wall       # where two workers' wall time goes under two clients

Each app (the thin app, bench/thin_app.py, and this app) runs under gunicorn with one sync worker and
bench/worker_profile_hooks.py. With cProfile (the default), after a warm-up of 5 instances the driver of
bench/engine_vs_http.py runs BENCH_INSTANCES instances unprofiled (the worker's CPU per instance, from
/proc) and then as many with each request profiled in the worker (CPU time, from gunicorn's pre_request
to its post_request); printed: the functions with the most cumulative time and what the request layer
calls. cProfile's per-call cost inflates pure-Python code several times more than C work (SQLite, zlib),
so its shares are a map, not a measure. With --sample, a CPU timer samples the worker's stack (requests
and gunicorn's work between them) and each function's inclusive share is scaled to the measured CPU per
instance; the table beside it lists both apps' request-layer lines side by side. With --wall, each app
runs two workers driven by two clients at once (as bench/two_workers.py does) and a 1 ms wall-clock timer
samples both workers: the innermost frames show where time goes that is not CPU (waiting for the next
connection, for the client's close, for SQLite's write lock, for a checkpoint's fsync). The timer's
signal cuts SQLite's busy-handler sleeps short while the handler still counts them whole, so under
--wall the 10 s busy_timeout lasts about 0.1 s and a contended write can fail (503): a profiler
artefact, never seen without it. Figures are per instance (one start and eight completions).
"""

from __future__ import annotations

import json
import os
import pstats
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import engine_vs_http  # noqa: E402
import two_workers  # noqa: E402  (its _wait allows a slow start)
from engine_vs_http import OverHttp, _run_instances  # noqa: E402
from two_workers import Thin, _cpu_seconds  # noqa: E402

# The request layer around a view: what each of them calls is printed below the profile.
CALLEES = [r"preprocess_request|process_response|full_dispatch_request|wsgi_app|idempotency.py.*wrapped"]
HOOKS = ["-c", str(ROOT / "bench" / "worker_profile_hooks.py")]
# Lines of the sampled table: (label, what the function's file:line(name) contains).
LAYER = [
    ("whole worker", "<all>"),
    ("Flask's WSGI call", "flask/app.py:1479(wsgi_app)"),
    ("  request context push (session, URL match)", "flask/ctx.py:377(push)"),
    ("  before-request hooks (auth, request id, CSRF)", "flask/app.py:1271(preprocess_request)"),
    ("    token authentication", "(authenticate)"),
    ("  the view", "flask/app.py:879(dispatch_request)"),
    ("    reading the JSON body", "(get_json)"),
    ("    the answer's JSON", "(jsonify)"),
    ("  after-request hooks (headers, metrics)", "flask/app.py:1298(process_response)"),
    ("  context pop, teardown", "flask/ctx.py:406(pop)"),
    ("  the response to gunicorn", "response.py:566(__call__)"),
    ("gunicorn writing the answer", "gunicorn/http/wsgi.py:474(write)"),
    ("gunicorn reading and parsing the request", "gunicorn/http/parser.py"),
]


def _with_hooks(server, profile_dir: Path, mode: str):
    """Start `server` (Thin or OverHttp) with the profiling hooks: its Popen gets gunicorn's -c."""
    real = subprocess.Popen

    def popen(args, **kwargs):
        if "gunicorn" in args:
            args = args[:3] + HOOKS + args[3:]
            kwargs["env"] = {**kwargs["env"], "WORKER_PROFILE_DIR": str(profile_dir), "WORKER_PROFILE": mode}
        return real(args, **kwargs)

    subprocess.Popen = popen
    try:
        server.__enter__()
    finally:
        subprocess.Popen = real
    return server


def _wait_for(profile_dir: Path, pattern: str) -> list[Path]:
    deadline = time.time() + 10
    while not list(profile_dir.glob(pattern)) and time.time() < deadline:
        time.sleep(0.1)
    time.sleep(0.2)  # the file is written whole before the worker exits
    return list(profile_dir.glob(pattern))


def _profiled(name: str, make, n: int, top: int) -> None:
    profile_dir = Path(tempfile.mkdtemp(prefix="cf-wprof-"))
    server = _with_hooks(make(), profile_dir, "on")
    try:
        cpu0 = _cpu_seconds(server.server.pid)
        _run_instances(server.client, n, [])
        cpu = (_cpu_seconds(server.server.pid) - cpu0) / n * 1000
        (profile_dir / "on").touch()
        _run_instances(server.client, n, [])
    finally:
        server.__exit__(None, None, None)
    stats = pstats.Stats(*[str(p) for p in _wait_for(profile_dir, "worker-*.prof")])
    print(f"\n== {name}: worker CPU {cpu:.1f} ms per instance unprofiled; profiled {stats.total_tt / n * 1000:.1f} ms")
    stats.sort_stats("cumulative").print_stats(top)
    stats.print_callees(*CALLEES)


def _sampled(make, n: int) -> tuple[float, dict[str, float], list[tuple[str, float]]]:
    """(CPU ms per instance, ms per instance of each function with it on the stack, the top leaves)."""
    profile_dir = Path(tempfile.mkdtemp(prefix="cf-wsample-"))
    server = _with_hooks(make(), profile_dir, "sample")
    try:
        (profile_dir / "on").touch()  # from the next request on (the warm-up has run)
        cpu0 = _cpu_seconds(server.server.pid)
        _run_instances(server.client, n, [])
        cpu = (_cpu_seconds(server.server.pid) - cpu0) / n * 1000
    finally:
        server.__exit__(None, None, None)
    data = json.loads(_wait_for(profile_dir, "samples-*.json")[0].read_text())
    total = next(v for _f, _l, fn, v in data["stack"] if fn == "<all>")
    scale = cpu / total  # ms per instance per sample: the samples shared out the measured CPU

    def name(f: str, line: int, fn: str) -> str:
        return f"{f.replace(str(ROOT) + '/', '').replace('.venv/lib/python3.11/site-packages/', '')}:{line}({fn})"

    inclusive = {name(f, line, fn): v * scale for f, line, fn, v in data["stack"]}
    leaves = sorted(((name(f, line, fn), v * scale) for f, line, fn, v in data["leaf"]), key=lambda r: -r[1])
    return cpu, inclusive, leaves[:20]


def _wall(name: str, make, n: int) -> None:
    """Two workers, two clients at once; the innermost frames of 1 ms wall-clock samples of both workers."""
    profile_dir = Path(tempfile.mkdtemp(prefix="cf-wall-"))
    server = _with_hooks(make(), profile_dir, "wall")
    try:
        clients = [server.client, two_workers._second_client(server)]
        (profile_dir / "on").touch()
        threads = [threading.Thread(target=_run_instances, args=(c, n, [])) for c in clients]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.perf_counter() - started
    finally:
        server.__exit__(None, None, None)
    leaves: Counter = Counter()
    for path in _wait_for(profile_dir, "samples-*.json"):
        for f, line, fn, v in json.loads(path.read_text())["leaf"]:
            leaves[
                f"{f.replace(str(ROOT) + '/', '').replace('.venv/lib/python3.11/site-packages/', '')}:{line}({fn})"
            ] += v
    done = n * len(clients)
    print(f"\n== {name}, 2 workers, 2 clients: {done / seconds:.1f} instances/s; innermost frames, ms per instance:")
    for key, samples in leaves.most_common(15):
        print(f"{samples / done:7.2f} ms  {key}")


def _layer(inclusive: dict[str, float], pattern: str) -> float:
    # A function can appear under several file paths (a package's and a frozen module's): the largest.
    return max((v for k, v in inclusive.items() if pattern in k), default=0.0)


def main() -> None:
    sample = "--sample" in sys.argv
    n = int(os.environ.get("BENCH_INSTANCES", "200" if sample else "40"))
    top = int(sys.argv[sys.argv.index("--top") + 1]) if "--top" in sys.argv else 30
    print(f"cores: {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}; {n} instances per app, one sync worker")
    if "--wall" in sys.argv:
        for name, make in (("thin app", lambda: Thin(2)), ("this app", lambda: OverHttp(2))):
            _wall(name, make, n)
        return
    apps = (("thin app", lambda: Thin(1)), ("this app", lambda: OverHttp(1)))
    if not sample:
        for name, make in apps:
            _profiled(name, make, n, top)
        return
    results = [_sampled(make, n) for _name, make in apps]
    for (name, _make), (cpu, inclusive, leaves) in zip(apps, results):
        print(f"\n== {name}: worker CPU {cpu:.1f} ms per instance; the functions with most time on the stack:")
        for key, ms in sorted(inclusive.items(), key=lambda r: -r[1])[17 : 17 + top]:  # below gunicorn's frames
            print(f"{ms:7.2f} ms  {key}")
        print("-- innermost Python frames:")
        for key, ms in leaves:
            print(f"{ms:7.2f} ms  {key}")
    print("\n| part of a request (inclusive, sampled) | thin app ms/instance | this app ms/instance | difference |")
    print("| --- | ---: | ---: | ---: |")
    for label, pattern in LAYER:
        a, b = (_layer(r[1], pattern) for r in results)
        print(f"| {label} | {a:.2f} | {b:.2f} | {b - a:+.2f} |")
    print(f"load average after {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    engine_vs_http._wait = two_workers._wait
    main()
