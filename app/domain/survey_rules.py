"""Surveys of complaints still in progress (seed 000, 8.1.2) and who hears of an answer (8.2): the rules.

Loaded from ``config/surveys.toml`` (setting SURVEYS_CONFIG). The sample is deterministic: a complaint is in it
when a keyed hash of its number falls below its channel's rate, so running the job again (on any host, after
a restart) picks the same complaints, and raising the rate only adds complaints. Pure: no Flask, no database.

>>> rules = SurveyRules(rate=0.5)
>>> in_sample(rules, "TS20260302000001", "phone") == in_sample(rules, "TS20260302000001", "phone")
True
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

CHANNELS = ("phone", "online", "letter", "hall", "social")
RATING_KEYS = ("rating_timeliness", "rating_attitude", "rating_result", "rating_process")
SCALE = 2**64


class SurveyConfigError(ValueError):
    """A surveys file that cannot be used, naming the file and the key."""


@dataclass(frozen=True)
class SurveyRules:
    enabled: bool = True
    rate: float = 0.1  # share of eligible open complaints surveyed
    rate_by_channel: Mapping[str, float] = field(default_factory=dict)  # overrides per channel (0: never)
    min_age_days: int = 3  # open at least this long: the customer has seen some handling
    per_run: int = 200  # at most this many surveys sent per run of the job (the rest wait for the next run)
    low_rating: int = 2  # a rating at or below this (1-5), or 不满意, flags the answer
    sample_key: str = "in-progress"  # part of the hash: change it to draw a different sample

    @classmethod
    def load(cls, path: str | Path) -> "SurveyRules":
        try:
            with open(path, "rb") as fh:
                data = tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise SurveyConfigError(f"{path}: {exc}") from None
        return cls.from_dict(data, str(path))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "<surveys>") -> "SurveyRules":
        unknown = set(data) - {"in_progress", "routing"}
        if unknown:
            raise SurveyConfigError(f"{source}: unknown section [{sorted(unknown)[0]}] (known: in_progress, routing)")
        sample = dict(data.get("in_progress", {}))
        routing = dict(data.get("routing", {}))
        known = {"enabled", "rate", "rate_by_channel", "min_age_days", "per_run", "sample_key"}
        for key in sample:
            if key not in known:
                raise SurveyConfigError(f"{source}: in_progress.{key}: unknown key (known: {', '.join(sorted(known))})")
        for key in routing:
            if key != "low_rating":
                raise SurveyConfigError(f"{source}: routing.{key}: unknown key (known: low_rating)")
        enabled = sample.get("enabled", True)
        if not isinstance(enabled, bool):
            raise SurveyConfigError(f"{source}: in_progress.enabled: true or false, got {enabled!r}")
        rate = _share(source, "in_progress.rate", sample.get("rate", cls.rate))
        by_channel = sample.get("rate_by_channel", {})
        if not isinstance(by_channel, Mapping):
            raise SurveyConfigError(f"{source}: in_progress.rate_by_channel: a table of channel = share")
        for channel in by_channel:
            if channel not in CHANNELS:
                raise SurveyConfigError(
                    f"{source}: in_progress.rate_by_channel.{channel}: unknown channel (known: {', '.join(CHANNELS)})"
                )
        rates = {c: _share(source, f"in_progress.rate_by_channel.{c}", v) for c, v in by_channel.items()}
        ints = {}
        for section, key, low, high, default in (
            (sample, "min_age_days", 0, 365, cls.min_age_days),
            (sample, "per_run", 1, 100_000, cls.per_run),
            (routing, "low_rating", 1, 4, cls.low_rating),
        ):
            value = section.get(key, default)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                where = "routing" if section is routing else "in_progress"
                raise SurveyConfigError(f"{source}: {where}.{key}: a whole number {low}-{high}, got {value!r}")
            ints[key] = value
        sample_key = sample.get("sample_key", cls.sample_key)
        if not isinstance(sample_key, str) or not sample_key:
            raise SurveyConfigError(f"{source}: in_progress.sample_key: a non-empty text")
        return cls(enabled, rate, rates, sample_key=sample_key, **ints)

    def rate_for(self, channel: str | None) -> float:
        return self.rate_by_channel.get(channel or "", self.rate)


def _share(source: str, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise SurveyConfigError(f"{source}: {key}: a share from 0 to 1, got {value!r}")
    return float(value)


def in_sample(rules: SurveyRules, number: str, channel: str | None) -> bool:
    """Whether the complaint with this number is in the in-progress sample of its channel."""
    digest = hashlib.sha256(f"{rules.sample_key}:{number}".encode()).digest()
    return int.from_bytes(digest[:8], "big") < rules.rate_for(channel) * SCALE


def is_low(rules: SurveyRules, satisfaction: str | None, ratings: Mapping[str, Any]) -> bool:
    """An answer the people concerned must look at first: 不满意, or any rating at or below the threshold."""
    if satisfaction == "unsatisfied":
        return True
    return any(
        isinstance(ratings.get(k), int) and not isinstance(ratings.get(k), bool) and ratings[k] <= rules.low_rating
        for k in RATING_KEYS
    )
