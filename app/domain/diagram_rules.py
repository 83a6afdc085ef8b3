"""How much each deploy check of a diagram matters (config/diagram_rules.toml): error, warning or off.

The file is read whole and checked at start-up (services/bootstrap.py): a rule nobody checks, a
level that does not exist or a value of the wrong type stops the app with a message naming the
file, the key and what is allowed, instead of silently keeping a check's default level.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

LEVELS = {"error": "error", "warning": "warning", "warn": "warning", "off": "off"}
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "config" / "diagram_rules.toml"

# bpmnlint's recommended rules, as app/engine/lint.py ports them (a unit test holds the two equal)
LINT_RULES = frozenset(
    {
        "ad-hoc-sub-process",
        "conditional-flows",
        "end-event-required",
        "event-based-gateway",
        "event-sub-process-typed-start-event",
        "fake-join",
        "global",
        "label-required",
        "link-event",
        "no-bpmndi",
        "no-complex-gateway",
        "no-disconnected",
        "no-duplicate-sequence-flows",
        "no-gateway-join-fork",
        "no-implicit-split",
        "no-implicit-end",
        "no-implicit-start",
        "no-inclusive-gateway",
        "no-overlapping-elements",
        "single-blank-start-event",
        "single-event-definition",
        "start-event-required",
        "sub-process-blank-start-event",
        "superfluous-gateway",
        "superfluous-label",
        "superfluous-termination",
    }
)
# this application's own checks whose level the file may set (the parser's, the XML's and the
# sandbox's refusals always block and are not configurable)
OWN_RULES = frozenset(
    {
        "undeclared-name",
        "unreachable",
        "no-end",
        "lane",
        "form",
        "start-groups",
        "sla",
        "connector",
        "instructions",
        "work-limits",
        "camunda-form",
        "candidate-groups",
    }
)
RULES = LINT_RULES | OWN_RULES


class DiagramRulesError(ValueError):
    """The rules file is unreadable, names a rule nobody checks, or a level that does not exist."""


def _allowed(values) -> str:
    return ", ".join(sorted(values))


@functools.lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> dict[str, str]:
    try:
        doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DiagramRulesError(f"{path}: {exc}") from exc
    unknown_tables = sorted(set(doc) - {"rules"})
    if unknown_tables:
        raise DiagramRulesError(f"{path}: unknown key {unknown_tables[0]!r}; the file has one table, [rules]")
    rules = doc.get("rules", {})
    if not isinstance(rules, dict):
        raise DiagramRulesError(f"{path}: key 'rules' must be a table ([rules]) of rule = level")
    out = {}
    for rule, level in rules.items():
        if rule not in RULES:
            raise DiagramRulesError(f"{path}: [rules] {rule!r} is not a rule; allowed: {_allowed(RULES)}")
        if not isinstance(level, str):
            raise DiagramRulesError(
                f"{path}: [rules] {rule!r} must be a quoted level, not {type(level).__name__} {level!r}; "
                f"allowed: {_allowed(LEVELS)}"
            )
        if level not in LEVELS:
            raise DiagramRulesError(f"{path}: [rules] {rule!r} has level {level!r}; allowed: {_allowed(LEVELS)}")
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
