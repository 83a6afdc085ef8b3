"""A deployed version's own time limit for a step, written in the diagram by the editor.

A boundary SLA timer (slaStep property) may carry ``slaLimit`` = "<amount> <unit>", e.g. "2 hours"
or "3 working_days": instances of that version count the step's general limit with it instead of
config/sla.toml's entry; the policy's warnings, escalation and calendar stay, and a severity
table of the policy that sets its own amount or unit (重大: 30 minutes) still wins for that severity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from app.domain.sla_limit import SEVERITIES, UNITS, Limit

# The units the editor offers: a step's time limit is counted in hours or in working days; the
# other units of the policy file are read too, so a diagram written by hand deploys.
EDITOR_UNITS = ("hours", "working_days")


def parse_limit(text: str) -> tuple[int | float, str]:
    """Return (amount, unit) of "2 hours"; ValueError with a message a process owner can act on.

    >>> parse_limit("3 working_days")
    (3, 'working_days')
    >>> parse_limit("1.5 hours")
    (1.5, 'hours')
    """
    parts = str(text or "").split()
    if len(parts) != 2:
        raise ValueError(f"a time limit is an amount and a unit, e.g. '2 hours', got {text!r}")
    amount_text, unit = parts
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r} (known: {', '.join(UNITS)})")
    whole = unit.endswith("_days")
    try:
        amount: int | float = int(amount_text) if whole else float(amount_text)
    except ValueError:
        kind = "a positive whole number" if whole else "a positive number"
        raise ValueError(f"the amount must be {kind} for {unit}, got {amount_text!r}") from None
    if not amount > 0 or amount != amount or amount == float("inf"):
        kind = "a positive whole number" if whole else "a positive number"
        raise ValueError(f"the amount must be {kind} for {unit}, got {amount_text!r}")
    if isinstance(amount, float) and amount.is_integer():
        amount = int(amount)
    return amount, unit


def limit_text(limit: Limit) -> str:
    """The "<amount> <unit>" text of a limit, as slaLimit holds it."""
    return f"{limit.amount:g} {limit.unit}" if isinstance(limit.amount, float) else f"{limit.amount} {limit.unit}"


def overridden(steps: Mapping[tuple[str, str], Limit], overrides: Mapping[str, str]) -> dict[tuple[str, str], Limit]:
    """The policy's step limits with a version's overrides laid over each step's general limit.

    A severity whose limit is the general one (its table changes neither amount nor unit) follows
    the override; one with its own amount or unit keeps it.
    """
    out = dict(steps)
    for step, text in overrides.items():
        general = steps.get((step, "general"))
        if general is None:
            continue
        amount, unit = parse_limit(text)
        # "working" calendars apply to hour-like units only
        calendar = general.calendar if not unit.endswith("_days") else "wall"
        for severity in SEVERITIES:
            own = steps[step, severity]
            if severity == "general" or (own.amount, own.unit) == (general.amount, general.unit):
                out[step, severity] = replace(own, amount=amount, unit=unit, calendar=calendar)
    return out
