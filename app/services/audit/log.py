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

    def ended(session, transaction) -> None:
        if transaction.parent is None:  # after the commit's hooks (metrics) have read it
            session.info.pop(APPENDED, None)

    db.listen_writes("after_soft_rollback", rolled_back)
    db.listen_writes("after_transaction_end", ended)


class AuditLog:
    """Appends events to one instance's chain within the caller's transaction."""

    def __init__(self, session: Session, instance_id: int):
        self.session = session
        self.instance_id = instance_id
        self._db = Plain.of(session)
        if self._db.is_postgresql:
            # Serialize appends per instance: the chain needs the previous hash.
            self._db.first(_LOCK_INSTANCE, {"iid": instance_id})
        last = self._db.first(_LAST_EVENT, {"iid": instance_id})
        # The column holds the digest's 32 bytes; the chain is computed over its hex.
        self._seq, self._hash = (last[0], bytes(last[1]).hex()) if last else (0, GENESIS)

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
        db.run(
            _INSERT_EVENT,
            {
                **fields,
                "at": db.time(at),
                "data_before": db.json(before),
                "data_after": db.json(after),
                "prev_hash": bytes.fromhex(self._hash),
                "hash": bytes.fromhex(digest),
            },
        )
        self._hash = digest
        self.session.info.setdefault(APPENDED, []).append(
            Appended(type, at, element_id, after, self.session.get_nested_transaction())
        )
        return digest


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
