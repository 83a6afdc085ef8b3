"""Build the Runtime from settings: database, clock, calendar and SLA policy."""
from __future__ import annotations

from typing import Any, Mapping

from ..db import Database
from ..domain.calendar import WorkingCalendar
from ..domain.clock import SystemClock
from ..domain.sla import SlaPolicy
from .runtime import Runtime


def build_runtime(settings: Mapping[str, Any], clock=None) -> Runtime:
    """Create the runtime; nothing connects until first used."""
    try:
        policy = SlaPolicy.load(settings["SLA_POLICY"])
    except (OSError, ValueError) as exc:
        raise SystemExit(f"setting COMPLAINTFLOW_SLA_POLICY: cannot load {settings['SLA_POLICY']}: {exc}") from exc
    return Runtime(
        db=Database(settings["DATABASE_URL"]),
        clock=clock or SystemClock(),
        calendar=WorkingCalendar(),
        policy=policy,
        settings=dict(settings),
    )
