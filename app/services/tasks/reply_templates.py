"""Reply templates (话术) from config/reply_templates.toml, filled from a task's data."""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from ...config import ROOT

DEFAULT_FILE = ROOT / "config" / "reply_templates.toml"
PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


@lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> tuple[dict[str, Any], ...]:
    doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    out = []
    for i, entry in enumerate(doc.get("template", [])):
        missing = [k for k in ("id", "steps", "field", "title", "text") if k not in entry]
        if missing:
            raise SystemExit(f"{path}: template #{i + 1} lacks {', '.join(missing)}")
        out.append(dict(entry))
    return tuple(out)


def load(path: Path | str | None = None) -> tuple[dict[str, Any], ...]:
    """Every template in the file (reread when the file changes)."""
    p = Path(path or DEFAULT_FILE)
    if not p.exists():
        return ()
    return _load(str(p), p.stat().st_mtime)


def fill(text: str, values: Mapping[str, Any]) -> str:
    """Replace {name} with the value when there is one; leave the placeholder for the agent otherwise."""

    def one(m: re.Match) -> str:
        value = values.get(m.group(1))
        if value in (None, ""):
            return m.group(0)
        # Templates end their own sentences: a value's closing stop would double it (。。).
        return str(value).rstrip("。.；; ")

    return PLACEHOLDER.sub(one, text)


def for_step(element_id: str, values: Mapping[str, Any], path: Path | str | None = None) -> list[dict[str, Any]]:
    """The templates of one step, filled: [{id, field, title, title_en, text}]."""
    return [
        {
            "id": e["id"],
            "field": e["field"],
            "title": e["title"],
            "title_en": e.get("title_en", e["title"]),
            "text": fill(e["text"], values),
        }
        for e in load(path)
        if element_id in e["steps"]
    ]
