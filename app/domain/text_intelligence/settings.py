"""The text features' settings (config/text_intelligence.toml), checked when read."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path


class TextSettingsError(ValueError):
    """A setting is missing or out of range; the message names it."""


@dataclass(frozen=True)
class TextSettings:
    seed_file: Path
    retrain_hours: float = 24
    min_new_decisions: int = 20
    correction_weight: float = 5.0
    history_days: int = 730
    max_texts: int = 50_000
    similar_window_days: int = 180
    similar_limit: int = 5
    similar_min_score: float = 0.35
    repeat_score: float = 0.45
    burst_window_minutes: int = 120
    burst_threshold: int = 5
    burst_min_score: float = 0.30
    topic_clusters: int = 8
    topic_min_complaints: int = 20

    @classmethod
    def load(cls, path: Path | str) -> "TextSettings":
        path = Path(path)
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        m, sim, b, top = (raw.get(k, {}) for k in ("model", "similar", "burst", "topics"))
        try:
            s = cls(
                seed_file=path.parent / m.get("seed_file", "text_seed.csv"),
                retrain_hours=float(m.get("retrain_hours", 24)),
                min_new_decisions=int(m.get("min_new_decisions", 20)),
                correction_weight=float(m.get("correction_weight", 5.0)),
                history_days=int(m.get("history_days", 730)),
                max_texts=int(m.get("max_texts", 50_000)),
                similar_window_days=int(sim.get("window_days", 180)),
                similar_limit=int(sim.get("limit", 5)),
                similar_min_score=float(sim.get("min_score", 0.35)),
                repeat_score=float(sim.get("repeat_score", 0.45)),
                burst_window_minutes=int(b.get("window_minutes", 120)),
                burst_threshold=int(b.get("threshold", 5)),
                burst_min_score=float(b.get("min_score", 0.30)),
                topic_clusters=int(top.get("clusters", 8)),
                topic_min_complaints=int(top.get("min_complaints", 20)),
            )
        except (TypeError, ValueError) as exc:
            raise TextSettingsError(f"{path}: {exc}") from exc
        for name in ("similar_min_score", "repeat_score", "burst_min_score"):
            if not 0 < getattr(s, name) <= 1:
                raise TextSettingsError(f"{path}: {name} must be in (0, 1]")
        if s.burst_threshold < 2 or s.topic_clusters < 2 or s.max_texts < 10:
            raise TextSettingsError(f"{path}: burst.threshold and topics.clusters need at least 2, model.max_texts 10")
        return s
