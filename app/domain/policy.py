"""Who may do what: one table of named capabilities per role and department, and the task rules.

Services enforce these rules and views ask them (to show a button or a menu item); nobody else
writes a group code to decide a permission. A capability names what is allowed, the table says
which groups hold it. docs/security.md explains each row; tests/integration/test_authorization_matrix.py
walks every role through every resource with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

AGENT = "agent"
DISPATCHER = "dispatcher"
SUPERVISOR = "supervisor"
DIRECTOR = "director"
PROCESS_OWNER = "process_owner"
MANAGER = "manager"
HANDLER_PREFIX = "handler_"  # a handling department's group: handler_<department>

_SUPERVISORS = frozenset({SUPERVISOR, DIRECTOR})
_OVERSEERS = _SUPERVISORS | {MANAGER}

# Process owners are deliberately absent from every row that reads complaints or customers: they
# edit diagrams, and what a diagram needs is its shape, never a customer's name or phone.
CAPABILITIES: Mapping[str, frozenset[str]] = {
    # complaints and customers
    "complaint.register": frozenset({AGENT}),  # the first responder registers (首问负责制)
    "complaint.follow_any": frozenset({AGENT}) | _OVERSEERS,  # list and open any complaint (masked unless worked)
    "personal_data.reveal": _OVERSEERS,  # unmask a complaint they do not work, with a logged reason
    # tasks
    "task.oversee": _OVERSEERS,  # read every task, act only where the rules below allow
    "task.supervise": _SUPERVISORS,  # transfer, suspend and resume any task, whoever holds it
    "task.urge": frozenset({AGENT}) | _SUPERVISORS,  # 催办 any task of a complaint they follow, unread
    "task.contact_any": _SUPERVISORS,  # record a contact attempt on a task they read but do not work
    "extension.review_any": _OVERSEERS,  # see every extension request, not only one's own
    "extension.decide": _SUPERVISORS,  # approve or refuse a 延期 request
    "complaint.reassign_owner": _SUPERVISORS,  # hand a complaint to another agent (首问负责制), with a reason
    "timer_incident.manage": _SUPERVISORS,
    "service_incident.manage": _SUPERVISORS,  # see and retry a service task whose connector kept failing
    "notification.read": _OVERSEERS,
    "notification.retry": _SUPERVISORS,
    # branches
    "outage.manage": frozenset({"handler_network"}) | _SUPERVISORS,  # the network operations side and supervisors
    "appeal.register": frozenset({AGENT}) | _SUPERVISORS,  # the regulator feed signs in as an agent account
    "appeal.read": frozenset({AGENT}) | _OVERSEERS,
    # reading complaint text in bulk: suggestions at intake, bursts of similar complaints, topics, the classifier
    "text.intake": frozenset({AGENT, DISPATCHER}) | _OVERSEERS,  # who classify, dispatch or oversee
    "text.bursts.read": frozenset({AGENT, "handler_network", MANAGER}) | _SUPERVISORS,
    "text.topics.read": frozenset({PROCESS_OWNER}) | _OVERSEERS,
    "text.classifier.read": frozenset({PROCESS_OWNER, SUPERVISOR, DIRECTOR, MANAGER}),
    "text.classifier.manage": frozenset({PROCESS_OWNER, DIRECTOR}),  # train, import the history
    # audit and reports
    "report.read": _OVERSEERS,  # reports, the search of every instance, exports
    "report.people": _OVERSEERS,  # figures per agent and per department: for team leaders, never for peers
    "access_log.read": _OVERSEERS,
    # improvement actions (整改): overseers create, assign, cancel and evaluate them; an action's owner, whoever
    # they are, reports its progress (a rule on the record, in services/reporting/improvement_actions.py)
    "improvement.read": _OVERSEERS,
    "improvement.manage": _OVERSEERS,
    "improvement.supervised": _SUPERVISORS,  # 督办: an overdue action's notice reaches them too
    "baseline_alert.notified": frozenset({MANAGER}),  # a category's day departing from its baseline
    # what a diagram's scripts printed (print() in the sandbox): auditors, and process owners debugging a diagram
    "instance.print_log.read": frozenset({MANAGER, PROCESS_OWNER}),
    # process models
    "model.read": frozenset({PROCESS_OWNER, MANAGER}),
    "model.edit": frozenset({PROCESS_OWNER}),
    "instance.migrate": frozenset({PROCESS_OWNER}),
    "calendar.read": frozenset({PROCESS_OWNER}) | _OVERSEERS,  # the year at a glance, its overrides
    "calendar.edit": frozenset({PROCESS_OWNER}),
    # warned while a year's holiday schedule is missing: those who enter it, and those whom a false
    # breach or escalation (a provisional deadline) reaches first
    "calendar.warned": frozenset({PROCESS_OWNER}) | _SUPERVISORS,
}


def allows(groups: Iterable[str], capability: str) -> bool:
    """Whether any of these groups holds the capability; a name not in the table is a bug, not a no."""
    try:
        holders = CAPABILITIES[capability]
    except KeyError:
        raise KeyError(f"unknown capability {capability!r}: add it to domain/policy.CAPABILITIES") from None
    return not holders.isdisjoint(groups)


def holders(capability: str) -> frozenset[str]:
    """The groups that hold a capability (for menus and documentation)."""
    return CAPABILITIES[capability]


@dataclass(frozen=True)
class TaskSeat:
    """Where a task sits, as the rules need it: its group, its holder, its state."""

    candidate_group: str | None
    assignee_id: int | None
    state: str = "ready"


def seat_of(t: Any) -> TaskSeat:
    """The policy's view of a task row, model or summary dict."""
    if isinstance(t, dict):
        return TaskSeat(t["candidate_group"], t["assignee_id"], t.get("state", "ready"))
    return TaskSeat(t.candidate_group, t.assignee_id, getattr(t, "state", "ready"))


