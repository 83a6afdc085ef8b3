"""Per-user settings the workspace remembers: where the notices were last read, saved inbox views."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from ._types import JsonType


class UserSetting(Base):
    """One named setting of one user, as JSON (``notices.seen``: the last notice read; ``inbox.views``)."""

    __tablename__ = "user_setting"
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(48), primary_key=True)
    value: Mapped[Any] = mapped_column(JsonType)
