"""Build the Runtime from settings: database, clock, calendar and SLA policy."""

from __future__ import annotations

from typing import Any, Mapping

from ..db import Database
from ..domain.clock import SystemClock
from ..domain.diagram_rules import DiagramRulesError, rule_levels
from ..domain.group_aliases import GroupAliasesError, group_assignment
from ..domain.sla import SlaPolicy
from .connectors import call_connector
from .runtime import Runtime
from .runtime.calendar_store import CalendarStore


def build_runtime(settings: Mapping[str, Any], clock=None) -> Runtime:
    """Create the runtime; nothing connects until first used."""
    try:
        policy = SlaPolicy.load(settings["SLA_POLICY"])
    except (OSError, ValueError) as exc:
        raise SystemExit(f"setting COMPLAINTFLOW_SLA_POLICY: cannot load {settings['SLA_POLICY']}: {exc}") from exc
    db = Database(
        settings["DATABASE_URL"],
        pool_size=settings.get("DB_POOL_SIZE", 10),
        max_overflow=settings.get("DB_MAX_OVERFLOW", 10),
        connect_timeout=settings.get("DB_CONNECT_TIMEOUT", 5),
    )
    rt = Runtime(
        db=db,
        clock=clock or SystemClock(),
        calendars=CalendarStore(db, settings["CALENDAR_REFRESH_SECONDS"]),
        policy=policy,
        settings=dict(settings),
        call_connector=call_connector,
    )
    from .steps.branch_effects import check_settings

    check_settings(rt)  # a bad flow or notification file stops start-up
    from .text_intelligence.settings import text_settings

    text_settings(rt)  # a bad config/text_intelligence.toml stops start-up, naming the setting
    try:
        rule_levels(settings.get("DIAGRAM_RULES"))  # not at the first deploy, which would refuse every diagram
    except DiagramRulesError as exc:
        raise SystemExit(f"setting COMPLAINTFLOW_DIAGRAM_RULES: {exc}") from exc
    try:
        group_assignment(settings.get("GROUP_ALIASES"))
    except GroupAliasesError as exc:
        raise SystemExit(f"setting COMPLAINTFLOW_GROUP_ALIASES: {exc}") from exc
    from .runtime.survey_config import survey_rules

    survey_rules(rt)  # a bad config/surveys.toml stops start-up, naming the setting
    return rt
