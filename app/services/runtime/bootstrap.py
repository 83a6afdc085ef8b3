"""Build the Runtime from settings: database, clock, calendar and SLA policy."""
from __future__ import annotations

from typing import Any, Mapping

from ...db import Database
from ...domain.clock import SystemClock
from ...domain.sla import SlaPolicy
from .calendar_store import CalendarStore
from . import Runtime


def build_runtime(settings: Mapping[str, Any], clock=None) -> Runtime:
    """Create the runtime; nothing connects until first used."""
    try:
        policy = SlaPolicy.load(settings["SLA_POLICY"])
    except (OSError, ValueError) as exc:
        raise SystemExit(f"setting COMPLAINTFLOW_SLA_POLICY: cannot load {settings['SLA_POLICY']}: {exc}") from exc
    db = Database(settings["DATABASE_URL"], pool_size=settings.get("DB_POOL_SIZE", 10),
                  max_overflow=settings.get("DB_MAX_OVERFLOW", 10), connect_timeout=settings.get("DB_CONNECT_TIMEOUT", 5))
    rt = Runtime(
        db=db,
        clock=clock or SystemClock(),
        calendars=CalendarStore(db, settings["CALENDAR_REFRESH_SECONDS"]),
        policy=policy,
        settings=dict(settings),
    )
    from ..audit.log import install as install_audit

    install_audit(db)  # before the hooks that read what a transaction appended
    from ..steps.sla_marks import install as install_sla_marks

    install_sla_marks(rt)
    from ..steps.branch_effects import install as install_branch_effects

    install_branch_effects(rt)
    from ..text_intelligence.settings import text_settings

    text_settings(rt)  # a bad config/text_intelligence.toml stops start-up, naming the setting
    return rt
