"""Where a finished instance's bytes go: per table and per index, on the one write path, in process.

    python bench/storage.py            # BENCH_INSTANCES (default 150) instances of bench/eight_tasks.bpmn

The same model and data as bench/engine_vs_http.py, started with ``start_instance`` and worked with
``complete_task`` (the services the API calls) on a fresh SQLite file under /tmp; the database is
vacuumed before and after, and SQLite's ``dbstat`` gives each table's and index's growth per finished
instance. engine_vs_http.py measures the file's growth over HTTP; this one says what that growth is
made of.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _sizes(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("VACUUM")
    out = dict(conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"))
    conn.close()
    return out


def main() -> None:
    from sqlalchemy import select

    from app import create_app
    from app.domain.actors import Actor, Viewer
    from app.migrate import upgrade
    from app.models import HumanTask
    from app.services.accounts.users import create_user, ensure_groups
    from app.services.instances.store import start_instance
    from app.services.process_models.deployment import deploy_model
    from app.services.tasks.work import complete_task

    n = int(os.environ.get("BENCH_INSTANCES", "150"))
    db = Path(tempfile.mkdtemp(prefix="cf-storage-")) / "bench.db"
    app = create_app({"DATABASE_URL": f"sqlite:///{db}", "SECRET_KEY": "bench"})
    rt = app.extensions["complaintflow"]
    upgrade(rt.db)
    ensure_groups(rt)
    uid = create_user(rt, "bench", "bench-password", "Bench", ["agent"])
    deploy_model(rt, {"eight_tasks.bpmn": (ROOT / "bench" / "eight_tasks.bpmn").read_bytes()}, user_id=uid)
    viewer = Viewer(uid, "bench", frozenset({"agent"}))
    before = _sizes(db)
    for _ in range(n):
        iid = start_instance(rt, "eight_tasks", {}, Actor(uid, "bench"))
        while True:
            with rt.db.read() as s:
                task = s.scalar(select(HumanTask.id).where(HumanTask.instance_id == iid, HumanTask.state == "ready"))
            if task is None:
                break
            complete_task(rt, viewer, task, {"ok": True})
    rt.db.dispose()
    after = _sizes(db)
    grown = sorted(((after[k] - before.get(k, 0)) / n, k) for k in after)
    print(f"{n} finished instances of eight user tasks; bytes per finished instance (dbstat, vacuumed):")
    for size, name in reversed(grown):
        if size >= 1:
            print(f"  {size:7.0f}  {name}")
    print(f"  {sum(size for size, _ in grown):7.0f}  total")
    conn = sqlite3.connect(db)
    events, data = conn.execute(
        "SELECT count(*), avg(length(coalesce(data_before, '')) + length(coalesce(data_after, ''))) FROM audit_event"
    ).fetchone()
    state = conn.execute("SELECT avg(length(state)) FROM process_instance").fetchone()[0]
    conn.close()
    print(f"audit events per instance {events / n:.1f} (data {data:.0f} bytes each); state {state:.0f} bytes")
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    db.parent.rmdir()


if __name__ == "__main__":
    main()
