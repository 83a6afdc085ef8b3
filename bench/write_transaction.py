"""What one write transaction costs before any statement: the ORM session against a pooled raw connection.

    python bench/write_transaction.py      # BENCH_ROUNDS (default 9) x BENCH_REPEAT (default 1000) of each

In process, on a fresh migrated SQLite file, with this app's write-session hooks installed (create_app:
the audit log's held rows and heads, the metrics' counts). Each way opens a write transaction
(BEGIN IMMEDIATE), does nothing and commits: the pool alone (checkout and check-in), the DBAPI
connection of a pooled checkout, SQLAlchemy Core's ``engine.begin()``, ``Database.write()`` without
and with ``Plain.of`` (what every hot path asks for first), and ``Database.write()`` on a Database
without the app's hooks. The ways run in alternating order round after round; min and median per way.
Then it counts the write transactions of one instance of bench/eight_tasks.bpmn (start and eight
completions through the API, sqlite3's trace), to turn the difference into time per instance.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def _ways(db, bare):
    from app.plain_sql import Plain

    def pool():
        db.engine.raw_connection().close()

    def raw():
        fairy = db.engine.raw_connection()
        conn = fairy.driver_connection
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("COMMIT")
        fairy.close()

    def core():
        with db._write_engine.begin():  # Core's begin sends BEGIN (IMMEDIATE: the write engine) at once
            pass

    def session_only():
        with db.write() as s:
            s.connection()

    def session_plain():
        with db.write() as s:
            Plain.of(s)

    def session_no_hooks():
        with bare.write() as s:
            Plain.of(s)

    return [
        ("pool checkout + check-in (no transaction)", pool),
        ("pooled DBAPI connection: BEGIN IMMEDIATE, COMMIT", raw),
        ("SQLAlchemy Core engine.begin()", core),
        ("Database.write() + connection()", session_only),
        ("Database.write() + Plain.of (the hot paths)", session_plain),
        ("the same without the app's session hooks", session_no_hooks),
    ]


def _transactions_per_instance(tmp: Path) -> float:
    import request_profile

    traced = request_profile.Statements()
    client, headers = request_profile._this_app(tmp, traced)
    request_profile._run(client, headers, 3, None, traced)  # warm up
    traced.clear()
    request_profile._run(client, headers, 5, None, traced)
    return sum(1 for s in traced if s.startswith("BEGIN IMMEDIATE")) / 5


def main() -> None:
    rounds, repeat = int(os.environ.get("BENCH_ROUNDS", "9")), int(os.environ.get("BENCH_REPEAT", "1000"))
    tmp = Path(tempfile.mkdtemp(prefix="cf-write-tx-"))
    per_instance = _transactions_per_instance(tmp)  # also puts this app's settings in the environment
    from app import create_app
    from app.db import Database

    url = os.environ["COMPLAINTFLOW_DATABASE_URL"]
    app = create_app()
    db, bare = app.extensions["complaintflow"].db, Database(url)
    ways = _ways(db, bare)
    spent: dict[str, list[float]] = {name: [] for name, _ in ways}
    load_before = os.getloadavg()[0]
    for r in range(rounds):
        for name, fn in ways if r % 2 == 0 else ways[::-1]:
            started = time.perf_counter()
            for _ in range(repeat):
                fn()
            spent[name].append((time.perf_counter() - started) / repeat * 1e6)
    print(f"cores: {os.cpu_count()}, load average before {load_before:.1f}, after {os.getloadavg()[0]:.1f}")
    print(f"{rounds} rounds x {repeat} empty write transactions each, alternating order; microseconds")
    print("| way | min µs | median µs |")
    print("| --- | ---: | ---: |")
    medians = {}
    for name, _ in ways:
        values = sorted(spent[name])
        medians[name] = values[len(values) // 2]
        print(f"| {name} | {values[0]:.1f} | {medians[name]:.1f} |")
    hot, raw = medians[ways[4][0]], medians[ways[1][0]]
    print(
        f"write transactions per instance (start + 8 completions): {per_instance:.1f}; the session's extra "
        f"over the raw connection at the medians: {hot - raw:.0f} µs each, {(hot - raw) * per_instance / 1000:.2f} ms "
        "per instance"
    )
    bare.dispose()
    db.dispose()


if __name__ == "__main__":
    main()
