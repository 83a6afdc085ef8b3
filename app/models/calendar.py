"""The working-day calendar's override table, its official-year markers and its change counter."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from ._types import UtcDateTime


class CalendarOverride(Base):
    """One day whose working status a notice or a process owner sets; wins over the packaged tables."""

    __tablename__ = "calendar_override"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(64), default="")
    source: Mapped[str] = mapped_column(String(16), default="manual")  # notice | manual
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CalendarYear(Base):
    """A year whose official schedule (the State Council's notice) has been entered."""

    __tablename__ = "calendar_year"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    notice: Mapped[str] = mapped_column(Text, default="")  # the text imported, kept for audit
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    entered_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CalendarRevision(Base):
    """One row counting calendar changes, so every process knows when to reload its calendar."""

    __tablename__ = "calendar_revision"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # always 1
    revision: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
