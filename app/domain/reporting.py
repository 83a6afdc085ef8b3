"""Reporting settings from config/reporting.toml: subscriber base, regulator categories, windows.

    [subscribers]               default = 12_500_000, "2026-Q1" = 12_600_000
    [regulator_categories]      service = { zh = "服务", en = "Service", ours = ["service", "aftersales"] }

The repeat window is not set here: config/flow.toml [repeat] window_days is the one window every view uses.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

QUARTER = re.compile(r"^(20\d{2})-Q([1-4])$")  # this century: a quarter the reports can count
MAX_REPEAT_WINDOW_DAYS = 366  # the daily roll-ups keep each complaint's gap to the previous one up to a year


@dataclass(frozen=True)
class RegulatorCategory:
    code: str
    zh: str
    en: str
    ours: tuple[str, ...]


@dataclass(frozen=True)
class ReportingConfig:
    repeat_window_days: int = 30  # filled from config/flow.toml [repeat] window_days by the reporting service
    reply_limit_days: int = 15
    default_subscribers: int = 1_000_000
    subscribers_by_quarter: dict[str, int] = field(default_factory=dict)
    regulator_categories: tuple[RegulatorCategory, ...] = ()

    def subscribers(self, quarter: str) -> int:
        """The subscriber base of a quarter ("2026-Q1")."""
        return self.subscribers_by_quarter.get(quarter, self.default_subscribers)

    def regulator_category(self, ours: str | None) -> str:
        """The regulator's category code counting one of our categories ("other" when unmapped)."""
        for cat in self.regulator_categories:
            if ours in cat.ours:
                return cat.code
        return "other"

    @classmethod
    def load(cls, path: str | Path) -> "ReportingConfig":
        """Read and check the file; a bad entry raises ValueError naming it."""
        doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        subs = dict(doc.get("subscribers", {}))
        default = subs.pop("default", 1_000_000)
        for key, value in [("default", default), *subs.items()]:
            if key != "default" and not QUARTER.match(key):
                raise ValueError(f"[subscribers] {key!r}: quarters are written YYYY-Qn")
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f"[subscribers] {key}: a positive whole number is required")
        cats = []
        for code, entry in doc.get("regulator_categories", {}).items():
            ours = entry.get("ours")
            if not isinstance(ours, list) or not all(isinstance(o, str) for o in ours):
                raise ValueError(f"[regulator_categories] {code}: ours must be a list of category codes")
            cats.append(RegulatorCategory(code, entry.get("zh", code), entry.get("en", code), tuple(ours)))
        if "repeat_window_days" in doc:  # it was set here and in two other places, which disagreed
            raise ValueError("repeat_window_days: set the repeat window once, in config/flow.toml [repeat] window_days")
        return cls(
            reply_limit_days=int(doc.get("reply_limit_days", 15)),
            default_subscribers=default,
            subscribers_by_quarter=subs,
            regulator_categories=tuple(cats),
        )


def quarter_of(day: date) -> str:
    """The quarter a local day falls in: 2026-Q1."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_bounds(quarter: str) -> tuple[date, date]:
    """First day of a quarter and first day of the next."""
    m = QUARTER.match(quarter)
    if not m:
        raise ValueError(f"not a quarter: {quarter!r}")
    year, q = int(m.group(1)), int(m.group(2))
    start = date(year, 3 * q - 2, 1)
    end = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
    return start, end
