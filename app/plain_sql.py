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

import json
import re
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping, Sequence

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

_NAME = re.compile(r"(?<![:\w]):(\w+)")
_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"  # SQLAlchemy's DATETIME storage format on SQLite
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

    __slots__ = ("dialect", "_conn", "_sa_dialect", "_session", "_invalidate")

    def __init__(self, dbapi_connection, sa_dialect, session: Session | None = None, invalidate=None):
        self._conn = dbapi_connection
        self._sa_dialect = sa_dialect
        self.dialect = sa_dialect.name
        self._session = session
        self._invalidate = invalidate

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
        plain = kept[1] if kept is not None and kept[1]._conn is driver else None
        if plain is None:
            plain = cls(driver, conn.dialect, session, conn.invalidate)
        session.info[_KEY] = (session.get_nested_transaction() or session.get_transaction(), plain)
        return plain

    @property
    def is_postgresql(self) -> bool:
        return self.dialect == "postgresql"

    def _cursor(self, sql: Sql, params: Mapping[str, Any] | None, many: bool = False):
        if self._session is not None and (self._session.new or self._session.dirty or self._session.deleted):
            self._session.flush()  # ORM rows added earlier in the transaction come first (autoflush)
        text = sql.for_dialect(self.dialect)
        cur = self._conn.cursor()
        try:
            if many:
                cur.executemany(text, params)
            else:
                cur.execute(text, params or {})
        except self._sa_dialect.loaded_dbapi.Error as exc:
            lost = self._sa_dialect.is_disconnect(exc, self._conn, cur)
            if lost and self._invalidate is not None:
                self._invalidate(exc)
            raise DBAPIError.instance(
                text,
                params,
                exc,
                self._sa_dialect.loaded_dbapi.Error,
                connection_invalidated=lost,
                dialect=self._sa_dialect,
            ) from exc
        return cur

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

    # -- values ------------------------------------------------------------------------------
    def time(self, value: datetime | None):
        """An aware datetime as the column stores it."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored; use the app clock (aware UTC)")
        utc = value.astimezone(timezone.utc)
        return utc if self.is_postgresql else utc.strftime(_SQLITE_TIME)

    @staticmethod
    def json(value: Any) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


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
