"""The due clock of improvement actions, watched by the scheduler: WARN_DAYS before the due date ends the owner
hears it is due soon; once it has passed, the owner hears it is overdue and the action is 督办 (supervised):
whoever assigned it and the supervisors (``improvement.supervised``) hear it too.

Each notice goes out once: the tick claims an action by setting ``warned_at`` / ``escalated_at`` with an UPDATE
that only succeeds while the mark is empty (a second scheduler's UPDATE finds it set and does nothing), and the
notices are keyed by action, due date and kind. A new due date clears the marks, so its clock runs again.
"""

from __future__ import annotations

from sqlalchemy import select, update

from ...domain.actors import SYSTEM
from ...domain.improvement import CLOCK_RUNS
from ...models import ImprovementAction
from ..notifications import staff
from ..runtime import Runtime
from . import improvement_history as history


def watch_due(rt: Runtime) -> dict[str, int]:
    """Send the due-soon and overdue notices that came due; return how many actions each went out for."""
    now = rt.clock.now()
    a = ImprovementAction
    out = {"due_soon": 0, "overdue": 0}
    with rt.db.write() as s:
        for kind, mark, at in (("due_soon", a.warned_at, a.warn_at), ("overdue", a.escalated_at, a.due_at)):
            ids = s.scalars(
                select(a.id).where(a.status.in_(sorted(CLOCK_RUNS)), at <= now, mark.is_(None)).order_by(a.id)
            ).all()
            for action_id in ids:
                claimed = s.execute(
                    update(a)
                    .where(a.id == action_id, mark.is_(None), a.status.in_(sorted(CLOCK_RUNS)))
                    .values({mark.key: now})
                    .execution_options(synchronize_session=False)
                ).rowcount
                if not claimed:
                    continue  # another scheduler took it
                action = s.get(a, action_id)
                assert action is not None
                s.refresh(action)
                _announce(s, action, kind, now)
                out[kind] += 1
    return out


def _announce(s, action: ImprovementAction, kind: str, now) -> None:
    key = f"improvement:{action.id}:{action.due_date.isoformat()}:{kind}"
    data = {"title": action.title, "category": action.category, "due_date": action.due_date.isoformat()}
    common = {"url_kind": "improvement_action", "ref": str(action.id), "data": data}
    staff.notify(s, [action.owner_id], f"improvement.{kind}", key, now, **common)
    if kind == "overdue":
        # 督办: the one who assigned it and the supervisors urge the owner
        urged = {action.assigned_by_id, *staff.holders_of(s, "improvement.supervised")} - {action.owner_id}
        staff.notify(s, urged, "improvement.supervised", key + ":supervised", now, **common)
    history.record(
        s,
        action,
        "action.due_soon" if kind == "due_soon" else "action.supervised",
        SYSTEM,
        now,
        after={"due_date": action.due_date.isoformat(), "owner_id": action.owner_id},
    )
