"""The bulk path's writer: copies' rows straight to the tables on a connection of its own, set up for a bulk load.

A load that at least doubles the tables drops their secondary indexes first and makes them again at the
end, from the very statements the schema holds (SQLite's sqlite_master, PostgreSQL's pg_indexes): one sort
per index instead of a random B-tree insert per row, and the unique ones are checked when made again.
Primary keys and constraints stay. On PostgreSQL the session commits without waiting for the WAL's flush and
sorts the indexes in up to 512 MB. On SQLite the connection also runs with synchronous=OFF, foreign keys
off (the copies' references are right by construction; the test checks them) and a 1 GB page cache, and is
closed at the end, never handed back to the pool with those settings; it analyses the tables it loaded. A load that is stopped half way
(a killed process) leaves a database without those indexes: make it again (``bench/reports.py --fresh``).
"""

from __future__ import annotations

import time
from typing import Any

from ..models import AuditEvent, Complaint, HumanTask, ProcessInstance, Timer

TABLES = (ProcessInstance, Complaint, HumanTask, Timer, AuditEvent)  # parents first
_NAMES = tuple(m.__tablename__ for m in TABLES)


class BulkWriter:
    """Writes rows (per table, stored values in column order) in transactions of its own."""

    def __init__(self, db, drop_indexes: bool):
        self.db, self.drop_indexes = db, drop_indexes
        self.postgresql = db.engine.dialect.name == "postgresql"
        self.indexes: list[tuple[str, str]] = []  # (name, the statement that makes it)
        self.fairy: Any = None
        self.raw: Any = None
        self.open = False
        self.index_seconds = 0.0  # making the dropped indexes again, at the end
        self.analyse_seconds = 0.0  # SQLite's ANALYZE after that

    def __enter__(self) -> "BulkWriter":
        self.fairy = self.db.engine.raw_connection()
        self.raw = raw = self.fairy.driver_connection
        if self.postgresql:
            # This session only: its commits do not wait for the WAL's flush (a crash loses the last chunks, as
            # SQLite's synchronous=OFF below), and the indexes made again at the end sort in memory.
            with raw.cursor() as cur:
                cur.execute("SET synchronous_commit = off")
                cur.execute("SET maintenance_work_mem = '512MB'")
            raw.commit()
        else:
            # Settings of this connection only; the file keeps WAL. No fsync: the OS writes the pages out.
            # A long busy timeout: the bulk path's worker processes take the write lock in turn.
            for pragma in ("synchronous=OFF", "foreign_keys=OFF", "cache_size=-1048576", "busy_timeout=120000"):
                raw.execute(f"PRAGMA {pragma}")
        if self.drop_indexes:
            self.indexes = self._secondary_indexes()
            for name, _ in self.indexes:
                self._execute(f"DROP INDEX {name}")
            self.commit()
        return self

    def _secondary_indexes(self) -> list[tuple[str, str]]:
        names = ", ".join(f"'{n}'" for n in _NAMES)
        if self.postgresql:
            sql = (
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN "
                f"({names}) AND indexname NOT IN (SELECT conname FROM pg_constraint) ORDER BY indexname"
            )
        else:  # autoindexes (primary keys, UNIQUE constraints) have no sql and stay
            sql = f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({names})"
        cur = self.raw.cursor()
        cur.execute(sql)
        return [(name, made) for name, made in cur.fetchall()]

    def _execute(self, sql: str) -> None:
        if not self.postgresql and not self.open:
            self.raw.execute("BEGIN IMMEDIATE")
            self.open = True
        cur = self.raw.cursor()
        cur.execute(sql)
        cur.close()

    def write(self, rows: dict[Any, list[list[Any]]]) -> None:
        """Insert the rows, parents first: executemany on SQLite, COPY on PostgreSQL."""
        if not any(rows.values()):
            return  # nothing to write: take no lock (the workers may be writing)
        raw = self.raw
        if not self.postgresql and not self.open:
            raw.execute("BEGIN IMMEDIATE")
            self.open = True
        for model in TABLES:
            batch = rows.get(model)
            if not batch:
                continue
            table = model.__table__
            names = ", ".join(c.name for c in table.columns)
            if self.postgresql:
                with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" for _ in table.columns)
                raw.cursor().executemany(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", batch)

    def commit(self) -> None:
        if self.postgresql:
            self.raw.commit()
        elif self.open:
            self.raw.execute("COMMIT")
            self.open = False

    def __exit__(self, kind, *_) -> None:
        try:
            if kind is None:
                self.commit()
            elif self.postgresql:
                self.raw.rollback()
            elif self.open:
                self.raw.execute("ROLLBACK")
                self.open = False
            t0 = time.perf_counter()
            for _, made in self.indexes:  # also after a failure: the schema must be whole again
                self._execute(made)
            self.commit()
            t1 = time.perf_counter()
            self.index_seconds = t1 - t0
            if kind is None and self.indexes and not self.postgresql:
                # Statistics for the planner right after the load: without them SQLite walked the state or the
                # category index over every row for each slice of the roll-ups' recount (960 s at 100,000).
                # Sampled (analysis_limit), seconds at a million. PostgreSQL's recount runs its own ANALYZE.
                self.raw.execute("PRAGMA analysis_limit = 1000")
                self.raw.execute("ANALYZE")
                self.analyse_seconds = time.perf_counter() - t1
        finally:
            self.fairy.invalidate()  # closed, not pooled: its settings are the bulk load's
