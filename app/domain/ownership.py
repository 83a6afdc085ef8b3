"""首问负责制 (first-responder responsibility): who owns a complaint and which steps follow the owner.

The agent who registers a complaint owns it; a complaint that arrived unattended (online, letter,
customer page) is owned by the agent who first works it. Every later step of the agents' lane
(track, reply and feedback, summary, return visit) goes to the owner's own inbox. Only a
supervisor hands a complaint to another agent, with a reason (the owner is away).
"""

from __future__ import annotations

from collections.abc import Iterable

from .policy import allows

OWNER_GROUP = "agent"


def may_own(groups: Iterable[str]) -> bool:
    """Whether a person with these groups can own a complaint."""
    return OWNER_GROUP in set(groups)


def may_reassign(groups: Iterable[str]) -> bool:
    """Whether a person with these groups may hand a complaint to another owner."""
    return allows(groups, "complaint.reassign_owner")
