"""Signing in: failed attempts, the addresses a user signed in from, and the browser sessions.

All three live in the database, not in a process, so that the limits and a sign-out hold
whichever host a load balancer sends the next request to.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from ._types import UtcDateTime


class SignInFailure(Base):
    """One wrong password for a username (known or not), from an address, at an instant; old rows are purged."""

    __tablename__ = "sign_in_failure"
    __table_args__ = (
        Index("ix_sign_in_failure_user_at", "username", "at"),
        Index("ix_sign_in_failure_address_at", "address", "at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(45))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class SignInAddress(Base):
    """An address a user has signed in from with the right password: others' failures never slow it."""

    __tablename__ = "sign_in_address"
    __table_args__ = (UniqueConstraint("username", "address"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(45))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class WebSession(Base):
    """A signed-in browser; the cookie carries a random id whose SHA-256 is kept here. Sign-out deletes it."""

    __tablename__ = "web_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
