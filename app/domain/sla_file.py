"""Read a parsed SLA policy document into limits, naming the file and key of every problem."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from app.domain.sla_limit import CALENDARS, COMPLAINT_CLOCKS, SEVERITIES, STEPS, UNITS, Limit, SlaConfigError

Limits = dict[tuple[str, str], Limit]

_LIMIT_KEYS = ("limit", "unit", "calendar", "warn_at", "escalate_to")
_STEP_KEYS = (*_LIMIT_KEYS, "after")
_GROUP = re.compile(r"^[a-z][a-z0-9_]*$")


def read_policy(data: Mapping[str, Any], source: str) -> tuple[Limits, Limits]:
    """Return the step limits and the complaint-wide clocks a policy document describes."""
    return _Reader(source).read(data)


class _Reader:
    """Turn a parsed TOML document into a policy, naming the file and key of every problem."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, problem: str) -> SlaConfigError:
        """Return an error naming the file and the key."""
        return SlaConfigError(f"{self.source}: {key}: {problem}")

    def read(self, data: Mapping[str, Any]) -> tuple[Limits, Limits]:
        """Return the policy a whole document describes."""
        self.known(data, "", ("defaults", "steps", "complaint"))
        defaults = self.table(data.get("defaults", {}), "defaults")
        self.known(defaults, "defaults", ("warn_at", "escalate_to"))
        base = self.apply(Limit(1, "hours"), defaults, "defaults", with_amount=False)
        steps = self.section(data, "steps", STEPS, base)
        clocks = self.section(data, "complaint", COMPLAINT_CLOCKS, base)
        return steps, clocks

    def section(
        self, data: Mapping[str, Any], name: str, names: tuple[str, ...], base: Limit
    ) -> dict[tuple[str, str], Limit]:
        """Return the limits of one section, every name required, per severity."""
        section = self.table(data.get(name), name)
        self.known(section, name, names, "step" if name == "steps" else "complaint clock")
        limits = {}
        for item in names:
            key = f"{name}.{item}"
            if item not in section:
                raise self.fail(key, "missing")
            entry = self.table(section[item], key)
            self.known(entry, key, (*_STEP_KEYS, *SEVERITIES))
            general = self.apply(base, entry, key, with_amount=True)
            for severity in SEVERITIES:
                sub = self.table(entry.get(severity, {}), f"{key}.{severity}")
                self.known(sub, f"{key}.{severity}", _LIMIT_KEYS)
                limits[item, severity] = self.apply(general, sub, f"{key}.{severity}", False)
        return limits

    def apply(self, limit: Limit, table: Mapping[str, Any], key: str, with_amount: bool) -> Limit:
        """Return a limit with a table's keys laid over it, each validated."""
        if with_amount and ("limit" not in table or "unit" not in table):
            raise self.fail(key, "needs both 'limit' and 'unit'")
        changes: dict[str, Any] = {}
        if "unit" in table:
            changes["unit"] = self.choice(table["unit"], f"{key}.unit", UNITS)
        if "calendar" in table:
            changes["calendar"] = self.choice(table["calendar"], f"{key}.calendar", CALENDARS)
        if "limit" in table:
            changes["amount"] = table["limit"]
        if "warn_at" in table:
            changes["warn_at"] = self.thresholds(table["warn_at"], f"{key}.warn_at")
        for name in ("escalate_to", "after"):
            value = table.get(name)
            if name in table and not (isinstance(value, str) and _GROUP.match(value)):
                raise self.fail(f"{key}.{name}", f"must be a code like 'supervisor', got {value!r}")
            if name in table:
                changes[name] = value
        result = replace(limit, **changes)
        # Checked on the result: a severity table may change the unit and inherit the amount.
        whole = result.unit.endswith("_days")
        amount = result.amount
        if isinstance(amount, bool) or not isinstance(amount, int if whole else (int, float)) or amount <= 0:
            kind = "a positive whole number" if whole else "a positive number"
            raise self.fail(f"{key}.limit", f"must be {kind} for {result.unit}, got {amount!r}")
        if result.calendar == "working" and whole:
            raise self.fail(f"{key}.calendar", f"applies to seconds, minutes and hours, not {result.unit}")
        return result

    def choice(self, value: Any, key: str, allowed: tuple[str, ...]) -> str:
        """Return a value that must be one of a few words."""
        if value not in allowed:
            raise self.fail(key, f"unknown value {value!r} (known: {', '.join(allowed)})")
        return value

    def thresholds(self, value: Any, key: str) -> tuple[float, ...]:
        """Return warning fractions, strictly increasing, each between 0 and 1."""
        ok = (
            isinstance(value, list)
            and value
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v < 1 for v in value)
        )
        if not ok or list(value) != sorted(set(value)):
            raise self.fail(key, f"must be increasing fractions between 0 and 1, got {value!r}")
        return tuple(float(v) for v in value)

    def table(self, value: Any, key: str) -> Mapping[str, Any]:
        """Return a value that must be a table."""
        if not isinstance(value, Mapping):
            raise self.fail(key, "missing" if value is None else "must be a table")
        return value

    def known(self, table: Mapping[str, Any], key: str, allowed: tuple[str, ...], what: str = "key") -> None:
        """Reject keys a table may not have."""
        for name in table:
            if name not in allowed:
                where = f"{key}.{name}" if key else name
                raise self.fail(where, f"unknown {what} (known: {', '.join(allowed)})")
