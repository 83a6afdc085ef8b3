"""Typed ORM models; importing this package registers every table on Base.metadata."""
from .audit import AuditEvent
from .calendar import CalendarOverride, CalendarRevision, CalendarYear
from .complaints import Complaint, NumberSequence
from .drafts import ModelDraft
from .processes import HumanTask, ProcessInstance, ProcessVersion, Timer
from .reports import AccessLog, SavedSearch
from .sla import ExtensionRequest
from .users import ApiToken, Group, User, user_group

__all__ = [
    "AccessLog", "ApiToken", "AuditEvent", "CalendarOverride", "CalendarRevision", "CalendarYear", "Complaint",
    "ExtensionRequest", "Group", "HumanTask", "ModelDraft", "NumberSequence",
    "ProcessInstance", "ProcessVersion", "SavedSearch", "Timer", "User", "user_group",
]
