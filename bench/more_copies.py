"""Grow a generated history with more bulk copies of the complaints its first build worked through the services.

    python bench/more_copies.py sqlite:////tmp/million/m1.db 1000000      # up to 1,000,000 complaints

bench/reports.py grows a database by generating again: it works --templates new complaints through the
services first, which at half a million complaints took minutes before the first commit (registration
reads the similar recent complaints and the customer's repeats). This takes the finished complaints of
the first build's services part (the first --templates ids) as templates and adds copies of them over the
same year (bulk_copies.replay with its workers, a new seed so that no random id repeats), then recounts
the roll-ups and analyses the tables. The copies are made and checked exactly as generate-demo's.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> None:
    from sqlalchemy import func, select

    from app.config import load_settings
    from app.demo.batching import BatchDatabase
    from app.demo.bulk_copies import replay
    from app.demo.history import Generator
    from app.domain.clock import FixedClock
    from app.models import Complaint
    from app.services.bootstrap import build_runtime
    from app.services.reporting.rebuild import rebuild
    from reports import NOW

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("db")
    ap.add_argument("complaints", type=int, help="how many complaints the database should hold")
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--templates", type=int, default=300, help="the first build's complaints through the services")
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    start = NOW - timedelta(days=args.days)
    rt = build_runtime(load_settings(ROOT / "instance", {"DATABASE_URL": args.db}), clock=FixedClock(start))
    with rt.db.read() as s:
        have = s.scalar(select(func.count()).select_from(Complaint)) or 0
        templates = list(
            s.scalars(select(Complaint.id).where(Complaint.id <= args.templates, Complaint.status == "closed"))
        )
    rt.db = BatchDatabase(rt.db)
    gen = Generator(rt, start, NOW, seed=args.seed)
    gen.stats.finished_ids = templates
    t0 = time.perf_counter()
    replay(gen, NOW, args.complaints - have, None, args.workers)
    took = time.perf_counter() - t0
    print(
        f"{gen.stats.replayed} copies of {len(templates)} templates in {took:.0f} s "
        f"({gen.stats.replayed / took:.0f}/s), load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    t0 = time.perf_counter()
    with rt.db.write() as s:
        rebuild(s.connection())
    rt.db.commit()
    print(f"roll-ups recounted in {time.perf_counter() - t0:.0f} s", flush=True)
    t0 = time.perf_counter()
    with rt.db.inner.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    print(f"analysed in {time.perf_counter() - t0:.0f} s, load average {os.getloadavg()[0]:.1f}", flush=True)
    rt.db.inner.dispose()


if __name__ == "__main__":
    main()
