"""The audit trail: append-only events, chained by SHA-256 per instance, and their check."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import AuditEvent
from ...plain_sql import Plain, Sql

GENESIS = "0" * 64


def event_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """Hash an event's fields together with the previous event's hash."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def _fields(e: AuditEvent) -> dict[str, Any]:
    return {
        "instance_id": e.instance_id,
        "seq": e.seq,
        "at": e.at.isoformat(),
        "actor_id": e.actor_id,
        "actor": e.actor,
        "type": e.type,
        "task_id": e.task_id,
        "element_id": e.element_id,
        "element_name": e.element_name,
        "reason": e.reason,
        "data_before": e.data_before,
        "data_after": e.data_after,
    }


# Plain SQL (app/plain_sql.py): every completion appends here, through the ORM it cost a flush.
_LOCK_INSTANCE = Sql("SELECT id FROM process_instance WHERE id = :iid FOR UPDATE")
_LAST_EVENT = Sql("SELECT seq, hash FROM audit_event WHERE instance_id = :iid ORDER BY seq DESC LIMIT 1")
_INSERT_EVENT = Sql(
    "INSERT INTO audit_event (instance_id, seq, at, actor_id, actor, type, task_id, element_id, element_name,"
    " reason, data_before, data_after, prev_hash, hash) VALUES (:instance_id, :seq, :at, :actor_id, :actor, :type,"
    " :task_id, :element_id, :element_name, :reason, :data_before, :data_after, :prev_hash, :hash)"
)

# session.info key: the events appended in the transaction, for the metrics' after-commit hook, each with the savepoint it was written in so a rolled-back one drops them.
APPENDED = "complaintflow_audit_appended"
_HEADS = "complaintflow_audit_heads"  # session.info: (transaction, {instance_id: (seq, hex hash)})
_UNSENT = "complaintflow_audit_unsent"  # session.info: the held AuditLogs with rows not inserted yet


@dataclass(frozen=True)
class Appended:
    """An event appended in the current transaction, as hooks read it."""

    type: str
    at: datetime
    element_id: str | None
    data_after: dict | None
    savepoint: Any  # the SessionTransaction of the savepoint it was written in, or None


def appended(session: Session) -> list[Appended]:
    """The events appended in the session's current transaction and still standing."""
    return session.info.get(APPENDED, [])


def keep_appended_true(db) -> None:
    """Keep each write session's list of appended events true to what will be committed (metrics reads it)."""

    def rolled_back(session, previous_transaction) -> None:
        if previous_transaction.nested:  # a savepoint's events go, the outer transaction's stay
            session.info[APPENDED] = [e for e in appended(session) if e.savepoint is not previous_transaction]
        else:
            session.info.pop(APPENDED, None)
        _forget_unsent(session, previous_transaction)

    def ended(session, transaction) -> None:
        if transaction.parent is None:  # after the commit's hooks (metrics) have read it
            session.info.pop(APPENDED, None)
            _forget_unsent(session, transaction)

    db.listen_writes("after_soft_rollback", rolled_back)
    db.listen_writes("after_transaction_end", ended)
    db.listen_writes("before_commit", send_held)  # a safety net: write_step sends its own


def appended_mark(session: Session) -> int | None:
    """A mark to take before reading a chain head from the database, for an AuditLog opened later (head=...).

    The head read stays true while the mark does: every append through an AuditLog adds to the
    session's appended events, and a rolled-back savepoint takes its events off the list as it takes
    their rows out of the database. None when held rows are not yet sent: the database lags behind.
    """
    if session.info.get(_UNSENT):
        return None
    return len(appended(session))


def send_held(session: Session) -> None:
    """Insert the rows every held AuditLog of the session still holds."""
    for log in session.info.pop(_UNSENT, []):
        log.send()


