"""The instance's own log: what its diagram's scripts printed (print() in the sandbox).

The write path stores the lines a run printed with the step, so a line is kept exactly when the
step it belongs to is. Each instance keeps at most PRINT_LOG_MAX_LINES lines and
PRINT_LOG_MAX_BYTES bytes of text (UTF-8): the first ones, then one line saying the rest was
dropped, so a script printing in a loop cannot fill the database. Auditors and process owners
read it (capability instance.print_log.read) on the instance page and through the API.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...domain.actors import Viewer
from ...errors import Forbidden, NotFound
from ...models import InstanceLog, ProcessInstance
from ..runtime import Runtime

DROPPED = "… (the instance's log is full: further lines are dropped)"
CAPABILITY = "instance.print_log.read"


def limits(rt: Runtime) -> tuple[int, int]:
    return int(rt.settings.get("PRINT_LOG_MAX_LINES", 500)), int(rt.settings.get("PRINT_LOG_MAX_BYTES", 65536))


def record(s: Session, rt: Runtime, instance_id: int, lines: list[tuple[str, str]], now: datetime) -> int:
    """Append the printed lines that fit the instance's bounds; return how many were kept."""
    if not lines:
        return 0
    max_lines, max_bytes = limits(rt)
    count, size, full = s.execute(
        select(
            func.count(InstanceLog.id),
            func.coalesce(func.sum(InstanceLog.size), 0),
            func.count(InstanceLog.id).filter(InstanceLog.text == DROPPED),
        ).where(InstanceLog.instance_id == instance_id)
    ).one()
    if full:
        return 0
    used = int(size)
    kept = 0
    for element_id, text in lines:
        cost = len(text.encode("utf-8"))
        if count + kept + 1 >= max_lines or used + cost > max_bytes:
            s.add(InstanceLog(instance_id=instance_id, at=now, element_id=element_id, text=DROPPED, size=0))
            break
        s.add(InstanceLog(instance_id=instance_id, at=now, element_id=element_id, text=text, size=cost))
        used += cost
        kept += 1
    return kept


def read_log(rt: Runtime, viewer: Viewer, instance_id: int) -> list[dict[str, Any]]:
    """The instance's printed lines, oldest first."""
    if not viewer.can(CAPABILITY):
        raise Forbidden("only auditors and process owners read an instance's log", code="print_log.not_allowed")
    with rt.db.read() as s:
        if s.scalar(select(ProcessInstance.id).where(ProcessInstance.id == instance_id)) is None:  # not its state
            raise NotFound(f"process instance {instance_id} does not exist", code="instance.not_found")
        rows = s.scalars(
            select(InstanceLog).where(InstanceLog.instance_id == instance_id).order_by(InstanceLog.id)
        ).all()
        return [{"at": r.at.isoformat(), "element_id": r.element_id, "text": r.text} for r in rows]
