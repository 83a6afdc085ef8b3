"""The pages' words and times: gettext catalogues through Flask-Babel, in the session's language and
the user's time zone.

Messages are symbolic keys (``inbox.claim``) with ``{name}`` placeholders, kept in
``translations/<locale>/LC_MESSAGES/messages.po`` (zh_Hans_CN first, en); templates and views call
``t(key, **values)``. ``bash scripts/messages.sh update`` extracts the keys used (``t('...')`` and the
dynamic ones listed in ``message_codes.py``) and adds new ones to the catalogues; a stale or missing
``.mo`` is compiled at start. Times are shown in the user's time zone (``user_time_zone``), which is
a display setting only: deadlines are computed in the operator's zone (``domain/clock.py``).
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime, timezone, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo

import flask_babel
from babel import Locale, support
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, g, has_request_context, session
from markupsafe import Markup, escape

from ..domain.groups import GROUPS
from ..domain.personal_data import mask_phone
from ..services.accounts.people import time_zones

LOCALES = ("zh-CN", "en")
DEFAULT_LOCALE = "zh-CN"
# The session's names -> the catalogues' folders, named as CLDR names them (Babel reads "zh_CN" as zh_Hans_CN).
GETTEXT_LOCALES = {"zh-CN": "zh_Hans_CN", "en": "en"}
TRANSLATIONS_DIR = Path(__file__).parent / "translations"
OLD_MESSAGES_DIR = Path(__file__).parent / "messages"
DEFAULT_TIME_ZONE = "Asia/Shanghai"
_GROUP_NAMES = {g.code: {"zh-CN": g.name_zh, "en": g.name_en} for g in GROUPS}


def compile_stale_catalogues(directory: Path = TRANSLATIONS_DIR) -> list[Path]:
    """Compile each ``.po`` whose ``.mo`` is missing or older (a fresh clone, a merge); the ones compiled.

    ``scripts/setup.sh`` compiles them already; this keeps a checkout that skipped it from showing keys.
    The file is written beside and renamed, so two processes starting at once never read half a file.
    """
    done = []
    for po in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as f:
            catalogue = read_po(f, locale=po.parent.parent.name)
        partial = mo.with_name(f".{mo.name}.{os.getpid()}")
        with partial.open("wb") as f:
            write_mo(f, catalogue)
        partial.replace(mo)
        done.append(mo)
    return done


def load_catalogue(directory: Path = TRANSLATIONS_DIR) -> dict[str, dict[str, str]]:
    """Each locale's messages as read from its ``.po`` file (``{"zh-CN": {key: text}, "en": ...}``): for tests."""
    out = {}
    for locale, folder in GETTEXT_LOCALES.items():
        with (directory / folder / "LC_MESSAGES" / "messages.po").open("rb") as f:
            out[locale] = {m.id: m.string for m in read_po(f, locale=folder) if m.id}
    return out


def current_locale() -> str:
    """The session's language, read once per request (pages ask for it hundreds of times)."""
    locale = g.get("locale")
    if locale is None:
        locale = session.get("locale")
        locale = g.locale = locale if locale in LOCALES else DEFAULT_LOCALE
    return locale


_BABEL_LOCALES = {name: Locale.parse(folder) for name, folder in GETTEXT_LOCALES.items()}


def _babel_locale() -> Locale:
    return _BABEL_LOCALES[current_locale() if has_request_context() else DEFAULT_LOCALE]


def _babel_time_zone() -> str:
    zone = session.get("tz") if has_request_context() else None
    return zone if zone in time_zones() else DEFAULT_TIME_ZONE


def user_time_zone() -> tzinfo:
    """The zone the user reads and types times in (a setting; Asia/Shanghai unless they chose another)."""
    return ZoneInfo(_babel_time_zone())


def t(key: str, **values: Any) -> str:
    """The message for a key in the current locale, with ``{name}`` placeholders filled.

    A key the catalogue lacks comes back as itself (the tests fail on any such key).
    """
    if not has_request_context():
        text = flask_babel.gettext(key)
    else:
        locale = current_locale()
        words = _WORDS[locale]
        text = words.get(key)
        if text is None:
            text = words[key] = _catalogue(locale).gettext(key)
    return text.format(**values) if values else text


# Each locale's words as looked up so far. The catalogues are compiled before the app starts and never change
# while it runs, and a page asks for the same words hundreds of times (the instance page's timeline names each
# event's type, step and actor per row): each lookup through Flask-Babel walks its context locals, which was
# half of the instance page's template time at a million complaints.
_WORDS: dict[str, dict[str, str]] = {locale: {} for locale in LOCALES}


@lru_cache(maxsize=None)
def _catalogue(locale: str) -> support.NullTranslations:
    """A locale's compiled catalogue, as Flask-Babel reads it (read once the app has compiled stale ones)."""
    return support.Translations.load(str(TRANSLATIONS_DIR), [GETTEXT_LOCALES[locale]])


