"""Extension requests (延期): a handler asks for more time on a step, a supervisor decides."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from ._types import UtcDateTime


class ExtensionRequest(Base):
    """A request to move one task's deadline by working days or hours, and its decision."""

    __tablename__ = "extension_request"
    __table_args__ = (Index("ix_extension_request_status", "status", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("human_task.id", ondelete="CASCADE"), index=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    working_days: Mapped[int | None] = mapped_column(Integer)
    hours: Mapped[float | None] = mapped_column(Numeric(8, 2))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | approved | rejected
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    old_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    new_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
