"""Every message code a service gives an error has its words in both catalogues.

A page shows ``t('err.<code>', **params)`` for a refusal with a code (app/web/refusals.py); the codes are
found here by reading app/services: ``code="..."`` given to an error class, and ``"code": "..."`` in a
field error (a dict that also names its ``"field"``); an error class's code must be a literal.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app import errors
from app.web.i18n import load_catalogue
from app.web.refusals import message_key

ROOT = Path(__file__).resolve().parents[2]
ERROR_CLASSES = {name for name, value in vars(errors).items() if isinstance(value, type)}


def _codes() -> dict[str, str]:
    """Each code used under app/services -> where it is first used."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "app" / "services").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ERROR_CLASSES:
                for kw in node.keywords:
                    if kw.arg == "code":
                        assert isinstance(kw.value, ast.Constant), f"{where}: write the code as a literal"
                        found.setdefault(kw.value.value, where)
            elif isinstance(node, ast.Dict):
                keys = {k.value: v for k, v in zip(node.keys, node.values) if isinstance(k, ast.Constant)}
                # a helper that builds field errors from its arguments (complaints/evidence.py) is skipped
                if "field" in keys and isinstance(keys.get("code"), ast.Constant):
                    found.setdefault(keys["code"].value, where)
    return found


def test_the_services_give_codes():
    assert len(_codes()) > 40


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_every_code_a_service_uses_has_its_words(locale):
    catalogue = load_catalogue()[locale]
    missing = {code: where for code, where in _codes().items() if not catalogue.get(message_key(code))}
    assert missing == {}, f"add err.<code> to app/web/message_codes.py and to both catalogues ({locale})"
