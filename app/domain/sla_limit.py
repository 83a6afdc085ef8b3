"""One time limit and the vocabulary of the SLA policy: steps, severities, units, states."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.domain.calendar import Deadline, WorkingCalendar
from app.domain.clock import to_utc

STEPS = (
    "receive",
    "classify",
    "dispatch",
    "handle",
    "track",
    "reply",
    "feedback",
    "summarize",
    "supervisor_review",
    "supervise",
    "escalate",
    # special complaints, return visits and appeals (processes/special_*.bpmn, return_visit, appeal_handling)
    "containment",
    "investigate",
    "antifraud",
    "care",
    "visit_retry",
    "survey_window",
    "appeal",
)
COMPLAINT_CLOCKS = ("first_reply", "final_reply")
SEVERITIES = ("general", "major")
UNITS = ("seconds", "minutes", "hours", "working_days", "civil_days")
CALENDARS = ("wall", "working")
STATES = ("on_time", "warning", "breached", "paused")


class SlaConfigError(ValueError):
    """A policy file that cannot be used, naming the file and the key."""


@dataclass(frozen=True)
class Limit:
    """One time limit: how long, measured how, when to warn, whom a breach goes to."""

    amount: int | float
    unit: str
    calendar: str = "wall"
    warn_at: tuple[float, ...] = (0.5, 0.8)
    escalate_to: str = "supervisor"
    after: str = ""

    @property
    def working(self) -> bool:
        """Tell whether the budget is measured in working time rather than wall-clock time."""
        return self.unit == "working_days" or self.calendar == "working"

    def deadline(self, start: datetime, calendar: WorkingCalendar) -> Deadline:
        """Return when the budget started at start runs out."""
        if self.unit == "working_days":
            return calendar.add_working_days(start, int(self.amount))
        if self.unit == "civil_days":
            return calendar.civil_code_period_end(start, int(self.amount))
        budget = timedelta(**{self.unit: self.amount})
        if self.calendar == "working":
            return calendar.add_working_time(start, budget)
        return Deadline(to_utc(start) + budget)

    def warning_at(self, start: datetime, calendar: WorkingCalendar, threshold: float) -> Deadline:
        """Return when a fraction of the budget started at start has been used."""
        end = self.deadline(start, calendar)
        if not self.working:
            return Deadline(to_utc(start) + (end.at - to_utc(start)) * threshold, end.provisional)
        used = calendar.working_time_between(start, end.at) * threshold
        warn = calendar.add_working_time(start, used)
        return Deadline(warn.at, warn.provisional or end.provisional)

    def resumed(
        self, deadline: Deadline, paused_at: datetime, resumed_at: datetime, calendar: WorkingCalendar
    ) -> Deadline:
        """Return the deadline after a pause, the remaining budget added back from the resume."""
        if self.unit == "civil_days":
            return deadline  # a legal period runs on whatever we do with the complaint
        if not self.working:
            left = max(deadline.at - to_utc(paused_at), timedelta(0))
            return Deadline(to_utc(resumed_at) + left, deadline.provisional)
        # The paused span lies inside the deadline's own span, so deadline.provisional covers it.
        left = calendar.working_time_between(paused_at, deadline.at)
        new = calendar.add_working_time(resumed_at, left)
        return Deadline(new.at, new.provisional or deadline.provisional)
