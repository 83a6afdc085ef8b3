"""The message catalogue: Chinese first (zh-CN), English switchable; the locale lives in the session.

Messages are flat dotted keys in ``messages/<locale>/*.json``; each feature keeps its own file
(``core.json``, ``inbox.json``, ...) so that features can be added without touching each other.
A key missing in English falls back to Chinese, then to the key itself.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from flask import Flask, g, session
from markupsafe import Markup, escape

from ..domain.groups import GROUPS
from ..domain.personal_data import mask_phone

LOCALES = ("zh-CN", "en")
DEFAULT_LOCALE = "zh-CN"
MESSAGES_DIR = Path(__file__).parent / "messages"
LOCAL_TZ = ZoneInfo("Asia/Shanghai")
_GROUP_NAMES = {g.code: {"zh-CN": g.name_zh, "en": g.name_en} for g in GROUPS}


def load_catalogue(directory: Path = MESSAGES_DIR) -> dict[str, dict[str, str]]:
    """Merge every ``<locale>/*.json`` file; a key defined twice in one locale is an error."""
    out: dict[str, dict[str, str]] = {}
    for locale in LOCALES:
        merged: dict[str, str] = {}
        for path in sorted((directory / locale).glob("*.json")):
            for key, text in json.loads(path.read_text(encoding="utf-8")).items():
                if key in merged:
                    raise SystemExit(f"message key {key!r} is defined twice for {locale} ({path.name})")
                merged[key] = text
        out[locale] = merged
    return out


_CATALOGUE: dict[str, dict[str, str]] = {}


def current_locale() -> str:
    """The session's language, read once per request (pages ask for it hundreds of times)."""
    locale = g.get("locale")
    if locale is None:
        locale = session.get("locale")
        locale = g.locale = locale if locale in LOCALES else DEFAULT_LOCALE
    return locale


def t(key: str, **values: Any) -> str:
    """The message for a key in the current locale, with ``{name}`` placeholders filled."""
    locale = current_locale()
    text = _CATALOGUE.get(locale, {}).get(key) or _CATALOGUE.get(DEFAULT_LOCALE, {}).get(key) or key
    return text.format(**values) if values else text


def loc(node: Mapping[str, Any] | None, field: str = "title") -> str:
    """A schema node's title (or description) in the current locale: ``x-<field>-en`` for English."""
    if not node:
        return ""
    if current_locale() == "en" and node.get(f"x-{field}-en"):
        return node[f"x-{field}-en"]
    return node.get(field) or ""


def group_name(code: str | None) -> str:
    if not code:
        return t("common.anyone")
    names = _GROUP_NAMES.get(code)
    return names[current_locale()] if names else code


def event_label(kind: str) -> str:
    """An audit event type in words: the workspace's message, the audit page's, else the code."""
    for key in (f"event.{kind}", f"audit.event.{kind}"):
        text = t(key)
        if text != key:
            return text
    return kind


def actor_name(actor: str | None, names: Mapping[str, str] | None = None) -> str:
    """Who did it, in words: a user's display name, "系统"/"定时任务" for the machine, else the login."""
    if not actor:
        return ""
    if names and actor in names:
        return names[actor]
    key = f"actor.{actor}"
    text = t(key)
    return actor if text == key else text


def local_time(value: datetime | str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Show an instant in China time (the operator's time zone), whatever the server's zone."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(LOCAL_TZ).strftime(fmt)


_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")


def audit_value(value: Any) -> str:
    """A value from an audit record as text; an instant (stored in UTC) in the user's time zone."""
    if isinstance(value, str):
        if _INSTANT.match(value):
            return local_time(value.replace("Z", "+00:00"), "%Y-%m-%d %H:%M:%S")
        return value
    return json.dumps(value, ensure_ascii=False)


def code_spans(text: str) -> Markup:
    """Message text with `backticked` commands and file names set as code (the rest escaped)."""
    parts = str(text).split("`")
    return Markup("").join(Markup("<code>{}</code>").format(p) if i % 2 else escape(p) for i, p in enumerate(parts))


def duration(seconds: int | float | None) -> str:
    """Time left as the countdown shows it: 2天3时, 1时05分, 4分09秒; 超时 ... when negative."""
    if seconds is None:
        return ""
    en = current_locale() == "en"
    d_, h_, m_, s_, over = ("d ", "h ", "m", "s", "overdue ") if en else ("天", "时", "分", "秒", "超时 ")
    left = int(abs(seconds))
    d, h, m, sec = left // 86400, left % 86400 // 3600, left % 3600 // 60, left % 60
    if d:
        text = f"{d}{d_}{h}{h_}"
    elif h:
        text = f"{h}{h_}{m:02d}{m_}"
    else:
        text = f"{m}{m_}{sec:02d}{s_}"
    return (over if seconds < 0 else "") + text


def init_app(app: Flask) -> None:
    _CATALOGUE.clear()
    _CATALOGUE.update(load_catalogue())
    app.jinja_env.globals.update(
        t=t,
        loc=loc,
        group_name=group_name,
        current_locale=current_locale,
        LOCALES=LOCALES,
        event_label=event_label,
        actor_name=actor_name,
    )
    app.jinja_env.filters.update(
        local_time=local_time, audit_value=audit_value, code_spans=code_spans, mask_phone=mask_phone, duration=duration
    )
