"""How much each deploy check of a diagram matters (config/diagram_rules.toml): error, warning or off."""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

LEVELS = {"error": "error", "warning": "warning", "warn": "warning", "off": "off"}
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "config" / "diagram_rules.toml"


class DiagramRulesError(ValueError):
    """The rules file is unreadable or names a level that does not exist."""


@functools.lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> dict[str, str]:
    try:
        doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DiagramRulesError(f"{path}: {exc}") from exc
    rules = doc.get("rules", {})
    if not isinstance(rules, dict):
        raise DiagramRulesError(f"{path}: [rules] must be a table of rule = level")
    out = {}
    for rule, level in rules.items():
        if level not in LEVELS:
            raise DiagramRulesError(f"{path}: rule {rule!r} has level {level!r}; use error, warning or off")
        out[rule] = LEVELS[level]
    return out


def rule_levels(path: str | Path | None = None) -> dict[str, str]:
    """rule name -> "error" | "warning" | "off", re-read when the file changes."""
    path = Path(path or DEFAULT_PATH)
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise DiagramRulesError(f"{path}: {exc}") from exc
    return _load(str(path), mtime)
