"""A cProfile inside one gunicorn sync worker of each app, under the bench's driver: what a request costs in the worker.

    python bench/worker_profile.py              # BENCH_INSTANCES (default 40) of bench/eight_tasks.bpmn per app
    python bench/worker_profile.py --top 40     # more lines of each profile

Each app (the thin app, bench/thin_app.py, and this app) runs under gunicorn with one sync worker and
bench/worker_profile_hooks.py; after a warm-up of 5 instances the driver of bench/engine_vs_http.py runs
BENCH_INSTANCES instances while each request is profiled in the worker (from gunicorn's pre_request to
its post_request). Printed per app: the worker's CPU per instance without the profiler (a run of the same
size before the profiled one, from /proc), the profiled time per instance, and the functions with the most
cumulative time. Compare the two apps' lines: the difference is what this app's requests pay that the
thin app's do not. Figures are per instance (one start and eight completions).
"""

from __future__ import annotations

import os
import pstats
import subprocess
import sys
import tempfile
import time
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


def _with_hooks(server, profile_dir: Path):
    """Start `server` (Thin or OverHttp) with the profiling hooks: its Popen gets gunicorn's -c."""
    real = subprocess.Popen

    def popen(args, **kwargs):
        if "gunicorn" in args:
            args = args[:3] + HOOKS + args[3:]
            kwargs["env"] = {**kwargs["env"], "WORKER_PROFILE_DIR": str(profile_dir)}
        return real(args, **kwargs)

    subprocess.Popen = popen
    try:
        server.__enter__()
    finally:
        subprocess.Popen = real
    return server


def main() -> None:
    n = int(os.environ.get("BENCH_INSTANCES", "40"))
    top = int(sys.argv[sys.argv.index("--top") + 1]) if "--top" in sys.argv else 30
    print(f"cores: {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}; {n} instances per app, one sync worker")
    for name, make in (("thin app", lambda: Thin(1)), ("this app", lambda: OverHttp(1))):
        profile_dir = Path(tempfile.mkdtemp(prefix="cf-wprof-"))
        server = _with_hooks(make(), profile_dir)
        try:
            cpu0 = _cpu_seconds(server.server.pid)
            _run_instances(server.client, n, [])
            cpu = (_cpu_seconds(server.server.pid) - cpu0) / n * 1000
            (profile_dir / "on").touch()
            _run_instances(server.client, n, [])
        finally:
            server.__exit__(None, None, None)
        deadline = time.time() + 10
        while not list(profile_dir.glob("worker-*.prof")) and time.time() < deadline:
            time.sleep(0.1)
        stats = pstats.Stats(*[str(p) for p in profile_dir.glob("worker-*.prof")])
        print(f"\n== {name}: worker CPU {cpu:.1f} ms per instance unprofiled; profiled {stats.total_tt / n * 1000:.1f} ms (CPU)")
        stats.sort_stats("cumulative").print_stats(top)
        stats.print_callees(*CALLEES)


if __name__ == "__main__":
    engine_vs_http._wait = two_workers._wait
    main()
