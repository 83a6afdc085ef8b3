"""The one write path of a step: what saving an instance after the engine ran writes, in order.

Start, complete (by a person or on someone's behalf), fired timers and migration all end in
``write_step``, inside the caller's write transaction. Everything a step changes is listed here,
in the order it is written:

1. state         the instance row, under its optimistic lock (a start or a migration wrote it already)
2. projection    human_task, timer and complaint rows follow the state; each new deadline is marked
                 provisional when it depends on a year without an official calendar (SLA marks)
3. branch effects notifications, outage links, repeats, compensation, appeal outcomes
4. roll-ups      the dashboard's daily counts, of the complaint as the effects left it
5. audit         what the caller did (and what that decides, e.g. a 督办 extension), then what the
                 engine ran, withdrew and raised
6. idempotency   the key of the API request this write answers, if there is one

No session-event listener adds to this list: a reader finds every write of a step here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, NamedTuple

from sqlalchemy.orm import Session

from ...domain.group_aliases import group_assignment
from ...engine import Instance
from ..audit.log import AuditLog, appended_mark
from ..runtime import Runtime
from . import branch_effects, idempotency, print_log, projection, rollups as report_rollups, sla_marks
from .state import save_state


@dataclass
class Step:
    """One saved step of an instance: the engine object after the run and what the caller knows."""

    instance_id: int
    inst: Instance
    now: datetime
    expected_version: int | None = None  # None: the caller already wrote the row (a start, a migration)
    submitted: dict[str, Any] = field(default_factory=dict)  # what a person (or a form on their behalf) sent
    fired_task_ids: set[str] = field(default_factory=set)  # timers this run fired
    has_complaint: bool | None = None  # False spares the complaint's statements; None: look
    resource: str | None = None  # what an idempotent request made ("instance:7", "complaint:3")
    state: bytes | None = None  # inst's state from state.prepare_save, serialized before the transaction
    known: projection.Known | None = None  # rows the caller read for several instances at once


class Written(NamedTuple):
    changes: projection.Changes  # the tasks and timers the projection created, withdrew, fired
    state: bytes | None  # the state saved (None when the caller wrote the row)


def write_step(s: Session, rt: Runtime, step: Step, audit: Callable[[AuditLog, projection.Changes], None]) -> Written:
    """Write everything one step changes, in the order of the module docstring.

    ``audit`` appends the caller's own events (task.completed, timer.fired...) to the instance's chain,
    and what those events decide (a 督办 extension moves the watched step's deadline with its event).
    """
    iid, inst = step.instance_id, step.inst
    state = None
    if step.expected_version is not None:
        state = save_state(s, iid, step.expected_version, inst, step.now, step.state)  # 1. state
    known = step.known
    # The projection reads the audit chain's head too (or the caller knew it): the audit below uses it.
    mark = known.audit_mark if known is not None and known.audit_head is not None else appended_mark(s)
    changes = projection.sync(
        s,
        iid,
        inst,
        step.now,
        step.fired_task_ids,
        submitted=step.submitted,  # 2. projection
        has_complaint=step.has_complaint,
        provisional=sla_marks.marker(rt, inst.bundle),
        assignment=functools.partial(group_assignment, rt.settings.get("GROUP_ALIASES")),
        known=step.known,
    )
    print_log.record(s, rt, iid, inst.take_printed(), step.now)  # the instance's own log, bounded
    done = branch_effects.new_steps(inst)
    branch_effects.apply(s, rt, iid, inst, step.now, step.submitted, done)  # 3. branch effects
    has_complaint = step.known.has_complaint if step.known is not None else step.has_complaint
    if has_complaint is not False and done:
        report_rollups.after_steps(s, iid, [st.task_id for st in done])  # 4. roll-ups
    log = AuditLog(s, iid, held=True, head=changes.audit_head, mark=mark)
    audit(log, changes)  # 5. audit
    log.send()  # the step's events in one statement
    idempotency.record(s, step.resource)  # 6. idempotency
    return Written(changes, state)
