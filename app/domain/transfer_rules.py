"""Who can work a step, and so who may receive it by 转派 (transfer).

A step's group is its lane's group. The handling lane (处理部门) has no fixed group: its group is
the department the dispatcher chose, and any handling department can work it (a billing handler
may pass a case to the network department), as can the dispatchers after a 退单. Everyone else
works only their own lane's steps: an agent's step goes to agents, a 督办 to supervisors.
"""

from __future__ import annotations

from collections.abc import Iterable

HANDLER_PREFIX = "handler_"
DISPATCHER = "dispatcher"


def step_groups(lane_group: str | None, candidate_group: str | None, all_groups: Iterable[str]) -> set[str]:
    """The groups whose members can work a step.

    lane_group is the group the step's lane names (None for a lane that names no group, such as
    the handling lane); candidate_group is whom the task waits for now.
    >>> sorted(step_groups(None, "handler_billing", ["agent", "handler_billing", "handler_network"]))
    ['handler_billing', 'handler_network']
    >>> step_groups("agent", "agent", ["agent", "manager"])
    {'agent'}
    """
    handling = [g for g in all_groups if g.startswith(HANDLER_PREFIX)]
    current = candidate_group or ""
    if lane_group is None and (current.startswith(HANDLER_PREFIX) or current == DISPATCHER):
        return set(handling) | ({DISPATCHER} if current == DISPATCHER else set())
    if current.startswith(HANDLER_PREFIX):
        return set(handling)
    return {lane_group or current} - {""}


def may_receive(user_groups: Iterable[str], groups: set[str]) -> bool:
    """Whether a person with these groups can work a step that these groups work."""
    return bool(set(user_groups) & groups)
