"""The bulk path of generate-demo, before and after, side by side: copies of finished complaints written to SQLite.

    python bench/bulk.py                       # 4,000 copies per way, 2 rounds, alternating
    python bench/bulk.py --copies 20000 --rounds 1
    python bench/bulk.py --db postgresql+psycopg://postgres@127.0.0.1:5432/cf_bench_bulk   # COPY; NAME_tpl too

Once, 40 complaints are worked through the services into a template file under /tmp (on PostgreSQL,
a template database NAME_tpl). Then each way copies them --copies times into a fresh copy of it (the
file copied; CREATE DATABASE ... TEMPLATE), in the same run, alternating:

- before: app/demo/replay.py as of 2866a68 (one process, executemany or COPY into every index in
  the generator's session, states at zlib level 6), loaded from git;
- here: today's path in this process alone (workers=0): its own connection, indexes made after
  the load (and on SQLite synchronous=OFF), states at level 4;
- workers: the same with 2 worker processes building and writing the rows;
- main: the workers' path of 2f41714 (replay.py loaded from git: instants moved through datetime,
  tokens swapped through a dict, rows copied and filled in loops, the collector on in the workers),
  with 2 workers as well: the side by side of this session's per-copy work (--ways main,workers).

Printed per way: wall time and copies/s (depends on the machine's load: compare within a round),
and CPU per copy of this process and of its workers (the figure that the load does not change).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
END = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)
BEFORE = "2866a686"
MAIN = "2f41714"  # the workers' path before this session's per-copy work (issue 22: the million in minutes)


def _make_templates(url: str) -> None:
    from app.config import load_settings
    from app.db import Database
    from app.demo.history import generate_history
    from app.migrate import upgrade

    db = Database(url)
    upgrade(db)
    db.dispose()
    settings = load_settings(ROOT / "instance", {"DATABASE_URL": url})
    generate_history(settings, 40, END - timedelta(days=120), END, seed=3, templates=40, live_days=0)


def _admin(url: str):
    from sqlalchemy import create_engine

    return create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")


def _templates_url(db: str, folder: Path) -> str:
    """The database the templates are made in, once (kept for the next run)."""
    if not db.startswith("postgresql"):
        path = folder / "templates.db"
        if not path.exists():
            _make_templates(f"sqlite:///{path}")
        return f"sqlite:///{path}"
    url = db + "_tpl"
    admin = _admin(db)
    with admin.connect() as conn:
        exists = conn.exec_driver_sql("SELECT 1 FROM pg_database WHERE datname = %s", (url.rsplit("/", 1)[1],)).first()
        if not exists:
            conn.exec_driver_sql(f'CREATE DATABASE "{url.rsplit("/", 1)[1]}"')
    admin.dispose()
    if not exists:
        _make_templates(url)
    return url


def _fresh_target(templates: str, db: str, way: str, work: Path) -> str:
    """A copy of the templates' database for one way's run."""
    if not db.startswith("postgresql"):
        target = work / f"{way}.db"
        _drop_target(f"sqlite:///{target}")
        shutil.copy(templates.split("///", 1)[1], target)
        return f"sqlite:///{target}"
    admin = _admin(db)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{db.rsplit("/", 1)[1]}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{db.rsplit("/", 1)[1]}" TEMPLATE "{templates.rsplit("/", 1)[1]}"')
    admin.dispose()
    return db


def _drop_target(url: str) -> None:
    if url.startswith("sqlite"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{url.split('///', 1)[1]}{suffix}").unlink(missing_ok=True)
        return
    admin = _admin(url)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    admin.dispose()


def _before_module(rev: str = BEFORE):
    """replay.py as it was at rev, imported beside today's as app.demo._replay_REV."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{rev}:app/demo/replay.py"], check=True, capture_output=True, text=True
    ).stdout
    spec = importlib.util.spec_from_loader(f"app.demo._replay_{rev}", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "app.demo"
    sys.modules[spec.name] = module
    exec(compile(source, f"replay_{rev}.py", "exec"), module.__dict__)
    return module


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def run(way: str, templates: str, db_url: str, work: Path, n: int) -> tuple[float, float, float]:
    """Copy the templates n times into a fresh database one way; return (wall s, this CPU s, workers' CPU s)."""
    from sqlalchemy import select

    from app.db import Database
    from app.demo.bulk_write import BulkWriter
    from app.models import Complaint

    target = _fresh_target(templates, db_url, way, work)
    db = Database(target)
    with db.read() as s:
        ids = list(s.scalars(select(Complaint.id).where(Complaint.status == "closed")))
    rng = random.Random(1)
    cpu0, children0, wall0 = time.process_time(), _children_cpu(), time.perf_counter()
    if way == "before":
        module = _before_module()
        with db.write() as s:
            templates = module.load_templates(s, ids)
            r = module.Replayer(s, rng)
            for i in range(n):
                r.copy(templates[i % len(templates)], -(i % 60), "张三", "13800000000")
                if i % 200 == 199:
                    r.flush()
            r.finish()
    else:
        if way == "main":
            old = _before_module(MAIN)
            Replayer, load_templates = old.Replayer, old.load_templates
            from app.demo import builders

            builders.COLLECT_PER_CHUNK = False  # main's workers kept the collector on (set back below)
        else:
            from app.demo.replay import Replayer, load_templates

        with db.read() as s:
            templates = load_templates(s, ids)
        with db.write() as s:
            r = Replayer(s, rng, templates, 2 if way in ("workers", "main") else 0)
        db.engine.dispose()
        r.builders.start()
        round_ = 10_000 if way in ("workers", "main") else 200
        with BulkWriter(db, drop_indexes=True) as writer:
            for i in range(n):
                r.copy(templates[i % len(templates)], -(i % 60), "张三", "13800000000")
                if i % round_ == round_ - 1:
                    r.flush(writer)
            r.finish(writer)
        with db.write() as s:
            r.record(s)
        from app.demo import builders

        builders.COLLECT_PER_CHUNK = True
    wall = time.perf_counter() - wall0
    cpu, children = time.process_time() - cpu0, _children_cpu() - children0
    db.dispose()
    _drop_target(target)
    return wall, cpu, children


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--copies", type=int, default=4000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--work", default="/tmp/bench-bulk", help="folder for the template file and the copies")
    ap.add_argument("--ways", default="before,here,workers", help="comma-separated: before, here, workers, main")
    ap.add_argument("--db", default="sqlite", help="sqlite (files in --work) or a PostgreSQL URL (dropped after)")
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    templates = _templates_url(args.db, work)
    kind = "PostgreSQL" if args.db.startswith("postgresql") else "SQLite"
    print(f"{args.copies} copies per way of 40 templates, {kind}; load average {os.getloadavg()[0]:.1f}")
    print("| round | way | wall s | copies/s | CPU ms per copy: this process | workers | both |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for k in range(1, args.rounds + 1):
        for way in args.ways.split(","):
            wall, cpu, children = run(way, templates, args.db, work, args.copies)
            per = 1000 / args.copies
            print(
                f"| {k} | {way} | {wall:.1f} | {args.copies / wall:.0f} | {cpu * per:.2f} | {children * per:.2f} "
                f"| {(cpu + children) * per:.2f} |",
                flush=True,
            )
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
