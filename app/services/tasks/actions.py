"""What people do to a task besides completing it: transfer, return, urge, notes, contact attempts.

Each is one write transaction that changes the task's projection row (never the workflow state:
the engine's task stays where it is, only who may work it changes) and appends an audit event.
Where the domain asks for it, a reason is mandatory: a transfer, a return to the dispatcher
(退单) and an urge (催办) must say why; a note is its own text.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from ...domain.whole_numbers import whole_number
from ...domain import policy, transfer_rules
from ...errors import Conflict, Forbidden, Invalid, NotFound
from ...models import Complaint, Group, HumanTask, User
from ..steps import rollups as report_rollups
from ..audit.log import AuditLog
from ..runtime import Runtime
from ...domain.actors import Viewer
from .work import _may_see, _may_work, task_summary
from ..accounts.visibility import may_view_instance

HANDLER_PREFIX = policy.HANDLER_PREFIX
MAX_REASON = 1000
CONTACT_METHODS = ("phone", "sms", "email", "wechat", "visit")
CONTACT_RESULTS = ("reached", "no_answer", "busy", "unreachable", "refused", "wrong_number")


def require_text(value: Any, field: str = "reason") -> str:
    """A non-blank reason of bounded length, or Invalid naming the field."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise Invalid(
            f"a {field} is required", [{"field": field, "message": "必填 / required", "code": "field.required"}]
        )
    if len(text) > MAX_REASON:
        raise Invalid(
            f"the {field} is too long",
            [
                {
                    "field": field,
                    "message": f"at most {MAX_REASON} characters",
                    "code": "field.too_long",
                    "params": {"n": MAX_REASON},
                }
            ],
        )
    return text


def _ready_task(s, viewer: Viewer, task_id: str) -> HumanTask:
    t = s.get(HumanTask, task_id)
    if t is None or not _may_see(viewer, t):
        raise NotFound(f"task {task_id} does not exist", code="task.not_found")  # never confirm another group's task
    if t.state != "ready":
        raise Conflict(f"the task is already {t.state}", code="task.closed")
    return t


def _readable_task(s, viewer: Viewer, task_id: str, ready: bool = True) -> HumanTask:
    """A task the viewer may read (policy.may_read_task): notes and contact attempts need no less."""
    t = s.get(HumanTask, task_id)
    if t is None or not _may_see(viewer, t):
        raise NotFound(f"task {task_id} does not exist", code="task.not_found")  # never confirm another group's task
    if ready and t.state != "ready":
        raise Conflict(f"the task is already {t.state}", code="task.closed")
    return t


def _followed_task(rt: Runtime, s, viewer: Viewer, task_id: str) -> HumanTask:
    """A ready task of a complaint the viewer follows: urging presses whoever holds it without reading its work
    (the first responder urges from the complaint page, 首问负责制)."""
    t = s.get(HumanTask, task_id)
    if t is None or not (_may_see(viewer, t) or may_view_instance(rt, viewer, t.instance_id)):
        raise NotFound(f"task {task_id} does not exist", code="task.not_found")
    if t.state != "ready":
        raise Conflict(f"the task is already {t.state}", code="task.closed")
    return t


def _may_act(viewer: Viewer, t: HumanTask) -> bool:
    return policy.may_act_on_task(viewer.id, viewer.groups, policy.seat_of(t))


