"""Append-only audit events, chained by hash per instance."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from ._types import JsonType, Sha256Digest, UtcDateTime


class AuditEvent(Base):
    """Who did what, when, to which task, with the data before and after; never updated."""

    __tablename__ = "audit_event"
    __table_args__ = (UniqueConstraint("instance_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the (instance_id, seq) unique index serves every lookup by instance.
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    actor: Mapped[str] = mapped_column(String(64))  # username, or "system"/"scheduler"
    type: Mapped[str] = mapped_column(String(48))
    task_id: Mapped[str | None] = mapped_column(String(36))
    element_id: Mapped[str | None] = mapped_column(String(128))
    element_name: Mapped[str | None] = mapped_column(String(256))
    reason: Mapped[str | None] = mapped_column(Text)
    data_before: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    data_after: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    # 32 bytes each, read and written as hex (Sha256Digest): half an event's former size.
    prev_hash: Mapped[str] = mapped_column(Sha256Digest)
    hash: Mapped[str] = mapped_column(Sha256Digest)