def N_(key: str) -> str:
    """Mark a key built elsewhere (``'status.' ~ code``) as used, for the extraction; returns it unchanged."""
    return key


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


_STRFTIME = {"%Y": "yyyy", "%m": "MM", "%d": "dd", "%H": "HH", "%M": "mm", "%S": "ss"}


def local_time(value: datetime | str | None, pattern: str = "yyyy-MM-dd HH:mm") -> str:
    """An instant in the user's time zone, as a CLDR pattern says (``MM-dd HH:mm``, ``yyyy-MM-dd``).

    A strftime format (``%m-%d %H:%M``, as callers wrote before) is read as the same pattern.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if "%" in pattern:
        pattern = re.sub(r"%[YmdHMS]", lambda m: _STRFTIME[m.group(0)], pattern)
    digits = _DIGITS_ONLY.get(pattern)
    if digits is not None:  # the same text as Babel's, without its pattern parsing (a page shows hundreds)
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(flask_babel.get_timezone()).strftime(digits)
    return flask_babel.format_datetime(value, pattern)


# Patterns made of digits only read the same in every locale: strftime writes them as Babel does.
_DIGITS_ONLY = {
    "yyyy-MM-dd HH:mm": "%Y-%m-%d %H:%M",
    "yyyy-MM-dd HH:mm:ss": "%Y-%m-%d %H:%M:%S",
    "yyyy-MM-dd": "%Y-%m-%d",
    "MM-dd HH:mm": "%m-%d %H:%M",
    "HH:mm": "%H:%M",
}


_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")


def audit_value(value: Any) -> str:
    """A value from an audit record as text; an instant (stored in UTC) in the user's time zone."""
    if isinstance(value, str):
        if _INSTANT.match(value):
            return local_time(value, "yyyy-MM-dd HH:mm:ss")
        return value
    return json.dumps(value, ensure_ascii=False)


def code_spans(text: str) -> Markup:
    """Message text with `backticked` commands and file names set as code (the rest escaped)."""
    parts = str(text).split("`")
    return Markup("").join(Markup("<code>{}</code>").format(p) if i % 2 else escape(p) for i, p in enumerate(parts))


def duration(seconds: int | float | None) -> str:
    """Time left as the countdown shows it: 2天3时, 1时05分, 4分09秒; 超时 ... when negative.

    The words are the catalogue's ``countdown.*``; the base template hands the same ones to app.js, which
    keeps the countdown running (``ui_words``).
    """
    if seconds is None:
        return ""
    left = int(abs(seconds))
    d, h, m, sec = left // 86400, left % 86400 // 3600, left % 3600 // 60, left % 60
    if d:
        text = t("countdown.days_hours", d=d, h=h)
    elif h:
        text = t("countdown.hours_minutes", h=h, m=f"{m:02d}")
    else:
        text = t("countdown.minutes_seconds", m=m, s=f"{sec:02d}")
    return t("countdown.overdue", time=text) if seconds < 0 else text


def ui_words() -> dict[str, str]:
    """What the scripts write themselves, from the catalogue: the countdown's and the reports' durations
    (patterns with their placeholders kept, {d}, {h}..., filled in the browser) and a dialog's close button."""
    return {
        "days_hours": t("countdown.days_hours", d="{d}", h="{h}"),
        "hours_minutes": t("countdown.hours_minutes", h="{h}", m="{m}"),
        "minutes_seconds": t("countdown.minutes_seconds", m="{m}", s="{s}"),
        "minutes": t("countdown.minutes", m="{m}"),
        "under_a_minute": t("countdown.under_a_minute"),
        "overdue": t("countdown.overdue", time="{time}"),
        "close": t("common.close"),
    }


def init_app(app: Flask) -> None:
    if OLD_MESSAGES_DIR.exists() and any(OLD_MESSAGES_DIR.rglob("*.json")):
        raise SystemExit(
            f"messages in JSON files under {OLD_MESSAGES_DIR}: move them into the gettext catalogues with "
            f"`bash scripts/messages.sh import-json {OLD_MESSAGES_DIR}`, then git rm the JSON files"
        )
    for mo in compile_stale_catalogues():
        app.logger.info("compiled %s", mo)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS_DIR)
    app.config["BABEL_DEFAULT_LOCALE"] = GETTEXT_LOCALES[DEFAULT_LOCALE]
    app.config["BABEL_DEFAULT_TIMEZONE"] = DEFAULT_TIME_ZONE
    flask_babel.Babel(app, locale_selector=_babel_locale, timezone_selector=_babel_time_zone)
    app.jinja_env.globals.update(
        t=t,
        N_=N_,
        loc=loc,
        group_name=group_name,
        current_locale=current_locale,
        user_time_zone=user_time_zone,
        LOCALES=LOCALES,
        event_label=event_label,
        actor_name=actor_name,
        ui_words=ui_words,
    )
    app.jinja_env.filters.update(
        local_time=local_time, audit_value=audit_value, code_spans=code_spans, mask_phone=mask_phone, duration=duration
    )
