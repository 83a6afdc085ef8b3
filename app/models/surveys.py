"""Surveys beyond the closing one: the in-progress sample (seed 000, 8.1.2)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from ._types import UtcDateTime


class ProgressSurvey(Base):
    """A complaint still open that the sample chose: surveyed once (the unique complaint), answered apart from
    the closing survey, whose answer stays on the complaint row."""

    __tablename__ = "progress_survey"
    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id", ondelete="CASCADE"), unique=True)
    sampled_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    satisfaction: Mapped[str | None] = mapped_column(String(24))
    satisfaction_reason: Mapped[str | None] = mapped_column(Text)
    rating_timeliness: Mapped[int | None] = mapped_column(SmallInteger)
    rating_attitude: Mapped[int | None] = mapped_column(SmallInteger)
    rating_result: Mapped[int | None] = mapped_column(SmallInteger)
    rating_process: Mapped[int | None] = mapped_column(SmallInteger)
    low: Mapped[bool | None] = mapped_column(Boolean)
