"""An instance's state row: written only if nobody else wrote it since it was read (optimistic lock)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ...engine import Instance
from ...errors import Conflict
from ...plain_sql import Plain, Sql


def status_of(inst: Instance) -> str:
    return "completed" if inst.completed else "running"


# Plain SQL (app/plain_sql.py): every completion and timer firing saves here.
_SAVE_STATE = Sql(
    "UPDATE process_instance SET state = :state, version = :next_version, status = :status, updated_at = :at,"
    " completed_at = :done_at WHERE id = :row_id AND version = :expected"
)


def save_state(s: Session, row_id: int, expected_version: int, inst: Instance, now) -> bytes:
    """Write the new state if nobody else did since it was read, else raise Conflict; return the state."""
    db = Plain.of(s)
    state = inst.dump()
    # Held in a timer batch (Plain.holding): the count is checked when the batch's writes are sent.
    db.later(
        _SAVE_STATE,
        {
            "row_id": row_id,
            "expected": expected_version,
            "state": state,
            "next_version": expected_version + 1,
            "status": status_of(inst),
            "at": db.time(now),
            "done_at": db.time(now) if inst.completed else None,
        },
        expect=1,
        error=Conflict("the instance was changed by someone else; reload and try again", code="task.changed"),
    )
    return state
