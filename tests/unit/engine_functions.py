"""The functions Runtime offers diagrams (sla_due, sla_warn, promise_due, promise_warn, live_intake, now_iso),
for unit tests that run the engine without the app: same rules, a fixed clock."""

from __future__ import annotations

from app.domain import promises
from app.domain.intake import complete_live_intake
from app.engine import Engine
from app.services.runtime import event_instant


def make_engine(policy, calendar, clock) -> Engine:
    def severity(data):
        return data.get("severity") or "general"

    def start(since):
        return event_instant(since) or clock.now()

    def promise_due(data, promised=None):
        day = promises.promised_day(promised)
        if day is not None:
            return promises.promise_deadline(day).isoformat()
        return policy.complaint_deadline(
            "final_reply", severity(data), start(data.get("registered_at")), calendar
        ).at.isoformat()

    def promise_warn(data, promised=None):
        day = promises.promised_day(promised)
        if day is not None:
            return promises.promise_warning(day).isoformat()
        limit = policy.complaint_limit("final_reply", severity(data))
        return limit.warning_at(start(data.get("registered_at")), calendar, limit.warn_at[0]).at.isoformat()

    return Engine(
        functions={"now_iso": lambda: clock.now().isoformat()},
        context_functions={
            "sla_due": lambda data, step, since=None: policy.deadline(
                step, severity(data), start(since), calendar
            ).at.isoformat(),
            "sla_warn": lambda data, step, since=None: policy.warning_at(
                step, severity(data), start(since), calendar
            ).at.isoformat(),
            "promise_due": promise_due,
            "promise_warn": promise_warn,
            "live_intake": complete_live_intake,
        },
        now=clock.now,
    )
