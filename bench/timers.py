"""Timer benchmark: how late due timers fire, and how fast, with 100,000 waiting timers.

    python bench/timers.py                      # SQLite in a temporary directory
    python bench/timers.py --db postgresql+psycopg://postgres@127.0.0.1:5432/bench_timers

Seeds --waiting instances of bench/timer_wait.bpmn, each waiting on one timer: most due in
30 days, --steady of them due one after another over 20 s, and --burst of them all due at the same
instant after that. One process ticks (APScheduler, SCHEDULER_TICK_SECONDS=1, the real clock).
A reader polls the timer table every 50 ms and notes when each firing became visible (committed):
lateness = that instant - due. Prints p50/p99/max lateness of the steady timers, and the burst's
drain time and firings per second.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fresh_db import recreate_postgresql  # noqa: E402
from sqlalchemy import create_engine, insert, select, text  # noqa: E402

TEMPLATE_DUE = "2000-01-01T00:00:00+00:00"


def make_app(url: str, **extra):
    from app import create_app
    from app.migrate import upgrade
    from app.services.accounts.users import ensure_groups

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "SCHEDULER_ENABLED": False, **extra})
    rt = app.extensions["complaintflow"]
    upgrade(rt.db)
    ensure_groups(rt)
    return app


def deploy_timer_wait(rt) -> int:
    from app.services.process_models.deployment import deploy_model

    return deploy_model(rt, {"timer_wait.bpmn": (ROOT / "bench" / "timer_wait.bpmn").read_bytes()}).version_id


def seed_waiting_timers(rt, version_id: int, dues: list[datetime], divisor: int = 1, chunk: int = 2000) -> list[int]:
    """Insert one waiting instance (state, timer row) per due instant, fast: one engine run, then copies."""
    from app.engine import state_from_text, state_text
    from app.models import ProcessInstance, Timer

    model = rt.model(version_id)
    inst = rt.engine.start(model.bundle, {"due": TEMPLATE_DUE.replace("2000", "2999"), "divisor": divisor})
    template = state_text(inst.dump()).replace("2999-01-01T00:00:00+00:00", "{DUE}")
    timer = inst.waiting_timers()[0]
    now = rt.clock.now()
    ids = []
    with rt.db.write() as s:
        first = (s.scalar(select(text("max(id)")).select_from(ProcessInstance)) or 0) + 1
    for start in range(0, len(dues), chunk):
        part = dues[start : start + chunk]
        rows, timers = [], []
        for offset, due in enumerate(part):
            iid = first + start + offset
            iso = due.astimezone(timezone.utc).isoformat()
            state = template.replace("{DUE}", iso)
            rows.append(
                {
                    "id": iid,
                    "process_version_id": version_id,
                    "process_id": model.process_id,
                    "status": "running",
                    "state": state_from_text(state),
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            timers.append(
                {
                    "instance_id": iid,
                    "task_id": timer.task_id,
                    "element_id": timer.element_id,
                    "attached_to": None,
                    "kind": "timer",
                    "sla_step": None,
                    "due_at": due,
                    "status": "waiting",
                    "provisional": False,
                    "attempts": 0,
                    "details": {},
                }
            )
            ids.append(iid)
        with rt.db.write() as s:
            s.execute(insert(ProcessInstance), rows)
            s.execute(insert(Timer), timers)
    if rt.db.url.startswith("postgresql"):
        with rt.db.write() as s:
            s.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('process_instance', 'id'), (SELECT max(id) FROM process_instance))"
                )
            )
    return ids


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run(url: str, waiting: int, steady: int, burst: int, tick: float) -> dict:
    app = make_app(url, SCHEDULER_TICK_SECONDS=tick)
    rt = app.extensions["complaintflow"]
    version_id = deploy_timer_wait(rt)
    far = datetime.now(timezone.utc) + timedelta(days=30)
    t0 = time.perf_counter()
    seed_waiting_timers(rt, version_id, [far] * (waiting - steady - burst))
    start = datetime.now(timezone.utc) + timedelta(seconds=5)
    steady_dues = [start + timedelta(seconds=20 * i / steady) for i in range(steady)]
    burst_at = start + timedelta(seconds=25)
    steady_ids = set(seed_waiting_timers(rt, version_id, steady_dues))
    burst_ids = set(seed_waiting_timers(rt, version_id, [burst_at] * burst))
    seed_seconds = time.perf_counter() - t0

    from app.scheduler import init_scheduler

    seen: dict[int, datetime] = {}
    due_of: dict[int, datetime] = {}
    reader = create_engine(url)
    scheduler = init_scheduler(app)
    deadline = time.monotonic() + 60 + 20 + burst / 50
    try:
        while len(seen) < steady + burst and time.monotonic() < deadline:
            with reader.connect() as conn:
                rows = conn.execute(text("SELECT instance_id, due_at FROM timer WHERE status = 'fired'")).all()
            observed = datetime.now(timezone.utc)
            for iid, due in rows:
                if iid not in seen:
                    seen[iid] = observed
                    due_of[iid] = due if isinstance(due, datetime) else datetime.fromisoformat(str(due))
            time.sleep(0.05)
    finally:
        scheduler.shutdown(wait=True)
        reader.dispose()

    def late(ids):
        return [
            (seen[i] - due_of[i].replace(tzinfo=due_of[i].tzinfo or timezone.utc)).total_seconds()
            for i in ids
            if i in seen
        ]

    steady_late, burst_late = late(steady_ids), late(burst_ids)
    with rt.db.read() as s:
        left = s.scalar(text("SELECT count(*) FROM timer WHERE status = 'waiting'"))
    drain = max(burst_late) if burst_late else float("nan")
    rt.db.dispose()
    return {
        "database": url.split(":", 1)[0],
        "waiting_timers": waiting,
        "seed_seconds": round(seed_seconds, 1),
        "tick_seconds": tick,
        "steady": {
            "timers": steady,
            "fired": len(steady_late),
            "over_seconds": 20,
            "lateness_p50_s": round(percentile(steady_late, 50), 3),
            "lateness_p99_s": round(percentile(steady_late, 99), 3),
            "lateness_max_s": round(max(steady_late), 3),
        },
        "burst": {
            "timers": burst,
            "fired": len(burst_late),
            "drain_seconds": round(drain, 2),
            "firings_per_second": round(len(burst_late) / drain, 1) if drain else None,
            "lateness_p50_s": round(percentile(burst_late, 50), 3),
        },
        "still_waiting_after": left,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="database URL (default: SQLite in a temporary directory)")
    parser.add_argument("--waiting", type=int, default=100_000)
    parser.add_argument("--steady", type=int, default=1_000)
    parser.add_argument("--burst", type=int, default=2_000)
    parser.add_argument("--tick", type=float, default=1.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db
        if url is None:
            url = f"sqlite:///{tmp}/bench-{uuid.uuid4().hex[:6]}.db"
        elif url.startswith("postgresql"):
            recreate_postgresql(url)
        result = run(url, args.waiting, args.steady, args.burst, args.tick)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
