"""A service incident's row: opened inside the write that saves the failed step, and its JSON view.

Below service_incidents (which retries them) and store (whose start opens them), so that both use it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...domain.actors import Actor
from ...engine import Instance, ServiceFailed
from ...models import ServiceIncident
from ..audit.log import AuditLog


def view(row: ServiceIncident) -> dict[str, Any]:
    return {
        "id": row.id,
        "instance_id": row.instance_id,
        "element_id": row.element_id,
        "element_name": row.element_name,
        "connector": row.connector,
        "status": row.status,
        "attempts": row.attempts,
        "error": row.last_error,
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "updated_at": row.updated_at.isoformat() if row.updated_at else None,
        "resolved_at": row.resolved_at.isoformat() if row.resolved_at else None,
    }


def open_incidents(
    s: Session, log: AuditLog, instance_id: int, inst: Instance, failure: ServiceFailed, actor: Actor, now: datetime
) -> list[ServiceIncident]:
    """Record each service task of the instance that waits in error (inside the caller's write)."""
    known = set(
        s.scalars(
            select(ServiceIncident.task_id).where(
                ServiceIncident.instance_id == instance_id, ServiceIncident.status == "open"
            )
        )
    )
    rows = []
    for failed in inst.failed_services():
        if failed.task_id in known:
            continue
        row = ServiceIncident(
            instance_id=instance_id,
            task_id=failed.task_id,
            element_id=failed.element_id,
            element_name=failed.name,
            connector=failure.operator if failed.element_id == failure.element_id else "",
            status="open",
            attempts=1,
            last_error=str(failure)[:4000],
            created_at=now,
            updated_at=now,
        )
        s.add(row)
        rows.append(row)
        log.append(
            "incident.opened",
            at=now,
            actor=actor.name,
            actor_id=actor.id,
            element_id=failed.element_id,
            element_name=failed.name,
            reason=row.last_error,
            after={"connector": row.connector},
        )
    s.flush()
    return rows
