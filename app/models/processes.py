"""Deployed process versions, running instances and the timers they wait on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from ._types import JsonType, UtcDateTime


class ProcessVersion(Base):
    """One deployed version of a process model: its files, stored once, and who deployed it."""

    __tablename__ = "process_version"
    __table_args__ = (UniqueConstraint("process_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(128), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(256))
    bpmn_file: Mapped[str] = mapped_column(String(256))  # name of the main diagram within files
    files: Mapped[dict[str, str]] = mapped_column(JsonType)  # file name -> text (BPMN, DMN, forms)
    hash: Mapped[str] = mapped_column(String(64), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    deployed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    # "files": deployed from the processes/ folder (start-up, `deploy`); "owner": by a process owner
    # (browser or API). A folder deploy never replaces an owner's current version.
    source: Mapped[str] = mapped_column(String(8), default="owner", server_default="owner")


class ProcessInstance(Base):
    """A running or finished instance: its serialized state (spec kept out) and a lock version."""

    __tablename__ = "process_instance"
    id: Mapped[int] = mapped_column(primary_key=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(128), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)  # running|completed|error|suspended
    state: Mapped[bytes] = mapped_column(LargeBinary)  # compressed JSON from the engine seam
    version: Mapped[int] = mapped_column(Integer, default=1)  # optimistic lock: every write bumps it
    error: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class HumanTask(Base):
    """Projection of a ready (or finished) user task, for inboxes and queries without the engine."""

    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_human_task_inbox", "state", "candidate_group", "due_at"),
        Index("ix_human_task_assignee", "assignee_id", "state"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the engine's task id
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    element_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(256))
    lane: Mapped[str | None] = mapped_column(String(128))
    candidate_group: Mapped[str | None] = mapped_column(String(64))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    state: Mapped[str] = mapped_column(String(16))  # ready | completed | cancelled
    form: Mapped[str | None] = mapped_column(String(256))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    warn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    sla_paused_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # set while the complaint is suspended
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class Timer(Base):
    """A timer an instance waits on. The database, not APScheduler, is the source of truth."""

    __tablename__ = "timer"
    __table_args__ = (Index("ix_timer_due", "status", "due_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))  # the engine's waiting timer task id
    element_id: Mapped[str] = mapped_column(String(128))
    attached_to: Mapped[str | None] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16), default="timer")  # warning | breach | timer
    sla_step: Mapped[str | None] = mapped_column(String(64))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16), default="waiting")  # waiting|paused|fired|cancelled|incident
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)  # due depends on a year without official data
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    fired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # armed_at (the budget's start), shifts (pauses and extensions, re-applied on recompute),
    # paused_at while paused.
    details: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)


class ServiceIncident(Base):
    """A service task whose connector kept failing: the instance waits at it until a supervisor retries."""

    __tablename__ = "service_incident"
    __table_args__ = (Index("ix_service_incident_open", "status", "instance_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))  # the engine's service task, in error
    element_id: Mapped[str] = mapped_column(String(128))
    element_name: Mapped[str] = mapped_column(String(200), default="")
    connector: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | resolved
    attempts: Mapped[int] = mapped_column(Integer, default=1)  # runs of the step (each one retried with back-off)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class InstanceLog(Base):
    """A line a diagram's script printed (print() in the sandbox), kept per instance within a bound."""

    __tablename__ = "instance_log"
    __table_args__ = (Index("ix_instance_log_instance", "instance_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    element_id: Mapped[str] = mapped_column(String(128), default="")
    text: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(Integer, default=0)  # the text's UTF-8 bytes, which the bound counts
