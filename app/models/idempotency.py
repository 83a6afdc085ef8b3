"""Idempotency keys: a retried POST that creates gets the first answer instead of a second resource."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from ._types import JsonType, UtcDateTime


class IdempotencyKey(Base):
    """One client key per user: the request it came with, what it created, and the answer given.

    The row is inserted in the same transaction as the effect (so a key exists if and only if the
    effect committed); the answer is added right after. A row without an answer (the process or
    the database went away in between) is answered again from ``resource``.
    """

    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("user_id", "key"), Index("ix_idempotency_key_created", "created_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of method, route and body
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(512))
    resource: Mapped[str | None] = mapped_column(String(80))  # complaint:12 | instance:5 | task:<id>
    status_code: Mapped[int | None] = mapped_column(Integer)
    response: Mapped[Any | None] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
