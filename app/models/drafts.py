"""Diagram drafts: what a process owner is editing, kept per user until deployed or discarded."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from ._types import JsonType, UtcDateTime


class ModelDraft(Base):
    """One user's unsaved-to-production edit of one process: the diagram XML and the forms it changed."""

    __tablename__ = "model_draft"
    __table_args__ = (UniqueConstraint("user_id", "process_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    process_id: Mapped[str] = mapped_column(String(128))  # "_new" for a process not deployed yet
    bpmn: Mapped[str] = mapped_column(Text)
    forms: Mapped[dict[str, str]] = mapped_column(JsonType, default=dict)  # file name -> schema text
    base_version: Mapped[int | None] = mapped_column(Integer)  # the version the edit started from
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
