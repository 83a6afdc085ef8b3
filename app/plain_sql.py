"""Plain SQL for the hot paths: a task's completion, an instance's start, a timer's firing.

Through the ORM session a statement costs about 200 µs of Python before the database sees it
(compile-cache lookup, bind processing, autoflush, result wrapping); on the DBAPI connection
itself it costs about 15 µs. A completion runs a dozen statements, so the hot paths write their
SQL once, here or next to their service, and run it on the connection of the caller's write
session (same transaction, same commit) or of a pooled connection for a one-statement read.

What SQLAlchemy's types did for us is done here, identically for both databases:
- ``:name`` placeholders, turned into ``%(name)s`` for psycopg;
- aware datetimes stored as SQLAlchemy stores them: UTC text on SQLite, timestamptz on PostgreSQL;
  read back with ``read_time``;
- JSON passed as text (psycopg sends text of unknown type, which PostgreSQL casts to jsonb).

Example::

    READY = Sql("SELECT id FROM human_task WHERE instance_id = :iid AND state = 'ready'")
    with rt.db.write() as s:
        ids = [r[0] for r in Plain.of(s).rows(READY, {"iid": 7})]
"""

from __future__ import annotations

import contextlib
import json
import re
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator, Mapping, NamedTuple, Sequence

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

_NAME = re.compile(r"(?<![:\w]):(\w+)")
_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"  # SQLAlchemy's DATETIME storage format on SQLite
_HOLDER = "complaintflow_plain_holder"  # pooled connection info: the Plain holding writes on it
_KEY = "complaintflow_plain"  # session.info: (transaction, Plain) of the session's current transaction


class Sql:
    """A statement with ``:name`` placeholders, kept in each driver's parameter style."""

    __slots__ = ("text", "_pyformat")

    def __init__(self, text: str):
        self.text = text
        self._pyformat = _NAME.sub(r"%(\1)s", text.replace("%", "%%"))

    def for_dialect(self, dialect: str) -> str:
        return self._pyformat if dialect == "postgresql" else self.text


