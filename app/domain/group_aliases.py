"""Map the groups and users a brought diagram names to our groups (config/group_aliases.toml).

Camunda 7 names candidate groups and users by its own names (camunda:candidateGroups,
camunda:candidateUsers, camunda:assignee), spiff-arena by lane names. Each name maps to a group
code when it is one, is a group's Chinese or English name, or is listed in the file's
[group_aliases]; the first name that maps wins. A task whose names map to nothing goes to the
file's [fallback] group (and the deploy check warns naming the element).
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from .groups import GROUPS, lane_groups

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "config" / "group_aliases.toml"


class GroupAliasesError(ValueError):
    """The file is unreadable, maps to a group that does not exist, or has no fallback."""


@dataclass(frozen=True)
class GroupAssignment:
    """The names a diagram may use for our groups, and where a task naming none of them goes."""

    fallback: str
    aliases: Mapping[str, str] = field(default_factory=dict)  # lower-cased name -> group code

    def group_of(self, name: str, known: Mapping[str, str] | None = None) -> str | None:
        """The group code a name stands for (None when it maps to nothing)."""
        name = name.strip()
        if not name:
            return None
        known = known if known is not None else lane_groups()
        return known.get(name) or self.aliases.get(name.lower())

    def first_group(self, names: Iterable[str], known: Mapping[str, str] | None = None) -> str | None:
        for name in names:
            code = self.group_of(name, known)
            if code:
                return code
        return None


def split_names(value: str | None) -> list[str]:
    """camunda:candidateGroups="accounting, sales" -> ["accounting", "sales"] (commas between names)."""
    return [n.strip() for n in (value or "").split(",") if n.strip()]


@functools.lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> GroupAssignment:
    codes = {g.code for g in GROUPS}
    allowed = ", ".join(sorted(codes))
    try:
        doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise GroupAliasesError(f"{path}: {exc}") from exc
    unknown = sorted(set(doc) - {"fallback", "group_aliases"})
    if unknown:
        raise GroupAliasesError(f"{path}: unknown key {unknown[0]!r}; the file has [fallback] and [group_aliases]")
    fallback = doc.get("fallback", {})
    group = fallback.get("group") if isinstance(fallback, dict) else None
    if group not in codes:
        raise GroupAliasesError(f"{path}: [fallback] group is {group!r}; allowed: {allowed}")
    aliases = doc.get("group_aliases", {})
    if not isinstance(aliases, dict):
        raise GroupAliasesError(f"{path}: key 'group_aliases' must be a table of name = group code")
    out = {}
    for name, code in aliases.items():
        if code not in codes:
            raise GroupAliasesError(f"{path}: [group_aliases] {name!r} = {code!r} is not a group; allowed: {allowed}")
        out[name.strip().lower()] = code
    return GroupAssignment(group, out)


def group_assignment(path: str | Path | None = None) -> GroupAssignment:
    """The configured mapping, re-read when the file changes."""
    path = Path(path or DEFAULT_PATH)
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise GroupAliasesError(f"{path}: {exc}") from exc
    return _load(str(path), mtime)
