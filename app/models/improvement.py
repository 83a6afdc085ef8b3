"""Improvement actions (整改 / 改进措施), their own hash-chained history, staff notices and baseline alerts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from ._types import JsonType, UtcDateTime


class ImprovementAction(Base):
    """A root cause and the rectification for a category, with an owner, a due date, a status and its evaluation."""

    __tablename__ = "improvement_action"
    __table_args__ = (Index("ix_improvement_action_status_due", "status", "due_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(32))
    root_cause: Mapped[str] = mapped_column(Text)
    measure: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    due_date: Mapped[date] = mapped_column(Date)  # local day; due at its end (24:00 Shanghai)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    warn_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16), default="open")
    progress: Mapped[str] = mapped_column(Text, default="")
    window_days: Mapped[int] = mapped_column(Integer, default=30)  # the before/after windows' length
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    warned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # the due-soon notice went out (once)
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # overdue: 督办 went out (once)
    evaluation: Mapped[dict[str, Any] | None] = mapped_column(JsonType)  # frozen when evaluated
    version: Mapped[int] = mapped_column(Integer, default=1)


class ImprovementActionComplaint(Base):
    """A complaint that shows the problem an action rectifies."""

    __tablename__ = "improvement_action_complaint"
    action_id: Mapped[int] = mapped_column(ForeignKey("improvement_action.id", ondelete="CASCADE"), primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id", ondelete="CASCADE"), primary_key=True)


class ImprovementActionEvent(Base):
    """One change of an action: who, when, what before and after; chained by hash per action, never updated."""

    __tablename__ = "improvement_action_event"
    __table_args__ = (UniqueConstraint("action_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("improvement_action.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    actor: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(48))
    reason: Mapped[str | None] = mapped_column(Text)
    data_before: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    data_after: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class StaffNotice(Base):
    """An in-app notice to one user about something that is not a task (an action's clock, a baseline alert).

    ``key`` is unique: the same news written twice (a re-run, two schedulers) is one notice."""

    __tablename__ = "staff_notice"
    __table_args__ = (Index("ix_staff_notice_user_at", "user_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(48))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    url_kind: Mapped[str | None] = mapped_column(String(32))  # improvement_action | periodicity
    ref: Mapped[str | None] = mapped_column(String(64))  # the action's id, the alert's day
    data: Mapped[dict[str, Any] | None] = mapped_column(JsonType)


class BaselineAlert(Base):
    """A category's volume on a day departed from its seasonal baseline; one row per (day, category)."""

    __tablename__ = "baseline_alert"
    __table_args__ = (UniqueConstraint("day", "category"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(32))
    count: Mapped[int] = mapped_column(Integer)
    baseline: Mapped[float] = mapped_column()
    spread: Mapped[float] = mapped_column()
    direction: Mapped[str] = mapped_column(String(8))
    found_at: Mapped[datetime] = mapped_column(UtcDateTime)