def _log(
    s,
    t: HumanTask,
    viewer: Viewer,
    now,
    type_: str,
    reason: str | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> None:
    AuditLog(s, t.instance_id).append(
        type_,
        at=now,
        actor=viewer.name,
        actor_id=viewer.id,
        task_id=t.id,
        element_id=t.element_id,
        element_name=t.name,
        reason=reason,
        before=before,
        after=after,
    )


def _who(t: HumanTask) -> dict[str, Any]:
    return {"candidate_group": t.candidate_group, "assignee_id": t.assignee_id}


def _step_groups(s, t: HumanTask) -> set[str]:
    """The groups that can work the task's step (domain.transfer_rules)."""
    rows = s.execute(select(Group.code, Group.name_zh, Group.name_en)).all()
    by_name = {name: code for code, zh, en in rows for name in (code, zh, en)}
    lane_group = by_name.get(t.lane) if t.lane else None
    return transfer_rules.step_groups(lane_group, t.candidate_group, [r[0] for r in rows])


def transfer_targets(rt: Runtime, viewer: Viewer, task_id: str) -> dict[str, Any]:
    """Whom a ready task may be transferred to: the groups that work its step and their active members."""
    with rt.db.read() as s:
        t = _ready_task(s, viewer, task_id)
        groups = _step_groups(s, t)
        users = [
            {"id": u.id, "username": u.username, "display_name": u.display_name, "groups": sorted(u.group_codes)}
            for u in s.scalars(select(User).where(User.active.is_(True)).order_by(User.username))
            if transfer_rules.may_receive(u.group_codes, groups) and u.id != t.assignee_id
        ]
    return {"task_id": task_id, "groups": sorted(groups), "users": users}


def transfer_task(
    rt: Runtime, viewer: Viewer, task_id: str, *, reason: Any, to_user: Any = None, to_group: Any = None
) -> dict[str, Any]:
    """转派: hand a ready task to another person (who then holds it) or another group (unclaimed)."""
    reason = require_text(reason)
    if bool(to_user) == bool(to_group):
        raise Invalid(
            "name one target",
            [{"field": "to", "message": "choose a person or a group (one of them)", "code": "transfer.one_target"}],
        )
    now = rt.clock.now()
    with rt.db.write() as s:
        t = _ready_task(s, viewer, task_id)
        if not _may_act(viewer, t):
            raise Forbidden(
                "only the task's holder, its group or a supervisor may transfer it", code="transfer.not_allowed"
            )
        before = _who(t)
        if to_user:
            q = select(User).where(User.active.is_(True))
            number = whole_number(str(to_user))
            q = q.where(User.id == number) if number is not None else q.where(User.username == str(to_user))
            user = s.scalars(q).first()
            if user is None:
                raise Invalid(
                    "unknown user",
                    [{"field": "to_user", "message": "no such active user", "code": "transfer.unknown_user"}],
                )
            if user.id == t.assignee_id:
                raise Conflict("the task is already theirs", code="transfer.already_theirs")
            if not transfer_rules.may_receive(user.group_codes, _step_groups(s, t)):
                raise Invalid(
                    "this person cannot work this step",
                    [
                        {
                            "field": "to_user",
                            "message": f"{user.display_name} is in none of the groups that work "
                            f"{t.name}: {', '.join(sorted(_step_groups(s, t)))}",
                            "code": "transfer.person_not_in_step",
                            "params": {"name": user.display_name, "step": t.name},
                        }
                    ],
                )
            values = {"assignee_id": user.id}
            after = {"candidate_group": t.candidate_group, "assignee_id": user.id, "assignee": user.username}
        else:
            if s.scalar(select(Group.id).where(Group.code == str(to_group))) is None:
                raise Invalid(
                    "unknown group",
                    [{"field": "to_group", "message": "no such group", "code": "transfer.unknown_group"}],
                )
            if str(to_group) not in _step_groups(s, t):
                raise Invalid(
                    "this group does not work this step",
                    [
                        {
                            "field": "to_group",
                            "message": f"{to_group} does not work {t.name}",
                            "code": "transfer.group_not_in_step",
                            "params": {"group": str(to_group), "step": t.name},
                        }
                    ],
                )
            if to_group == t.candidate_group and t.assignee_id is None:
                raise Conflict("the task already waits in that group", code="transfer.already_in_group")
            values = {"candidate_group": str(to_group), "assignee_id": None}
            after = {"candidate_group": str(to_group), "assignee_id": None}
        _guarded_update(s, t, values)
        _count_passed_on(s, t.instance_id, Complaint.transfer_count)
        _log(s, t, viewer, now, "task.transferred", reason, before, after)
        if to_group and str(to_group).startswith(HANDLER_PREFIX):
            _follow_department(s, t.instance_id, str(to_group).removeprefix(HANDLER_PREFIX))
        s.refresh(t)
        return task_summary(rt, t)


def _follow_department(s, instance_id: int, department: str) -> None:
    """The complaint belongs to the department now handling it: search, reports and the dashboard say so.

    Only the projection moves (the engine's data keeps the dispatcher's choice): a transfer or a
    re-dispatch after 退单 changes who handles this round, and the complaint row is what managers read.
    """
    changed = s.execute(
        update(Complaint)
        .where(Complaint.instance_id == instance_id, Complaint.department.is_distinct_from(department))
        .values(department=department)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount:
        report_rollups.complaint_changed(s, instance_id)


def _count_passed_on(s, instance_id: int, column) -> None:
    """One more transfer or return on the complaint, in the action's transaction: first-contact resolution
    (domain/metrics.first_contact_resolved) and the satisfaction analysis read the count, not the audit trail."""
    s.execute(
        update(Complaint)
        .where(Complaint.instance_id == instance_id)
        .values({column: column + 1})
        .execution_options(synchronize_session=False)
    )


def _guarded_update(s, t: HumanTask, values: dict[str, Any]) -> None:
    """Change the row only if it is still as read: a concurrent claim or completion wins cleanly."""
    group = (
        HumanTask.candidate_group.is_(None)
        if t.candidate_group is None
        else HumanTask.candidate_group == t.candidate_group
    )
    holder = HumanTask.assignee_id.is_(None) if t.assignee_id is None else HumanTask.assignee_id == t.assignee_id
    result = s.execute(
        update(HumanTask).where(HumanTask.id == t.id, HumanTask.state == "ready", group, holder).values(**values)
    )
    if result.rowcount != 1:
        raise Conflict("the task changed meanwhile; reload and try again", code="task.changed")


def return_task(rt: Runtime, viewer: Viewer, task_id: str, *, reason: Any) -> dict[str, Any]:
    """退单: a handling department sends a task back to the dispatchers (wrong department, missing facts)."""
    reason = require_text(reason)
    now = rt.clock.now()
    with rt.db.write() as s:
        t = _ready_task(s, viewer, task_id)
        if not (t.candidate_group or "").startswith(HANDLER_PREFIX):
            raise Conflict(
                "only a handling department's task can be returned to the dispatchers", code="return.not_handler_task"
            )
        if not _may_act(viewer, t):
            raise Forbidden("only the task's holder or its department may return it", code="return.not_allowed")
        before = _who(t)
        _guarded_update(s, t, {"candidate_group": "dispatcher", "assignee_id": None})
        _count_passed_on(s, t.instance_id, Complaint.return_count)
        _log(s, t, viewer, now, "task.returned", reason, before, {"candidate_group": "dispatcher", "assignee_id": None})
        s.refresh(t)
        return task_summary(rt, t)


def urge_task(rt: Runtime, viewer: Viewer, task_id: str, *, reason: Any) -> dict[str, Any]:
    """催办: the first responder (agent) or a supervisor presses whoever holds a task; it rises in priority."""
    reason = require_text(reason)
    if not viewer.can("task.urge"):
        raise Forbidden("only agents (first responders) and supervisors urge", code="urge.not_allowed")
    now = rt.clock.now()
    with rt.db.write() as s:
        t = _followed_task(rt, s, viewer, task_id)
        if t.assignee_id == viewer.id:
            raise Conflict("you hold this task yourself", code="urge.own_task")
        s.execute(update(HumanTask).where(HumanTask.id == t.id).values(priority=HumanTask.priority + 1))
        _log(s, t, viewer, now, "task.urged", reason, {"priority": t.priority}, {"priority": t.priority + 1})
        s.refresh(t)
        return task_summary(rt, t)


def add_note(rt: Runtime, viewer: Viewer, task_id: str, *, text: Any) -> dict[str, Any]:
    """Add a note to the complaint's record from one of its tasks (any state) that the viewer may see."""
    text = require_text(text, "text")
    now = rt.clock.now()
    with rt.db.write() as s:
        t = _readable_task(s, viewer, task_id, ready=False)
        _log(s, t, viewer, now, "note.added", text)
        return {"task_id": t.id, "instance_id": t.instance_id, "at": now.isoformat(), "text": text}


def record_contact_attempt(
    rt: Runtime, viewer: Viewer, task_id: str, *, method: Any, result: Any, note: Any = None
) -> dict[str, Any]:
    """Record a try to reach the customer (how, and whether they were reached)."""
    errors = []
    if method not in CONTACT_METHODS:
        errors.append({"field": "method", "message": f"one of {', '.join(CONTACT_METHODS)}", "code": "field.choose"})
    if result not in CONTACT_RESULTS:
        errors.append({"field": "result", "message": f"one of {', '.join(CONTACT_RESULTS)}", "code": "field.choose"})
    if note is not None and not isinstance(note, str):
        errors.append({"field": "note", "message": "must be text", "code": "field.text"})
    if errors:
        raise Invalid("the contact attempt is incomplete", errors)
    note = (note or "").strip()[:MAX_REASON] or None
    now = rt.clock.now()
    with rt.db.write() as s:
        t = _readable_task(s, viewer, task_id)
        if not (_may_work(viewer, t) or viewer.can("task.contact_any")):
            raise Forbidden("only those working the complaint record contact attempts", code="contact.not_allowed")
        attempt = {"method": method, "result": result}
        _log(s, t, viewer, now, "contact.attempted", note, None, attempt)
        return {"task_id": t.id, "instance_id": t.instance_id, "at": now.isoformat(), **attempt, "note": note}
