"""Labels of coded values (category, severity, channel...) taken from the deployed forms' enums.

The forms are the single source of these codes and their Chinese/English titles, so a process
owner who adds a category in a form sees it labelled here without a code change.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import current_app

from .i18n import current_locale, load_catalogue, t

# field -> the form that defines its options
SOURCES = {
    "category": "classify-schema.json",
    "severity": "classify-schema.json",
    "special_type": "classify-schema.json",
    "channel": "receive-schema.json",
    "department": "dispatch-schema.json",
    "contact_method": "feedback-schema.json",
    "satisfaction": "feedback-schema.json",
}


@lru_cache(maxsize=32)
def _options(forms_dir: str, form: str, field: str) -> tuple[dict[str, Any], ...]:
    path = Path(forms_dir) / form
    if not path.exists():
        return ()
    node = json.loads(path.read_text(encoding="utf-8")).get("properties", {}).get(field, {})
    return tuple(o for o in node.get("oneOf", []) if "const" in o)


def options(field: str, short: bool = False) -> list[dict[str, Any]]:
    """[{value, label}] for a coded field, in the current locale (``short``: without explanations)."""
    return list(_localized(current_app.config["FORMS_DIR"], field, current_locale(), short))


@lru_cache(maxsize=256)
def _localized(forms_dir: str, field: str, locale: str, short: bool) -> tuple[dict[str, Any], ...]:
    form = SOURCES.get(field)
    if not form:
        return ()
    out = []
    for o in _options(forms_dir, form, field):
        text = o.get("x-title-en") if locale == "en" and o.get("x-title-en") else o.get("title", str(o["const"]))
        if short:
            text = re.split(r"[（(]", text, maxsplit=1)[0].strip() or text
        out.append({"value": o["const"], "label": text})
    return tuple(out)


def label(field: str, value: Any, short: bool = False) -> str:
    """The label of one coded value; the code itself when unknown; empty for None.

    ``short`` drops a parenthesised explanation (网络质量（信号、通话…） -> 网络质量) for dense tables.
    """
    if value in (None, ""):
        return ""
    if field == "step":
        return _step_label(value)
    for o in _localized(current_app.config["FORMS_DIR"], field, current_locale(), short):
        if o["value"] == value:
            return o["label"]
    return str(value)


def _step_label(element_id: str) -> str:
    """Diagrams name steps in Chinese; English names are messages (empty when there is none)."""
    if current_locale() != "en":
        return ""
    key = f"step.{element_id}"
    text = t(key)
    return "" if text == key else text


def step_name(element_id: str | None, name: str | None) -> str:
    """A step's name: the diagram's (Chinese) name, or its English message when English is chosen."""
    return label("step", element_id) or name or element_id or "" if element_id else (name or "")


@lru_cache(maxsize=1)
def _step_ids_by_chinese_name() -> dict[str, str]:
    return {
        text: key.removeprefix("step.") for key, text in load_catalogue()["zh-CN"].items() if key.startswith("step.")
    }


def step_name_of(name: str | None) -> str:
    """A step known only by its diagram (Chinese) name, as a complaint's current step is stored: in English
    its English name when the step has one."""
    if not name or current_locale() != "en":
        return name or ""
    element = _step_ids_by_chinese_name().get(name)
    return step_name(element, name) if element else name


def init_app(app) -> None:
    app.jinja_env.globals.update(label=label, options=options, step_name=step_name, step_name_of=step_name_of)
