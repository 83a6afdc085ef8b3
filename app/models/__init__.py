"""Typed ORM models; importing this package registers every table on Base.metadata."""
from .audit import AuditEvent
from .complaints import Complaint, NumberSequence
from .processes import HumanTask, ProcessInstance, ProcessVersion, Timer
from .users import ApiToken, Group, User, user_group

__all__ = [
    "ApiToken", "AuditEvent", "Complaint", "Group", "HumanTask", "NumberSequence",
    "ProcessInstance", "ProcessVersion", "Timer", "User", "user_group",
]