class Plain:
    """Runs Sql statements on one DBAPI connection (the caller's transaction, if any).

    Driver errors come out as SQLAlchemy's (IntegrityError, OperationalError...), and a lost
    connection is invalidated, exactly as if SQLAlchemy had run the statement: the API's 503 for
    a database that restarts and the callers' conflict handling work the same on both paths.
    """

    __slots__ = ("dialect", "_conn", "_sa_dialect", "_session", "_invalidate", "_held", "_info", "memo", "_last_time")

    def __init__(self, dbapi_connection, sa_dialect, session: Session | None = None, invalidate=None, info=None):
        self._conn = dbapi_connection
        self._sa_dialect = sa_dialect
        self.dialect = sa_dialect.name
        self._session = session
        self._invalidate = invalidate
        self._held: list[_Held] | None = None  # writes made with later() while holding()
        self._info = info  # the pooled connection's info: where SQLAlchemy's hook finds a holder
        self.memo: dict[str, Any] = {}  # what a caller read once for the whole transaction (of a session)
        self._last_time: tuple[datetime, Any] | None = None  # time()'s last value and what it gave

    @classmethod
    def of(cls, session: Session) -> "Plain":
        """The write (or read) session's own connection: statements join its transaction."""
        # Keyed to the innermost transaction: SQLAlchemy emits a savepoint's SAVEPOINT only when the
        # nested transaction first asks for its connection, so a savepoint whose statements all went
        # through Plain was never set, and its rollback undid nothing.
        transaction = session.get_nested_transaction() or session.get_transaction()
        kept = session.info.get(_KEY)
        if kept is not None and transaction is not None and kept[0] is transaction:
            return kept[1]  # asked a dozen times per completion: once per transaction is enough
        conn = session.connection()  # begins the transaction (BEGIN IMMEDIATE on SQLite writes) or savepoint
        driver = conn.connection.driver_connection
        root = session.get_transaction()
        # The same object through the transaction's savepoints: what it holds and remembers stays.
        plain = kept[1] if kept is not None and kept[2] is root and kept[1]._conn is driver else None
        if plain is None:
            plain = cls(driver, conn.dialect, session, conn.invalidate, conn.info)
        session.info[_KEY] = (session.get_nested_transaction() or root, plain, root)
        return plain

    @property
    def is_postgresql(self) -> bool:
        return self.dialect == "postgresql"

    def _cursor(self, sql: Sql, params: Mapping[str, Any] | None, many: bool = False):
        self._flush_orm()
        self.send_held()  # a statement that waits for its answer goes after the held ones
        return self._execute(self._conn.cursor(), sql, params, many)

    def _flush_orm(self) -> None:
        # ORM rows added earlier in the transaction come first (autoflush). _is_clean is the test flush()
        # itself makes; new/dirty/deleted built three sets per statement to say the same.
        if self._session is not None and not self._session._is_clean():
            self._session.flush()

    def _execute(self, cur, sql: Sql, params, many: bool):
        text = sql.for_dialect(self.dialect)
        try:
            if many:
                cur.executemany(text, params)
            else:
                cur.execute(text, params or {})
        except self._sa_dialect.loaded_dbapi.Error as exc:
            raise self._error(exc, text, params, cur) from exc
        return cur

    def _error(self, exc, text: str, params, cur) -> DBAPIError:
        """The driver's error as SQLAlchemy's, the connection invalidated if it was lost."""
        lost = self._sa_dialect.is_disconnect(exc, self._conn, cur)
        if lost and self._invalidate is not None:
            self._invalidate(exc)
        return DBAPIError.instance(
            text,
            params,
            exc,
            self._sa_dialect.loaded_dbapi.Error,
            connection_invalidated=lost,
            dialect=self._sa_dialect,
        )

    def rows(self, sql: Sql, params: Mapping[str, Any] | None = None) -> list[tuple]:
        return self._cursor(sql, params).fetchall()

    def first(self, sql: Sql, params: Mapping[str, Any] | None = None) -> tuple | None:
        return self._cursor(sql, params).fetchone()

    def run(self, sql: Sql, params: Mapping[str, Any] | None = None) -> int:
        """Execute a write; return the number of rows it touched."""
        return self._cursor(sql, params).rowcount

    def run_many(self, sql: Sql, rows: Sequence[Mapping[str, Any]]) -> None:
        if rows:
            self._cursor(sql, rows, many=True)

    # -- held writes: many instances' writes in one round trip -----------------------------------
    @contextlib.contextmanager
    def holding(self) -> Iterator[None]:
        """Hold the writes made with ``later`` and send them together, in one pipeline on PostgreSQL.

        They are sent, in the order they were made, before any statement that waits for an answer
        (a read here, any statement through SQLAlchemy: its hook, savepoints included) and at the
        end of the block; a block left by an exception drops them (its transaction rolls back).
        A row count checked by ``later(expect=...)`` raises its error when they are sent.
        """
        if self._held is not None or self._info is None:
            yield  # already holding, or no pooled connection for SQLAlchemy's hook to find this by
            return
        self._held = []
        self._info[_HOLDER] = self
        try:
            yield
            self.send_held()
        finally:
            self._held = None
            self._info.pop(_HOLDER, None)

    def later(
        self, sql: Sql, params: Mapping[str, Any], expect: int | None = None, error: Exception | None = None
    ) -> None:
        """A write whose answer nobody waits for: held while holding(), else run now. With expect,
        raise error unless it touched that many rows."""
        if self._held is None:
            touched = self.run(sql, params)
            if expect is not None and touched != expect:
                raise error or RuntimeError(f"{touched} rows touched, {expect} expected")
            return
        self._flush_orm()  # the ORM's pending rows were made before this write: they go first
        self._held.append(_Held(sql, params, False, expect, error))

    def later_many(self, sql: Sql, rows: Sequence[Mapping[str, Any]]) -> None:
        """run_many, held while holding()."""
        if not rows:
            return
        if self._held is None:
            self.run_many(sql, rows)
            return
        self._flush_orm()
        self._held.append(_Held(sql, rows, True, None, None))

    def send_held(self) -> None:
        """Send the held writes now (in one pipeline on PostgreSQL) and check their row counts."""
        held = self._held
        if not held:
            return
        self._held = []
        pipeline = self._conn.pipeline() if self.is_postgresql else contextlib.nullcontext()
        try:
            with pipeline:  # the errors of a pipeline come out when it syncs, at the block's end
                sent = [(self._execute(self._conn.cursor(), h.sql, h.params, h.many), h) for h in held]
        except self._sa_dialect.loaded_dbapi.Error as exc:
            raise self._error(exc, "; ".join(h.sql.text for h in held[:3]), None, None) from exc
        for cur, h in sent:
            if h.expect is not None and cur.rowcount != h.expect:
                raise h.error or RuntimeError(f"{cur.rowcount} rows touched, {h.expect} expected")

    # -- values ------------------------------------------------------------------------------
    def time(self, value: datetime | None):
        """An aware datetime as the column stores it."""
        if value is None:
            return None
        last = self._last_time
        if last is not None and last[0] is value:  # a step stores its one `now` a dozen times
            return last[1]
        if value.tzinfo is None:
            raise ValueError("naive datetime stored; use the app clock (aware UTC)")
        utc = value.astimezone(timezone.utc)
        stored = utc if self.is_postgresql else utc.strftime(_SQLITE_TIME)
        self._last_time = (value, stored)
        return stored

    @staticmethod
    def json(value: Any) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class _Held(NamedTuple):
    sql: Sql
    params: Any
    many: bool
    expect: int | None
    error: Exception | None


def send_held_before(conn, cursor, statement, parameters, context, executemany) -> None:
    """SQLAlchemy's before_cursor_execute hook (app/db.py): a holder's writes go before the statement."""
    holder = conn.info.get(_HOLDER)
    if holder is not None:
        holder.send_held()


def read_time(value: datetime | str | None) -> datetime | None:
    """A datetime column's value as an aware UTC datetime (SQLite hands back text)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def column_list(names: Iterable[str]) -> str:
    """``a, b, c`` for a statement written from a list of columns."""
    return ", ".join(names)


def insert_sql(table: str, columns: Iterable[str]) -> Sql:
    """``INSERT INTO table (a, b) VALUES (:a, :b)``: each column bound by its own name."""
    names = list(columns)
    return Sql(f"INSERT INTO {table} ({column_list(names)}) VALUES ({column_list(':' + n for n in names)})")


def update_sql(table: str, columns: Iterable[str], key: str) -> Sql:
    """``UPDATE table SET a = :a, b = :b WHERE key = :key``."""
    return Sql(f"UPDATE {table} SET {column_list(f'{n} = :{n}' for n in columns)} WHERE {key} = :{key}")
