"""Managers' tables: saved searches, the personal-data access log, and the search indexes.

The indexes on other features' tables are declared here (not in their classes) because they
serve the instance search and the reports; migration 0003 creates them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from ._types import JsonType, UtcDateTime
from .complaints import Complaint
from .processes import HumanTask, Timer


class SavedSearch(Base):
    """A user's named instance search: the filters and sort of the search page."""

    __tablename__ = "saved_search"
    __table_args__ = (UniqueConstraint("user_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict[str, Any]] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AccessLog(Base):
    """Who read a customer's personal data, when, how (web/api) and what: append-only."""

    __tablename__ = "access_log"
    __table_args__ = (
        Index("ix_access_log_complaint", "complaint_id", "at"),
        Index("ix_access_log_user", "user_id", "at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(48))  # complaint.viewed | search.exported
    via: Mapped[str] = mapped_column(String(8))  # web | api | cli
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaint.id"))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JsonType)


# Keyset paging and filtered, sorted pages of the instance search; "breached now" and the reports.
SEARCH_INDEXES = (
    Index("ix_complaint_created", Complaint.created_at, Complaint.id),
    Index("ix_complaint_closed", Complaint.closed_at, Complaint.id),
    Index("ix_complaint_category_created", Complaint.category, Complaint.created_at),
    Index("ix_complaint_channel_created", Complaint.channel, Complaint.created_at),
    Index("ix_complaint_severity_created", Complaint.severity, Complaint.created_at),
    Index("ix_complaint_department_created", Complaint.department, Complaint.created_at),
    Index("ix_complaint_suspended", Complaint.suspended_at),
    Index("ix_complaint_promised", Complaint.promised_at),  # the dashboard's promises falling due in the period
    # the regulator's view: a year's complaints by category with their reply clock, from the index (migration 0023)
    Index(
        "ix_complaint_reply_times",
        Complaint.created_at,
        Complaint.category,
        Complaint.final_reply_due_at,
        Complaint.replied_at,
        Complaint.closed_at,
    ),
    # the satisfaction analysis's answered complaints with every column it reads, from the index (migration 0025)
    Index(
        "ix_complaint_answered",
        Complaint.created_at,
        Complaint.satisfaction,
        Complaint.instance_id,
        Complaint.replied_at,
        Complaint.closed_at,
        Complaint.transfer_count,
        Complaint.return_count,
        Complaint.reopen_count,
        Complaint.category,
        Complaint.department,
        Complaint.channel,
        sqlite_where=text("satisfaction IS NOT NULL"),
        postgresql_where=text("satisfaction IS NOT NULL"),
    ),
    Index("ix_human_task_state_due", HumanTask.state, HumanTask.due_at),
    # the satisfaction analysis's breaches: steps finished after their own due time (migration 0023)
    Index(
        "ix_human_task_late",
        HumanTask.instance_id,
        sqlite_where=text("state = 'completed' AND completed_at > due_at"),
        postgresql_where=text("state = 'completed' AND completed_at > due_at"),
    ),
    # the team page: the period's completions, by whom, of which complaint, with their due time (migration 0023)
    Index(
        "ix_human_task_done",
        HumanTask.completed_at,
        HumanTask.completed_by_id,
        HumanTask.instance_id,
        HumanTask.due_at,
        sqlite_where=text("state = 'completed'"),
        postgresql_where=text("state = 'completed'"),
    ),
    Index("ix_timer_kind_status", Timer.kind, Timer.status, Timer.instance_id),
)
