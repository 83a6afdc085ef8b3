"""The audit trail: append-only events, chained by SHA-256 per instance, and their check."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from ..models import AuditEvent

GENESIS = "0" * 64


def event_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """Hash an event's fields together with the previous event's hash."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def _fields(e: AuditEvent) -> dict[str, Any]:
    return {
        "instance_id": e.instance_id, "seq": e.seq, "at": e.at.isoformat(), "actor_id": e.actor_id,
        "actor": e.actor, "type": e.type, "task_id": e.task_id, "element_id": e.element_id,
        "element_name": e.element_name, "reason": e.reason, "data_before": e.data_before,
        "data_after": e.data_after,
    }


_LAST_EVENT = (select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.instance_id == bindparam("instance_id"))
               .order_by(AuditEvent.seq.desc()).limit(1))


class AuditLog:
    """Appends events to one instance's chain within the caller's transaction."""

    def __init__(self, session: Session, instance_id: int):
        self.session = session
        self.instance_id = instance_id
        if session.bind.dialect.name == "postgresql":
            # Serialize appends per instance: the chain needs the previous hash.
            session.execute(text("SELECT id FROM process_instance WHERE id = :id FOR UPDATE"), {"id": instance_id})
        last = session.execute(_LAST_EVENT, {"instance_id": instance_id}).first()
        self._seq, self._hash = (last[0], last[1]) if last else (0, GENESIS)

    def append(self, type: str, *, at: datetime, actor: str, actor_id: int | None = None,
               task_id: str | None = None, element_id: str | None = None, element_name: str | None = None,
               reason: str | None = None, before: dict | None = None, after: dict | None = None) -> AuditEvent:
        """Add one event to the chain."""
        self._seq += 1
        event = AuditEvent(
            instance_id=self.instance_id, seq=self._seq, at=at, actor_id=actor_id, actor=actor, type=type,
            task_id=task_id, element_id=element_id, element_name=element_name, reason=reason,
            data_before=before, data_after=after, prev_hash=self._hash,
        )
        event.hash = event_hash(self._hash, _fields(event))
        self._hash = event.hash
        self.session.add(event)
        return event


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
