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


def prepare_save(inst: Instance) -> bytes:
    """Serialize the state, and find what the projection reads, before the write transaction; return the state.

    On SQLite the write transaction holds the database's one write lock, and a second worker's write
    waits for it in the busy handler's sleeps: a step's CPU work done inside it (serializing and
    compressing the state, walking the task tree for ready tasks and timers) was half the time the
    lock was held. The caller must not touch the engine object between this and the save.
    """
    inst.ready_tasks(), inst.waiting_timers(), inst.completed  # memoized on the object for the projection
    return inst.dump()


def save_state(
    s: Session, row_id: int, expected_version: int, inst: Instance, now, state: bytes | None = None
) -> bytes:
    """Write the new state if nobody else did since it was read, else raise Conflict; return the state.

    state: what prepare_save returned for inst, when the caller serialized it before the transaction.
    """
    db = Plain.of(s)
    if state is None:
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
