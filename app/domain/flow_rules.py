"""The rules of the flow's branches: repeat window, appeal admissibility, outage matching, public limits.

Loaded from ``config/flow.toml`` (setting FLOW_CONFIG). Pure: no Flask, no database.

>>> rules = FlowRules()
>>> admissible(rules, received=datetime(2026, 3, 2, tzinfo=timezone.utc),
...            occurred=datetime(2025, 9, 1, tzinfo=timezone.utc), fee_dispute=True, complained_first=True)
(False, 'fee_dispute_too_old')
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

from .reporting import MAX_REPEAT_WINDOW_DAYS

# Why an appeal is not admissible (codes the API returns; the page shows their Chinese text).
REASONS = {
    "no_prior_complaint": "客户未先向本公司投诉，按规定申诉受理中心不予受理",
    "fee_dispute_too_old": "资费争议发生已超过 {fee_months} 个月，不予受理",
    "too_old": "争议发生已超过 {other_years} 年，不予受理",
}


class FlowConfigError(ValueError):
    """A flow rules file that cannot be used, naming the file and the key."""


@dataclass(frozen=True)
class FlowRules:
    repeat_window_days: int = 30
    appeal_fee_months: int = 5
    appeal_other_years: int = 2
    appeal_reply_days: int = 15
    outage_match_hours: int = 72
    file_per_ip_per_hour: int = 5
    file_per_phone_per_day: int = 3
    track_per_ip_per_10_minutes: int = 20
    captcha_minutes: int = 10
    survey_days: int = 7

    @classmethod
    def load(cls, path: str | Path) -> "FlowRules":
        """Read and check a rules file."""
        try:
            with open(path, "rb") as fh:
                data = tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise FlowConfigError(f"{path}: {exc}") from None
        return cls.from_dict(data, str(path))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "<flow rules>") -> "FlowRules":
        names = {
            "repeat": {"window_days": "repeat_window_days"},
            "appeal": {
                "fee_months": "appeal_fee_months",
                "other_years": "appeal_other_years",
                "reply_days": "appeal_reply_days",
            },
            "outage": {"match_hours": "outage_match_hours"},
            "public": {
                f.name: f.name for f in fields(cls) if f.name.startswith(("file_", "track_", "captcha", "survey"))
            },
        }
        values: dict[str, int] = {}
        for section, table in data.items():
            if section not in names or not isinstance(table, Mapping):
                raise FlowConfigError(f"{source}: unknown section [{section}] (known: {', '.join(names)})")
            for key, value in table.items():
                if key not in names[section]:
                    raise FlowConfigError(
                        f"{source}: {section}.{key}: unknown key (known: {', '.join(names[section])})"
                    )
                if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                    raise FlowConfigError(f"{source}: {section}.{key}: must be a positive whole number, got {value!r}")
                values[names[section][key]] = value
        # the dashboard's repeat rate reads each complaint's gap to the phone's previous one, kept up to a year
        if values.get("repeat_window_days", 0) > MAX_REPEAT_WINDOW_DAYS:
            raise FlowConfigError(
                f"{source}: repeat.window_days: at most {MAX_REPEAT_WINDOW_DAYS} days "
                "(the reports keep a complaint's gap to the previous one up to a year)"
            )
        return cls(**values)


def months_before(at: datetime, months: int) -> datetime:
    """The same instant ``months`` calendar months earlier (the last day of a shorter month)."""
    year, month = divmod(at.year * 12 + at.month - 1 - months, 12)
    month += 1
    day = min(
        at.day,
        [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][
            month - 1
        ],
    )
    return at.replace(year=year, month=month, day=day)


def admissible(
    rules: FlowRules, *, received: datetime, occurred: datetime, fee_dispute: bool, complained_first: bool
) -> tuple[bool, str | None]:
    """Whether the appeal centre's work order may be handled, else the reason code (REASONS)."""
    if not complained_first:
        return False, "no_prior_complaint"
    received, occurred = _utc(received), _utc(occurred)
    if fee_dispute and occurred < months_before(received, rules.appeal_fee_months):
        return False, "fee_dispute_too_old"
    if not fee_dispute and occurred < months_before(received, 12 * rules.appeal_other_years):
        return False, "too_old"
    return True, None


def reason_text(rules: FlowRules, code: str | None) -> str | None:
    """The Chinese text of an inadmissibility reason."""
    if code is None:
        return None
    return REASONS[code].format(fee_months=rules.appeal_fee_months, other_years=rules.appeal_other_years)


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)
