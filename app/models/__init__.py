"""Typed ORM models; importing this package registers every table on Base.metadata."""

from .audit import AuditEvent
from .branches import Appeal, Notification, OutageIncident, OutageNotice, PublicRequest, SurveyToken
from .calendar import CalendarOverride, CalendarRevision, CalendarYear
from .complaints import Complaint, NumberSequence
from .drafts import ModelDraft
from .idempotency import IdempotencyKey
from .improvement import (
    BaselineAlert,
    ImprovementAction,
    ImprovementActionComplaint,
    ImprovementActionEvent,
    StaffNotice,
)
from .processes import HumanTask, InstanceLog, ProcessInstance, ProcessVersion, ServiceIncident, Timer
from .reports import AccessLog, SavedSearch
from .rollups import ReportComplaint, ReportComplaintDay, ReportPersonComplaint, ReportPersonDay, ReportStepDay
from .settings import UserSetting
from .sign_in import SignInAddress, SignInFailure, WebSession
from .sla import ExtensionRequest
from .surveys import ProgressSurvey
from .text_intelligence import BurstSuggestion, HistoryImport, HistoryRecord, TextModel, TextSuggestion
from .users import ApiToken, Group, User, user_group

__all__ = [
    "BaselineAlert",
    "ImprovementAction",
    "ImprovementActionComplaint",
    "ImprovementActionEvent",
    "StaffNotice",
    "AccessLog",
    "ApiToken",
    "Appeal",
    "AuditEvent",
    "BurstSuggestion",
    "HistoryImport",
    "HistoryRecord",
    "TextModel",
    "TextSuggestion",
    "CalendarOverride",
    "CalendarRevision",
    "CalendarYear",
    "Complaint",
    "ExtensionRequest",
    "Group",
    "HumanTask",
    "IdempotencyKey",
    "ModelDraft",
    "Notification",
    "NumberSequence",
    "OutageIncident",
    "OutageNotice",
    "PublicRequest",
    "SurveyToken",
    "ProgressSurvey",
    "ProcessInstance",
    "ProcessVersion",
    "ReportComplaint",
    "ReportComplaintDay",
    "ReportPersonComplaint",
    "ReportPersonDay",
    "ReportStepDay",
    "SavedSearch",
    "UserSetting",
    "SignInAddress",
    "SignInFailure",
    "Timer",
    "ServiceIncident",
    "InstanceLog",
    "User",
    "WebSession",
    "user_group",
]
