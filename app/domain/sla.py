"""The SLA policy: each step's time limit, warnings and escalation, loaded from TOML.

A limit is an amount and a unit: `seconds`, `minutes`, `hours` (wall-clock, or working time when
`calendar = "working"`), `working_days` (WorkingCalendar.add_working_days) or `civil_days` (a
Civil Code "N 日" period, WorkingCalendar.civil_code_period_end). Warnings fall at fractions of
the budget measured the way the limit is (wall-clock or working time). A breach hands the step to
`escalate_to`. A `[steps.<step>.<severity>]` table overrides the step's keys for that severity;
`[complaint.<clock>]` holds the complaint-wide clocks. Changing a limit needs no code change.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from app.domain.calendar import Deadline, WorkingCalendar
from app.domain.clock import to_utc
from app.domain.sla_file import read_policy
from app.domain.sla_override import overridden
from app.domain.sla_limit import CALENDARS, COMPLAINT_CLOCKS, SEVERITIES, STATES, STEPS, UNITS, Limit, SlaConfigError

__all__ = [
    "CALENDARS",
    "COMPLAINT_CLOCKS",
    "SEVERITIES",
    "STATES",
    "STEPS",
    "UNITS",
    "Limit",
    "SlaConfigError",
    "SlaPolicy",
]


class SlaPolicy:
    """Answer deadline questions for every step and severity from one validated policy."""

    def __init__(
        self, steps: Mapping[tuple[str, str], Limit], clocks: Mapping[tuple[str, str], Limit], source: str = "<policy>"
    ) -> None:
        self._steps, self._clocks, self.source = dict(steps), dict(clocks), source

    @classmethod
    def load(cls, path: str | Path) -> SlaPolicy:
        """Read and validate a policy file."""
        try:
            with open(path, "rb") as file:
                data = tomllib.load(file)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise SlaConfigError(f"{path}: {exc}") from None
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "<policy>") -> SlaPolicy:
        """Validate a parsed policy document."""
        steps, clocks = read_policy(data, source)
        return cls(steps, clocks, source)

    def with_limits(self, overrides: Mapping[str, str]) -> SlaPolicy:
        """This policy with a deployed version's own step limits ({step: "2 hours"}; see sla_override)."""
        if not overrides:
            return self
        return SlaPolicy(overridden(self._steps, overrides), self._clocks, f"{self.source} + diagram")

    def limit(self, step: str, severity: str = "general") -> Limit:
        """Return the limit of a step for a severity."""
        return _pick(self._steps, step, severity, "step")

    def deadline(self, step: str, severity: str, start: datetime, calendar: WorkingCalendar) -> Deadline:
        """Return when a step started at start is overdue."""
        return self.limit(step, severity).deadline(start, calendar)

    def warning_at(
        self, step: str, severity: str, start: datetime, calendar: WorkingCalendar, threshold: float | None = None
    ) -> Deadline:
        """Return when a step reaches a warning threshold (the first one by default)."""
        limit = self.limit(step, severity)
        fraction = limit.warn_at[0] if threshold is None else threshold
        return limit.warning_at(start, calendar, fraction)

    def warnings(self, step: str, severity: str, start: datetime, calendar: WorkingCalendar) -> list[Deadline]:
        """Return the instants of every warning threshold of a step, in order."""
        limit = self.limit(step, severity)
        return [limit.warning_at(start, calendar, t) for t in limit.warn_at]

    def escalate_to(self, step: str, severity: str = "general") -> str:
        """Return the group a breach of a step goes to."""
        return self.limit(step, severity).escalate_to

    def resumed_deadline(
        self,
        step: str,
        severity: str,
        deadline: Deadline,
        paused_at: datetime,
        resumed_at: datetime,
        calendar: WorkingCalendar,
    ) -> Deadline:
        """Return a step's deadline after a suspension, the remaining budget added back."""
        return self.limit(step, severity).resumed(deadline, paused_at, resumed_at, calendar)

    def complaint_limit(self, clock: str, severity: str = "general") -> Limit:
        """Return the limit of a complaint-wide clock (first_reply, final_reply)."""
        return _pick(self._clocks, clock, severity, "complaint clock")

    def complaint_deadline(
        self, clock: str, severity: str, registered_at: datetime, calendar: WorkingCalendar
    ) -> Deadline:
        """Return a complaint-wide deadline (first_reply, final_reply) from registration."""
        return self.complaint_limit(clock, severity).deadline(registered_at, calendar)

    def first_reply_deadline(
        self, registered_at: datetime, calendar: WorkingCalendar, severity: str = "general"
    ) -> Deadline:
        """Return when the customer must have had a first reply."""
        return self.complaint_deadline("first_reply", severity, registered_at, calendar)

    def final_reply_deadline(
        self, registered_at: datetime, calendar: WorkingCalendar, severity: str = "general"
    ) -> Deadline:
        """Return the end of the legal reply period, after which the customer may appeal."""
        return self.complaint_deadline("final_reply", severity, registered_at, calendar)

    @staticmethod
    def state(deadline: Deadline, now: datetime, warn_at: Deadline | None = None, paused: bool = False) -> str:
        """Return on_time, warning, breached or paused for a deadline at an instant."""
        now = to_utc(now)
        if paused:
            return "paused"
        if now >= deadline.at:
            return "breached"
        if warn_at is not None and now >= warn_at.at:
            return "warning"
        return "on_time"


def _pick(limits: Mapping[tuple[str, str], Limit], name: str, severity: str, kind: str) -> Limit:
    """Return a limit by name and severity, naming what is unknown."""
    if severity not in SEVERITIES:
        raise KeyError(f"unknown severity {severity!r} (known: {', '.join(SEVERITIES)})")
    try:
        return limits[name, severity]
    except KeyError:
        raise KeyError(f"unknown {kind} {name!r}") from None
