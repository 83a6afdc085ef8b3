"""Tables of the text features: imported history, versioned classifier models, suggestions and their
decisions, suggested outage incidents from bursts of similar complaints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from ._types import JsonType, UtcDateTime


class HistoryImport(Base):
    """One imported file of historical work orders: its progress, its validation report, its label mapping."""

    __tablename__ = "history_import"
    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))  # running | imported | refused
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)  # [{row, field, message}]
    label_map: Mapped[dict[str, str]] = mapped_column(JsonType, default=dict)  # the file's label -> ours
    taxonomy: Mapped[str] = mapped_column(String(16), default="ours")  # ours | own (the file's labels kept)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class HistoryRecord(Base):
    """A historical work order: the text and what it was classified as, for training and evaluation."""

    __tablename__ = "history_record"
    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("history_import.id", ondelete="CASCADE"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(String(64))  # as the file has it
    category: Mapped[str | None] = mapped_column(String(32))  # ours, when the label maps to one
    special_type: Mapped[str | None] = mapped_column(String(32))
    severity: Mapped[str | None] = mapped_column(String(16))
    channel: Mapped[str | None] = mapped_column(String(16))
    customer_phone: Mapped[str | None] = mapped_column(String(20))
    department: Mapped[str | None] = mapped_column(String(32))
    outcome: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class TextModel(Base):
    """A trained classifier version: its arrays, what it learnt from and how it scored; one is current."""

    __tablename__ = "text_model"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    is_current: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    blob: Mapped[bytes] = mapped_column(LargeBinary)
    trained_texts: Mapped[int] = mapped_column(Integer)
    sources: Mapped[dict[str, int]] = mapped_column(JsonType, default=dict)  # seed, history, decisions, corrections
    evaluation: Mapped[dict[str, Any] | None] = mapped_column(JsonType)  # evaluation.evaluate() of the category field
    trained_seconds: Mapped[float | None] = mapped_column()
    trained_by: Mapped[str] = mapped_column(String(64))  # a user, "scheduler" or "cli"
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class TextSuggestion(Base):
    """What the model suggested for a complaint and what the agent decided, field by field."""

    __tablename__ = "text_suggestion"
    __table_args__ = (Index("ix_text_suggestion_complaint", "complaint_id", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaint.id", ondelete="CASCADE"))
    model_version: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    suggested: Mapped[dict[str, Any]] = mapped_column(JsonType)  # {field: {value, confidence}}
    decided: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)  # {field: value the agent chose}
    overridden: Mapped[bool] = mapped_column(Boolean, default=False)  # some decided field differs from the suggestion
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class BurstSuggestion(Base):
    """A burst of similar complaints from one area: a suggested outage incident for the supervisors."""

    __tablename__ = "burst_suggestion"
    __table_args__ = (Index("ix_burst_suggestion_status", "status", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    area: Mapped[str] = mapped_column(String(200))
    terms: Mapped[list[str]] = mapped_column(JsonType, default=list)
    complaint_ids: Mapped[list[int]] = mapped_column(JsonType, default=list)
    status: Mapped[str] = mapped_column(String(16), default="suggested")  # suggested | confirmed | dismissed
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("outage_incident.id"))
    window_start: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
