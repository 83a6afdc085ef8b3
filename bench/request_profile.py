"""Where this app's requests spend CPU, beside the thin app's: statements per request, write-lock hold, a profile.

    python bench/request_profile.py            # BENCH_INSTANCES (default 40) of bench/eight_tasks.bpmn per app
    python bench/request_profile.py --top 40   # more lines of the profile

In process, no gunicorn: each app's Flask test client drives the bench's instances (start, eight
completions) on a fresh SQLite file. It prints, for this app (bench/engine_vs_http.py's server) and the
thin app (bench/thin_app.py): the SQL statements one completion runs (sqlite3's trace callback), how
long a write transaction holds SQLite's write lock (BEGIN IMMEDIATE to COMMIT), the CPU per instance
without the profiler, and the functions taking most of it under cProfile (cumulative). The test client
adds the same work to both apps; compare shares and differences, not absolute figures, and on a loaded
machine compare runs taken one after the other.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


class Statements(list):
    """sqlite3's trace callback: every statement run, and how long each write transaction held the lock."""

    def __init__(self):
        super().__init__()
        self.holds: list[float] = []
        self._began: float | None = None

    def append(self, statement: str) -> None:
        if statement.startswith("BEGIN IMMEDIATE"):
            self._began = time.perf_counter()
        elif statement == "COMMIT" and self._began is not None:
            self.holds.append(time.perf_counter() - self._began)
            self._began = None
        super().append(statement)


def _this_app(tmp: Path, traced: Statements):
    from sqlalchemy import event

    from engine_vs_http import _prepare

    os.environ["COMPLAINTFLOW_DATABASE_URL"] = f"sqlite:///{tmp / 'app.db'}"
    os.environ["COMPLAINTFLOW_SECRET_KEY"] = "bench"
    _prepare({**os.environ, "PYTHONPATH": str(ROOT)})
    from app import create_app

    app = create_app()
    event.listen(
        app.extensions["complaintflow"].db.engine, "connect", lambda c, _r: c.set_trace_callback(traced.append)
    )
    client = app.test_client()
    body = client.post("/api/v1/auth/token", json={"username": "bench", "password": "bench-password"}).get_json()
    return client, {"Authorization": f"Bearer {body['token']}"}


def _thin_app(tmp: Path, traced: Statements):
    os.environ["THIN_DB"] = str(tmp / "thin.db")
    import thin_app

    thin_app.db().set_trace_callback(traced.append)
    return thin_app.app.test_client(), {}


def _run(client, headers: dict, n: int, per_completion: list[int] | None, traced: Statements) -> None:
    for _ in range(n):
        body = client.post("/api/v1/process-instances", json={"process_id": "eight_tasks"}, headers=headers).get_json()
        task = body["ready_tasks"][0]
        while task is not None:
            before = len(traced)
            answer = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"ok": True}}, headers=headers)
            if per_completion is not None:
                per_completion.append(len(traced) - before)
            nxt = answer.get_json()["next_tasks"]
            task = nxt[0] if nxt else None


def main() -> None:
    n = int(os.environ.get("BENCH_INSTANCES", "40"))
    top = int(sys.argv[sys.argv.index("--top") + 1]) if "--top" in sys.argv else 25
    print(f"cores: {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}; {n} instances per app, in process")
    for name, make in (("thin app", _thin_app), ("this app", _this_app)):
        traced = Statements()
        client, headers = make(Path(tempfile.mkdtemp(prefix="cf-profile-")), traced)
        _run(client, headers, 5, None, traced)  # warm up: parse the model, fill the caches
        traced.clear()
        counts: list[int] = []
        _run(client, headers, 1, counts, traced)
        print(f"\n== {name}: {statistics.median(counts):.0f} statements per completion; one of them:")
        last = traced[-counts[-1] :] if counts[-1] else []
        for statement in last:
            print("   ", " ".join(statement.split())[:150])
        traced.holds.clear()
        started = time.process_time()
        _run(client, headers, n, None, traced)
        cpu = (time.process_time() - started) / n * 1000
        holds = sorted(traced.holds)
        print(
            f"CPU {cpu:.1f} ms per instance; write lock held p50 {holds[len(holds) // 2] * 1000:.2f} ms, "
            f"p90 {holds[int(len(holds) * 0.9)] * 1000:.2f} ms"
        )
        profile = cProfile.Profile()
        profile.runcall(_run, client, headers, n, None, traced)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(top)


if __name__ == "__main__":
    main()