def may_work_task(user_id: int, groups: Iterable[str], t: TaskSeat) -> bool:
    """Its holder, or its group (a task whose diagram names no group is open to every signed-in user)."""
    return t.assignee_id == user_id or t.candidate_group is None or t.candidate_group in set(groups)


def may_read_task(user_id: int, groups: Iterable[str], t: TaskSeat) -> bool:
    """Those who may work it, and overseers. Every note and action on a task requires this first."""
    return may_work_task(user_id, groups, t) or allows(groups, "task.oversee")


def may_act_on_task(user_id: int, groups: Iterable[str], t: TaskSeat) -> bool:
    """Transfer or return: its holder, its group while nobody holds it, or a supervisor."""
    if allows(groups, "task.supervise"):
        return True
    if t.assignee_id is not None:
        return t.assignee_id == user_id
    return may_work_task(user_id, groups, t)


def task_offers(
    user_id: int,
    groups: Iterable[str],
    t: TaskSeat,
    *,
    returned: bool = False,
    has_complaint: bool = False,
    suspended: bool = False,
    closed: bool = False,
) -> dict[str, bool]:
    """What the task page offers this viewer; the services check the same rules when it is used."""
    groups = frozenset(groups)
    readable = may_read_task(user_id, groups, t)
    ready = readable and t.state == "ready"
    works = may_work_task(user_id, groups, t)
    mine = t.assignee_id == user_id
    free = t.assignee_id is None
    supervises = allows(groups, "task.supervise")
    return {
        "work": ready and works and (free or mine) and not returned,
        "claim": ready and works and free,
        "release": ready and mine,
        "transfer": ready and may_act_on_task(user_id, groups, t),
        "return": ready and (t.candidate_group or "").startswith(HANDLER_PREFIX) and (mine or (free and works)),
        "urge": ready and not mine and allows(groups, "task.urge"),
        "contact": ready and (works or allows(groups, "task.contact_any")),
        "suspend": readable and supervises and has_complaint and not suspended and not closed,
        "resume": readable and supervises and has_complaint and suspended,
        "note": readable,
        # 延期: whoever works the step asks for a new date; a 督办 step is the supervisors' own to decide
        "extend": ready and works and (free or mine) and (t.candidate_group or "") not in _SUPERVISORS,
    }


def may_open_evidence(
    groups: Iterable[str], *, own_unattached: bool, sees_complaint: bool, works_on_complaint: bool
) -> bool:
    """Need-to-know for an evidence file (a photo or a recording cannot be masked).

    Its uploader while it is not yet attached; afterwards those who may see its complaint and either work
    it or may reveal personal data (an overseer, whose every opening is logged)."""
    if own_unattached:
        return True
    return sees_complaint and (works_on_complaint or allows(groups, "personal_data.reveal"))
