"""A service's refusal in the reader's language: the message its code names, else a plain sentence per status.

Services raise errors with an English ``detail`` (for the API and the logs) and, where a page user can meet
them, a ``code`` and ``params`` (app/errors.py). Pages show ``t('err.<code>', **params)``; an error without a
code reads as a generic sentence in Chinese ("操作未完成：没有权限") and as its English detail in English.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from ..errors import Invalid, ServiceError
from .i18n import N_, current_locale, group_name, t
from .diagram_problems import problem_text
from .labels import step_name_of
from .refusal_codes import HOLIDAYS, NOTICE_PLACES

# When a refusal has no code yet: what a Chinese reader is told, by status.
GENERIC = {
    400: N_("err.generic.400"),
    401: N_("err.generic.401"),
    403: N_("err.generic.403"),
    404: N_("err.generic.404"),
    409: N_("err.generic.409"),
    422: N_("err.generic.422"),
    429: N_("err.generic.429"),
}
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Parameters that are codes themselves, shown in words.
_GROUP_PARAMS = ("group", "to_group", "from_group")


def _words(params: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(params)
    for name in _GROUP_PARAMS:
        if name in out:
            out[name] = group_name(out[name])
    if "step" in out:
        out["step"] = step_name_of(out["step"])
    place, holiday = out.get("place"), out.get("holiday")
    if place in NOTICE_PLACES:  # a holiday notice's line, row or entry
        out["where"] = t(NOTICE_PLACES[place], n=out.get("n", ""))
    if holiday in HOLIDAYS:
        out["holiday"] = t(HOLIDAYS[holiday])
    return out


# Codes whose words were written before the codes (the customer page's own message).
_KEYS = {"evidence.closed": N_("public.evidence_closed")}


def message_key(code: str) -> str:
    """The catalogue's key for a message code: ``err.<code>``; the evidence checks keep ``evidence.err.*``."""
    if code in _KEYS:
        return _KEYS[code]
    if code.startswith("evidence."):  # the evidence checks' own messages (evidence.refusal_text)
        return f"evidence.err.{code.removeprefix('evidence.')}"
    return f"err.{code}"


def coded_text(code: str | None, params: Mapping[str, Any] | None, english: str, status: int = 400) -> str:
    """The message a code names; without a code, the English text in English and a generic sentence in Chinese."""
    if code:
        return t(message_key(code), **_words(params or {}))
    if current_locale() == "en" and english:
        return english
    if _CJK.search(english):  # written in Chinese already ("必填 / required"): its Chinese part
        return english.split(" / ")[0]
    return t(GENERIC.get(status, GENERIC[400]))


def error_text(exc: ServiceError) -> str:
    """The refusal as one sentence; for Invalid, its field messages joined when it names no code of its own."""
    if isinstance(exc, Invalid) and not exc.code and exc.errors:
        return field_errors_text(exc)
    return coded_text(exc.code, exc.params, exc.detail, exc.status)


def field_error_text(error: Mapping[str, Any], status: int = 422) -> str:
    """One field's error (``{"field", "message", "code"?, "params"?}``) in the reader's language.

    A diagram check's problem (code ``check.*``, a deploy's blocking problems) is said as the editor says it.
    """
    if str(error.get("code") or "").startswith("check."):
        return problem_text(error)
    return coded_text(error.get("code"), error.get("params"), error.get("message", ""), status)


def field_errors(exc: Invalid) -> dict[str, str]:
    """Each field's error in the reader's language, keyed by field name (``""`` for the form as a whole)."""
    return {e.get("field") or "": field_error_text(e) for e in exc.errors}


def field_errors_text(exc: Invalid) -> str:
    """Every field's error in one line."""
    texts = list(dict.fromkeys(field_error_text(e) for e in exc.errors))
    return "；".join(texts) if current_locale() != "en" else "; ".join(texts)
