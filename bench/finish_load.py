"""Finish a bulk load that was stopped half way (a build past its deadline), as the generator would have.

    python bench/finish_load.py sqlite:////tmp/million/sqlite1m.db
    python bench/finish_load.py postgresql+psycopg://postgres@127.0.0.1:5432/million_1m

A load that at least doubles the tables drops their secondary indexes and makes them again at its end
(app/demo/bulk_write.py); a load stopped before its end (SIGTERM to the build and its workers: every chunk
is a transaction, so what was committed is whole copies) leaves the tables without them, the roll-ups
uncounted and the day's complaint numbers unrecorded. This makes every index the schema has and the
database lacks (the statements read from a fresh database brought to the newest migration), analyses the
tables, recounts the roll-ups, records each day's last complaint number and, on PostgreSQL, moves the id
sequences past the ids used. Printed: each part's wall time.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _schema_indexes(url: str) -> dict[str, str]:
    """The secondary indexes (name: statement) of the bulk tables in a fresh database of the same kind."""
    from app.db import Database
    from app.demo.bulk_write import BulkWriter
    from app.migrate import upgrade

    if url.startswith("postgresql"):
        from fresh_db import recreate_postgresql

        fresh = recreate_postgresql(url + "_schema")
    else:
        fresh = f"sqlite:///{tempfile.mkdtemp()}/schema.db"
    db = Database(fresh)
    upgrade(db)
    with BulkWriter(db, drop_indexes=False) as writer:
        made = dict(writer._secondary_indexes())
    db.dispose()
    if url.startswith("postgresql"):
        from sqlalchemy import create_engine

        admin = create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE "{fresh.rsplit("/", 1)[1]}" WITH (FORCE)')
        admin.dispose()
    return made


def main() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from sqlalchemy import func, select

    from app.db import Database
    from app.demo.bulk_write import BulkWriter
    from app.demo.replay import move_id_sequences
    from app.models import Complaint, NumberSequence
    from app.services.reporting.rebuild import rebuild

    url = sys.argv[1]
    wanted = _schema_indexes(url)
    db = Database(url)
    t0 = time.perf_counter()
    with BulkWriter(db, drop_indexes=False) as writer:
        have = dict(writer._secondary_indexes())
        missing = [made for name, made in sorted(wanted.items()) if name not in have]
        for made in missing:
            writer._execute(made)
        writer.commit()
    t1 = time.perf_counter()
    print(f"{len(missing)} indexes made in {t1 - t0:.0f} s, load average {os.getloadavg()[0]:.1f}", flush=True)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    t2 = time.perf_counter()
    print(f"analysed in {t2 - t1:.0f} s", flush=True)
    with db.write() as s:
        rebuild(s.connection())
    t3 = time.perf_counter()
    print(f"roll-ups recounted in {t3 - t2:.0f} s, load average {os.getloadavg()[0]:.1f}", flush=True)
    with db.write() as s:
        day, last = func.substr(Complaint.number, 3, 8), func.max(func.substr(Complaint.number, 11))
        numbers = {d: int(n) for d, n in s.execute(select(day, last).group_by(day))}
        known = dict(s.execute(select(NumberSequence.day, NumberSequence.last)).all())
        for d, n in numbers.items():
            if d not in known:
                s.add(NumberSequence(day=d, last=n))
            elif known[d] < n:
                s.execute(NumberSequence.__table__.update().where(NumberSequence.day == d).values(last=n))
        move_id_sequences(s)
        total = s.scalar(select(func.count()).select_from(Complaint))
    print(f"{total} complaints; numbers recorded for {len(numbers)} days; load average {os.getloadavg()[0]:.1f}")
    db.dispose()


if __name__ == "__main__":
    main()
