"""What a second worker costs each app by itself, without two processes competing for the cores.

    python bench/second_worker.py     # BENCH_ROUNDS (default 12) x BENCH_SLICE (default 8) instances per way

In one process and one thread, each app runs as two "workers" on one SQLite file: this app as two app
objects (create_app twice: two connection pools, two live-instance caches), the thin app (bench/thin_app.py)
as two sqlite3 connections. Each request goes to the worker the previous one went to, or to the other one
with probability BENCH_SWITCH (default 0.2: with two gunicorn sync workers and two clients, 20-30 % of this
app's completions found their engine object missing, i.e. the previous request of the instance went to the
other worker). What that costs shows alone: the live-instance cache's misses (a rebuild from the state the
other worker saved) and SQLite's page cache, which a connection empties whenever another one wrote. The way
"two, one shared cache" gives both of this app's objects the same live cache, so only SQLite's part is left.
The ways run in turns, their order reversed every round; printed: CPU per instance (process time) of each
way, the median of the per-round ratios to one worker, and this app's live-cache hit rate.

What it leaves out, by design: two processes running at once on two cores, each slowed by the other and by
the clients (caches, memory bandwidth, busy-handler sleeps). bench/two_workers.py measures all of it together.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

WAYS = (
    ("this app", "one worker"),
    ("this app", "two workers"),
    ("this app", "two, one shared cache"),
    ("thin app", "one worker"),
    ("thin app", "two workers"),
)


class Apps:
    """Both apps, each as two workers in this process, on fresh SQLite files."""

    def __init__(self, tmp: Path, switch: float):
        from engine_vs_http import _prepare

        os.environ["COMPLAINTFLOW_DATABASE_URL"] = f"sqlite:///{tmp / 'app.db'}"
        os.environ["COMPLAINTFLOW_SECRET_KEY"] = "bench"
        _prepare({**os.environ, "PYTHONPATH": str(ROOT)})
        from app import create_app

        apps = [create_app(), create_app()]
        self.runtimes = [a.extensions["complaintflow"] for a in apps]
        self.own_caches = [rt.live for rt in self.runtimes]
        self.clients = [a.test_client() for a in apps]
        body = (
            self.clients[0]
            .post("/api/v1/auth/token", json={"username": "bench", "password": "bench-password"})
            .get_json()
        )
        self.headers = {"Authorization": f"Bearer {body['token']}"}
        os.environ["THIN_DB"] = str(tmp / "thin.db")
        import thin_app

        self.thin = thin_app
        self.thin_conns = []
        for _ in range(2):
            thin_app._local.conn = None
            self.thin_conns.append(thin_app.db())
        self.thin_client = thin_app.app.test_client()
        self.switch = switch
        self.rng = random.Random(7)
        self.takes = self.hits = 0
        for cache in self.own_caches:
            self._count(cache)

    def _count(self, cache) -> None:
        take = cache.take

        def counted(instance_id, state):
            found = take(instance_id, state)
            self.takes, self.hits = self.takes + 1, self.hits + (found is not None)
            return found

        cache.take = counted

    def run(self, app: str, way: str, n: int) -> None:
        """n instances (a start and eight completions each) of bench/eight_tasks.bpmn."""
        self.runtimes[1].live = self.own_caches[0] if way == "two, one shared cache" else self.own_caches[1]
        worker = 0

        def client():
            nonlocal worker
            if way != "one worker" and self.rng.random() < self.switch:
                worker = 1 - worker
            if app == "thin app":
                self.thin._local.conn = self.thin_conns[worker]
                return self.thin_client, {}
            return self.clients[worker], self.headers

        for _ in range(n):
            c, headers = client()
            body = c.post("/api/v1/process-instances", json={"process_id": "eight_tasks"}, headers=headers)
            task = body.get_json()["ready_tasks"][0]
            while task is not None:
                c, headers = client()
                answer = c.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"ok": True}}, headers=headers)
                assert answer.status_code == 200, answer.get_json()
                following = answer.get_json()["next_tasks"]
                task = following[0] if following else None


def main() -> None:
    rounds, per = int(os.environ.get("BENCH_ROUNDS", "12")), int(os.environ.get("BENCH_SLICE", "8"))
    switch = float(os.environ.get("BENCH_SWITCH", "0.2"))
    apps = Apps(Path(tempfile.mkdtemp(prefix="cf-second-")), switch)
    for app, way in WAYS:
        apps.run(app, way, 3)  # warm up: parse the model, fill the caches, open the connections
    cpu: dict[tuple[str, str], list[float]] = {w: [] for w in WAYS}
    takes: dict[tuple[str, str], list[int]] = {w: [0, 0] for w in WAYS}
    print(f"cores: {os.cpu_count()}, load average before {os.getloadavg()[0]:.1f}; switch probability {switch}")
    for r in range(rounds):
        for way in WAYS if r % 2 == 0 else WAYS[::-1]:
            t0, h0, started = apps.takes, apps.hits, time.process_time()
            apps.run(*way, per)
            cpu[way].append((time.process_time() - started) / per * 1000)
            takes[way][0] += apps.takes - t0
            takes[way][1] += apps.hits - h0
    print(f"load average after {os.getloadavg()[0]:.1f}; {rounds} rounds x {per} instances per way")
    print(
        "| app | workers | CPU ms per instance (median of rounds) | vs one worker (median of round ratios) | live-cache hits |"
    )
    print("| --- | --- | ---: | ---: | ---: |")
    for way in WAYS:
        one = cpu[(way[0], "one worker")]
        ratio = statistics.median(b / a for a, b in zip(one, cpu[way]))
        tk, hit = takes[way]
        hits = f"{hit / tk:.0%}" if tk else "-"
        print(f"| {way[0]} | {way[1]} | {statistics.median(cpu[way]):.2f} | {ratio:.3f} | {hits} |")


if __name__ == "__main__":
    main()
