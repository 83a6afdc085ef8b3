"""Failed sign-ins per username, kept in the database so the limit holds across every host."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from ._types import UtcDateTime


class SignInFailure(Base):
    """One wrong password for a username (known or not), at an instant; old rows are purged."""

    __tablename__ = "sign_in_failure"
    __table_args__ = (Index("ix_sign_in_failure_user_at", "username", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
