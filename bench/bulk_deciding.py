"""The bulk path's generating process alone: CPU per copy to decide copies (arrivals, template, customer, ids).

    python bench/bulk_deciding.py . 300000                      # this tree
    python bench/bulk_deciding.py /tmp/old-tree 300000          # another tree (an exported older commit)

bench/bulk.py measures the workers that build and write the copies and calls Replayer.copy itself; this
runs app/demo/bulk_copies.replay on a copy of bench/bulk.py's template file (TEMPLATES, by default
/tmp/bench-bulk/templates.db: run bench/bulk.py once first) with builders and a writer that do nothing,
so that only the generating process's own work is timed: a year's arrivals, a fitting template for each,
the repeat customers, the ids, numbers and random bits. Run two trees one after the other to compare.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)
WORK = "/tmp/bench-bulk-deciding.db"


class _Nothing:
    """Builders and writer that take the orders and rows and do nothing with them."""

    index_seconds = analyse_seconds = 0.0

    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *args):
        pass

    def start(self, *args):
        pass

    def submit(self, orders):
        return []

    def drain(self):
        return []

    def close(self):
        pass

    def write(self, rows):
        pass

    def commit(self):
        pass


def main() -> None:
    root = Path(sys.argv[1]).resolve()
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 300_000
    sys.path.insert(0, str(root))
    from sqlalchemy import select

    import app.demo.bulk_copies as bulk_copies
    import app.demo.replay as replay
    from app.config import load_settings
    from app.demo.batching import BatchDatabase
    from app.demo.history import Generator
    from app.domain.clock import FixedClock
    from app.models import Complaint
    from app.services.bootstrap import build_runtime

    replay.Builders = _Nothing  # type: ignore[misc,assignment]
    bulk_copies.BulkWriter = _Nothing  # type: ignore[misc,assignment]
    for suffix in ("-wal", "-shm"):
        Path(WORK + suffix).unlink(missing_ok=True)
    shutil.copy(os.environ.get("TEMPLATES", "/tmp/bench-bulk/templates.db"), WORK)
    url = f"sqlite:///{WORK}"
    start = NOW - timedelta(days=365)
    rt = build_runtime(load_settings(root / "instance", {"DATABASE_URL": url}), clock=FixedClock(start))
    with rt.db.read() as s:
        ids = list(s.scalars(select(Complaint.id).where(Complaint.status == "closed")))
    rt.db = BatchDatabase(rt.db)
    gen = Generator(rt, start, NOW, seed=6)
    gen.stats.finished_ids = ids
    t0 = time.process_time()
    bulk_copies.replay(gen, NOW, n, None, 0)
    took = time.process_time() - t0
    print(
        f"{root}: {gen.stats.replayed} copies decided, {1000 * took / gen.stats.replayed:.3f} ms of CPU a copy; "
        f"load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
