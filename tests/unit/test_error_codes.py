"""Every refusal a page can show has a message code, and every code has its words in both catalogues.

A page shows ``t('err.<code>', **params)`` for a refusal with a code (app/web/refusals.py); the codes are
found here by reading app/services, app/domain and app/web: ``code="..."`` given to an error class, the code a
coded helper takes (``NoticeError(message, "calendar.notice.kind", ...)``), and ``"code": "..."`` in a field
error (a dict that also names its ``"field"``); an error class's code must be a literal. A refusal written as
literal text only (an error class without ``code=``, a field error ``{"field", "message"}`` without ``"code"``)
fails: a Chinese page could only say "操作未完成" for it, or quote its English.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app import errors
from app.services.process_models.form_errors import CODES as FORM_CODES
from app.web.i18n import load_catalogue
from app.web.refusals import message_key

ROOT = Path(__file__).resolve().parents[2]
ERROR_CLASSES = {name for name, value in vars(errors).items() if isinstance(value, type)}
# Where refusals are written: the use cases, the rules they apply, the views (the API answers in English only).
FOLDERS = ("services", "domain", "web")
# Helpers that take a refusal's code as a positional argument: name -> its index.
CODED_HELPERS = {"NoticeError": 1, "FileRefused": 1, "err": 2}


def _sources():
    for folder in FOLDERS:
        for path in sorted((ROOT / "app" / folder).rglob("*.py")):
            yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")


def _codes() -> dict[str, str]:
    """Each code used under app/services, app/domain and app/web -> where it is first used."""
    found: dict[str, str] = {code: "app/services/process_models/form_errors.py" for code in FORM_CODES}
    for name, text in _sources():
        for node in ast.walk(ast.parse(text)):
            where = f"{name}:{getattr(node, 'lineno', 0)}"
            called = getattr(node.func, "id", None) if isinstance(node, ast.Call) else None
            if called in ERROR_CLASSES or called == "NoticeProblem":
                for kw in node.keywords:
                    if kw.arg == "code":
                        assert isinstance(kw.value, ast.Constant), f"{where}: write the code as a literal"
                        found.setdefault(kw.value.value, where)
            elif called in CODED_HELPERS and len(node.args) > CODED_HELPERS[called]:
                code = node.args[CODED_HELPERS[called]]
                assert isinstance(code, ast.Constant), f"{where}: write the code as a literal"
                found.setdefault(code.value, where)
            elif isinstance(node, ast.Dict):
                keys = {k.value: v for k, v in zip(node.keys, node.values) if isinstance(k, ast.Constant)}
                # a helper that builds field errors from its arguments (complaints/evidence.py) is skipped
                if "field" in keys and isinstance(keys.get("code"), ast.Constant):
                    found.setdefault(keys["code"].value, where)
    return found


def uncoded_refusals(text: str, name: str = "<source>") -> list[str]:
    """Where a refusal carries literal text only: an error class without ``code=`` (``Invalid`` may leave its
    code to its field errors, which it must then list), or a field error without ``"code"``."""
    found = []
    for node in ast.walk(ast.parse(text)):
        where = f"{name}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ERROR_CLASSES:
            if any(kw.arg == "code" for kw in node.keywords):
                continue
            listed = node.args[1] if len(node.args) > 1 else None
            if node.func.id != "Invalid" or (isinstance(listed, ast.List) and not listed.elts) or listed is None:
                found.append(f"{where}: {ast.get_source_segment(text, node)}")
        elif isinstance(node, ast.Dict):
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
            if {"field", "message"} <= keys and "code" not in keys:
                found.append(f"{where}: {ast.get_source_segment(text, node)}")
    return found


def test_the_services_give_codes():
    assert len(_codes()) > 40


def test_every_refusal_has_a_code():
    found = [line for name, text in _sources() for line in uncoded_refusals(text, name)]
    assert found == [], "give each refusal a code (and err.<code> in both catalogues):\n" + "\n".join(found)


@pytest.mark.parametrize(
    "source",
    [
        'raise Conflict("the task was taken")',
        'raise Forbidden(f"only {group} may")',
        'raise Invalid("bad", [{"field": "name", "message": "1 to 64 characters"}])',
        'errors.append({"field": "due", "message": "a date"})',
        'raise Invalid("bad", [])',
    ],
)
def test_a_literal_refusal_is_found(source):
    assert uncoded_refusals(source) != []


@pytest.mark.parametrize(
    "source",
    [
        'raise Conflict("the task was taken", code="task.taken")',
        'raise Invalid("bad", [{"field": "name", "message": "1 to 64", "code": "search.bad_name"}])',
        'raise Invalid("bad search", errors)',
    ],
)
def test_a_coded_refusal_passes(source):
    assert uncoded_refusals(source) == []


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_every_code_a_service_uses_has_its_words(locale):
    catalogue = load_catalogue()[locale]
    missing = {code: where for code, where in _codes().items() if not catalogue.get(message_key(code))}
    assert missing == {}, f"add err.<code> to app/web/message_codes.py and to both catalogues ({locale})"
