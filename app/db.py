"""The database: engines, sessions, and the two kinds of transaction services use.

SQLite (the embedded default) runs in WAL mode with foreign keys on, and write
transactions begin with ``BEGIN IMMEDIATE`` so that web threads and the scheduler
never deadlock by upgrading a read lock. Reads begin deferred and never block writers.
Services read and run the engine outside the write lock and take it only for the
final short write guarded by the instance's version column (see docs/architecture.md).
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from .plain_sql import Plain, send_held_before


class Base(DeclarativeBase):
    """Declarative base of every table."""


class Database:
    """Owns the engine and hands out read and write sessions."""

    def __init__(
        self, url: str, echo: bool = False, pool_size: int = 10, max_overflow: int = 10, connect_timeout: int = 5
    ):
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            _ensure_sqlite_dir(url)
            self.engine = create_engine(url, echo=echo, connect_args={"timeout": 10, "check_same_thread": False})
            _configure_sqlite(self.engine)
        else:
            # pre-ping: a connection broken by a database restart is replaced, not handed to a request.
            self.engine = create_engine(
                url,
                echo=echo,
                pool_pre_ping=True,
                pool_size=pool_size,
                max_overflow=max_overflow,
                connect_args={"connect_timeout": connect_timeout},
            )
        # Writes a Plain holds (plain_sql.Plain.holding) go before any statement SQLAlchemy sends.
        event.listen(self.engine, "before_cursor_execute", send_held_before)
        self._write_engine = self.engine.execution_options(complaintflow_write=True)
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sessionmaker(self._write_engine, expire_on_commit=False)
        # Inside keep_plain()/release_plain() (one API request): the pooled connection plain() shares.
        self._kept: ContextVar[_Kept | None] = ContextVar(f"complaintflow_kept_{id(self)}", default=None)

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; closed at the end (its transaction ends), never blocks writers."""
        with self._reader() as session:
            yield session

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed if the block succeeds, rolled back otherwise."""
        with self._writer() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextlib.contextmanager
    def plain(self) -> Iterator[Plain]:
        """A pooled connection for a hot path's one-statement reads in plain SQL (app/plain_sql.py).

        Between keep_plain() and release_plain() (an API request: the bearer token's lookup, then the
        use case's reads) every plain() block shares one checked-out connection instead of checking
        one out and back in each time. Each block still ends its transaction when it ends, as the
        pool's check-in did: no block sees another's snapshot, and no lock is held in between.
        """
        kept = self._kept.get()
        if kept is None:
            fairy = self._checkout()
            try:
                yield Plain(fairy.driver_connection, self.engine.dialect, invalidate=fairy.invalidate)
            finally:
                fairy.close()  # back to the pool, which ends whatever transaction the reads began
            return
        if kept.depth == 0:
            if kept.fairy is None or not kept.fairy.is_valid:
                if kept.fairy is not None:
                    kept.fairy.close()  # invalidated by a lost connection: a fresh one, as a new checkout would
                    kept.fairy = None  # (if the checkout fails, nothing closed is kept)
                kept.fairy = self._checkout()
            # A new Plain per block, as before: nothing a block remembered (memo) outlives it.
            kept.plain = Plain(kept.fairy.driver_connection, self.engine.dialect, invalidate=kept.fairy.invalidate)
        fairy, plain = kept.fairy, kept.plain
        kept.depth += 1
        try:
            yield plain
        finally:
            kept.depth -= 1
            if kept.depth == 0 and fairy.is_valid:
                try:  # ends a transaction the reads began (psycopg); a no-op on an idle connection
                    fairy.driver_connection.rollback()
                except self.engine.dialect.loaded_dbapi.Error as exc:
                    fairy.invalidate(exc)  # the next block checks out a fresh one

    def keep_plain(self) -> object:
        """From now on in this context (an API request) plain() blocks share one pooled connection."""
        return self._kept.set(_Kept())

    def release_plain(self, token: object) -> None:
        """Return the connection keep_plain() shared to the pool (the request's teardown)."""
        kept = self._kept.get()
        try:
            self._kept.reset(token)  # type: ignore[arg-type]
        except ValueError:  # set in another context: forget it here all the same
            self._kept.set(None)
        if kept is not None and kept.fairy is not None:
            kept.fairy.close()

    def _checkout(self):
        dbapi_error = self.engine.dialect.loaded_dbapi.Error
        try:
            return self.engine.raw_connection()  # checked out like any other: pre-pinged on PostgreSQL
        except dbapi_error as exc:  # as SQLAlchemy's own connect would say it: the API answers 503
            raise DBAPIError.instance(
                None, None, exc, dbapi_error, connection_invalidated=True, dialect=self.engine.dialect
            ) from exc

    def listen_writes(self, name: str, fn) -> None:
        """Register a session event (after_flush, before_commit, after_commit...) on write sessions only."""
        event.listen(self._writer, name, fn)

    def configure_writes(self, **session_options) -> None:
        """Set options (e.g. ``info``) on every write session from now on."""
        self._writer.configure(**session_options)

    def dispose(self) -> None:
        self.engine.dispose()


def _ensure_sqlite_dir(url: str) -> None:
    path = url.split("///", 1)[-1] if "///" in url else ""
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # BEGIN is ours (do_begin below): pysqlite's own is deferred only, and only before writes.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.close()

    # Write transactions BEGIN IMMEDIATE, reads a deferred BEGIN. The begin event only notes which
    # (it sees the execution options); the dialect's do_begin runs it straight on the DBAPI
    # connection, where SQLAlchemy turns its errors into its own (a locked database: a 503). Through
    # exec_driver_sql the BEGIN went the whole execution path, 2.5 % of a completion's CPU.
    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.connection.info[_IMMEDIATE] = conn.get_execution_options().get("complaintflow_write", False)

    def do_begin(dbapi_connection):
        immediate = dbapi_connection.info.pop(_IMMEDIATE, False)
        dbapi_connection.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")

    engine.dialect.do_begin = do_begin


_IMMEDIATE = "complaintflow_begin_immediate"


class _Kept:
    """The connection plain() blocks share between keep_plain() and release_plain(), checked out at the first."""

    __slots__ = ("fairy", "plain", "depth")

    def __init__(self):
        self.fairy = None
        self.plain: Plain | None = None
        self.depth = 0