class AuditLog:
    """Appends events to one instance's chain within the caller's transaction.

    held=True (the write path) keeps the events' rows until ``send()``, which inserts them in one
    statement (one round trip to PostgreSQL for a step's three or four events); opening another
    AuditLog in the session sends them first, so no reader of a head from the database misses one.
    """

    def __init__(
        self,
        session: Session,
        instance_id: int,
        held: bool = False,
        head: tuple[int, str] | None = None,
        mark: int | None = None,
    ):
        """head: the chain's head (seq, hex hash) as the caller read it in this transaction, after
        taking ``mark`` (appended_mark), with the instance's row written or locked by the transaction
        (on PostgreSQL, nobody else can append to the chain until it ends); used, and the read spared,
        only if nothing was appended in the session since the mark. Without them the head is read here."""
        self.session = session
        self.instance_id = instance_id
        self._db = Plain.of(session)
        self._held = held
        self._rows: list[dict[str, Any]] = []
        self._since: Any = None  # the (nested) transaction the first held row was appended in
        send_held(session)
        known = _known_heads(session).get(instance_id)
        if known is None and mark is not None and mark == len(appended(session)):
            known = head
        head = known
        if head is None:
            if self._db.is_postgresql:
                # Serialize appends per instance: the chain needs the previous hash.
                self._db.first(_LOCK_INSTANCE, {"iid": instance_id})
            last = self._db.first(_LAST_EVENT, {"iid": instance_id})
            # The column holds the digest's 32 bytes; the chain is computed over its hex.
            head = (last[0], bytes(last[1]).hex()) if last else (0, GENESIS)
        self._seq, self._hash = head

    def append(
        self,
        type: str,
        *,
        at: datetime,
        actor: str,
        actor_id: int | None = None,
        task_id: str | None = None,
        element_id: str | None = None,
        element_name: str | None = None,
        reason: str | None = None,
        before: dict | None = None,
        after: dict | None = None,
    ) -> str:
        """Add one event to the chain; return its hash."""
        self._seq += 1
        fields = {
            "instance_id": self.instance_id,
            "seq": self._seq,
            "at": at.isoformat(),
            "actor_id": actor_id,
            "actor": actor,
            "type": type,
            "task_id": task_id,
            "element_id": element_id,
            "element_name": element_name,
            "reason": reason,
            "data_before": before,
            "data_after": after,
        }
        digest = event_hash(self._hash, fields)
        db = self._db
        row = {
            **fields,
            "at": db.time(at),
            "data_before": db.json(before),
            "data_after": db.json(after),
            "prev_hash": bytes.fromhex(self._hash),
            "hash": bytes.fromhex(digest),
        }
        if self._held:
            if not self._rows:
                self._since = self.session.get_nested_transaction() or self.session.get_transaction()
                self.session.info.setdefault(_UNSENT, []).append(self)
            self._rows.append(row)
        else:
            db.run(_INSERT_EVENT, row)
        self._hash = digest
        # Keyed to the innermost transaction now: a savepoint rolled back later forgets it.
        _known_heads(self.session)[self.instance_id] = (self._seq, digest)
        self.session.info.setdefault(APPENDED, []).append(
            Appended(type, at, element_id, after, self.session.get_nested_transaction())
        )
        return digest

    def send(self) -> None:
        """Insert the events held so far (held=True), in one statement."""
        rows, self._rows = self._rows, []
        if rows:
            unsent = self.session.info.get(_UNSENT, [])
            if self in unsent:
                unsent.remove(self)
            self._db.later_many(_INSERT_EVENT, rows)


def _forget_unsent(session: Session, ended) -> None:
    """Drop the held rows of a transaction or savepoint that ended without them (rolled back)."""
    for log in list(session.info.get(_UNSENT, [])):
        if log._since is ended or not ended.nested:
            log._rows = []
            session.info[_UNSENT].remove(log)


def _known_heads(session: Session) -> dict[int, tuple[int, str]]:
    """The chain heads (seq, hex hash) this transaction knows, read again after any savepoint begins or ends.

    They are valid while the innermost transaction is the one that learnt them: a savepoint's
    rollback may have removed the events they point at, so a new one starts with none.
    """
    current = session.get_nested_transaction() or session.get_transaction()
    kept = session.info.get(_HEADS)
    if kept is None or kept[0] is not current:
        kept = (current, {})
        session.info[_HEADS] = kept
    return kept[1]


def read_heads(session: Session, instance_ids: list[int]) -> None:
    """Read the chain heads of several instances in one statement, for the AuditLogs opened next.

    Only for instances whose row this transaction holds locked (the timer claim's FOR UPDATE;
    SQLite's writer lock): nobody else can append to their chains until it ends.
    """
    if not instance_ids:
        return
    heads = _known_heads(session)
    for iid in instance_ids:
        heads.setdefault(iid, (0, GENESIS))
    marks = ", ".join(f":i{n}" for n in range(len(instance_ids)))
    query = Sql(
        "SELECT a.instance_id, a.seq, a.hash FROM audit_event a WHERE a.instance_id IN (" + marks + ")"
        " AND a.seq = (SELECT max(b.seq) FROM audit_event b WHERE b.instance_id = a.instance_id)"
    )
    for iid, seq, digest in Plain.of(session).rows(query, {f"i{n}": v for n, v in enumerate(instance_ids)}):
        heads[iid] = (seq, bytes(digest).hex())


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""


def verify_chain(session: Session, instance_id: int) -> ChainCheck:
    """Recompute an instance's chain and name the first event that does not match."""
    prev = GENESIS
    count = 0
    expected_seq = 1
    for e in session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.seq)):
        count += 1
        if e.seq != expected_seq:
            return ChainCheck(False, count, expected_seq, f"event {expected_seq} is missing")
        if e.prev_hash != prev:
            return ChainCheck(False, count, e.seq, "its link to the previous event is broken")
        if event_hash(prev, _fields(e)) != e.hash:
            return ChainCheck(False, count, e.seq, "its content was changed after it was written")
        prev = e.hash
        expected_seq += 1
    return ChainCheck(True, count)
