"""One gunicorn worker's resident memory: this app against the thin app, side by side in one run.

    python bench/worker_memory.py          # BENCH_INSTANCES (default 300) instances of bench/eight_tasks.bpmn each

Both servers (bench/thin_app.py and this app, one sync worker each, fresh SQLite files) run at once and
are driven in alternating slices by the driver of bench/engine_vs_http.py. The worker's RSS (VmRSS from
/proc) is read after the servers' five warm-up instances, after BENCH_INSTANCES more, and, for this app,
after one text analysis (POST /text/analyse: similar complaints, suggestions), the first request that
needs NumPy, SciPy and scikit-learn. "text libraries" says whether the worker has them mapped.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from engine_vs_http import OverHttp, _run_instances  # noqa: E402
from two_workers import Thin  # noqa: E402  (also makes the servers' start wait up to 3 minutes)

SLICE = 25
HEAVY = ("/numpy/", "/scipy/", "/sklearn/")


def _worker(master: int) -> int:
    pids = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout.split()
    if len(pids) != 1:
        raise SystemExit(f"expected one worker under gunicorn {master}, found {pids}")
    return int(pids[0])


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise SystemExit(f"no VmRSS for {pid}")


def _has_text_libraries(pid: int) -> bool:
    maps = Path(f"/proc/{pid}/maps").read_text()
    return any(h in maps for h in HEAVY)


def _row(name: str, when: str, server) -> str:
    pid = _worker(server.server.pid)
    libs = "yes" if _has_text_libraries(pid) else "no"
    return f"| {name} | {when} | {_rss_mb(pid):.0f} | {_rss_mb(server.server.pid):.0f} | {libs} |"


def main() -> None:
    total = int(os.environ.get("BENCH_INSTANCES", "300"))
    started, load_before = time.perf_counter(), os.getloadavg()[0]
    thin, this = Thin(1), OverHttp(1)
    for s in (thin, this):
        s.__enter__()  # each has run its 5 warm-up instances
    try:
        rows = [_row("thin app", "after 5 instances", thin), _row("this app", "after 5 instances", this)]
        done = 0
        while done < total:
            n = min(SLICE, total - done)
            for s in (thin, this) if (done // SLICE) % 2 == 0 else (this, thin):
                _run_instances(s.client, n, [])
            done += n
        rows += [
            _row("thin app", f"after {5 + total} instances", thin),
            _row("this app", f"after {5 + total} instances", this),
        ]
        status, _ = this.client.call("POST", "/text/analyse", {"text": "宽带断网三天了，光猫红灯一直闪，要求尽快修复"})
        if status != 200:
            raise SystemExit(f"/text/analyse answered {status}")
        rows.append(_row("this app", "then one text analysis", this))
    finally:
        for s in (thin, this):
            s.__exit__(None, None, None)
    print(
        f"One gunicorn sync worker each, {total} instances of eight tasks after 5 warm-up, alternating slices of {SLICE}"
    )
    print(f"cores: {os.cpu_count()}, load average before {load_before:.1f}, after {os.getloadavg()[0]:.1f}")
    print("| server | when | worker RSS MB | master RSS MB | text libraries |")
    print("| --- | --- | ---: | ---: | --- |")
    print("\n".join(rows))
    print(f"run took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
