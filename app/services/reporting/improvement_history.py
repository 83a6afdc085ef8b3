"""An improvement action's history: append-only events chained by SHA-256 per action (the audit trail's hash,
services/audit/log.event_hash), written in the transaction of the change, and their check."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...domain.actors import Actor
from ...models import ImprovementAction, ImprovementActionEvent
from ..audit.log import GENESIS, event_hash


def _fields(e: ImprovementActionEvent) -> dict[str, Any]:
    return {
        "action_id": e.action_id,
        "seq": e.seq,
        "at": e.at.isoformat(),
        "actor_id": e.actor_id,
        "actor": e.actor,
        "type": e.type,
        "reason": e.reason,
        "data_before": e.data_before,
        "data_after": e.data_after,
    }


def record(
    s: Session,
    action: ImprovementAction,
    type: str,
    actor: Actor,
    at: datetime,
    *,
    before: dict | None = None,
    after: dict | None = None,
    reason: str | None = None,
) -> None:
    """Append one event to the action's chain (the caller holds the write transaction and the action's row)."""
    last = s.execute(
        select(ImprovementActionEvent.seq, ImprovementActionEvent.hash)
        .where(ImprovementActionEvent.action_id == action.id)
        .order_by(ImprovementActionEvent.seq.desc())
        .limit(1)
    ).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    e = ImprovementActionEvent(
        action_id=action.id,
        seq=seq,
        at=at,
        actor_id=actor.id,
        actor=actor.name,
        type=type,
        reason=reason,
        data_before=before,
        data_after=after,
        prev_hash=prev,
    )
    e.hash = event_hash(prev, _fields(e))
    s.add(e)
    s.flush()


def events(s: Session, action_id: int) -> list[ImprovementActionEvent]:
    return list(
        s.scalars(
            select(ImprovementActionEvent)
            .where(ImprovementActionEvent.action_id == action_id)
            .order_by(ImprovementActionEvent.seq)
        )
    )


def verify(s: Session, action_id: int) -> dict[str, Any]:
    """Re-check the chain; name the first event whose hash or link does not hold."""
    prev = GENESIS
    rows = events(s, action_id)
    for e in rows:
        if e.prev_hash != prev or event_hash(prev, _fields(e)) != e.hash:
            return {"ok": False, "checked": len(rows), "first_broken_seq": e.seq}
        prev = e.hash
    return {"ok": True, "checked": len(rows), "first_broken_seq": None}
