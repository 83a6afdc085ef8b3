"""Coded answers (ours, refund, director...) shown in words: the forms' option titles are the dictionary.

A process owner writes instructions such as ``责任归属：{{ responsibility }}``; the task data hold the
code the form stored (``ours``). The words come from the form that asked the question, so a new
option in a form is shown in words with no code change.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from markupsafe import escape


def option_titles(schemas: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """field -> {code: title} from every ``oneOf`` of const/title in the forms' top-level properties."""
    out: dict[str, dict[str, str]] = {}
    for schema in schemas:
        for field, node in (schema.get("properties") or {}).items():
            if not isinstance(node, Mapping):
                continue
            for option in node.get("oneOf") or ():
                if isinstance(option, Mapping) and isinstance(option.get("const"), str) and option.get("title"):
                    out.setdefault(field, {}).setdefault(option["const"], option["title"])
    return out


class CodedText(str):
    """A code that compares as the code (``{% if level == "director" %}`` keeps working) and prints as its title."""

    # Not "title": that would hide str.title(), which a template may still call on the code.
    shown: str

    def __new__(cls, code: str, title: str) -> "CodedText":
        obj = super().__new__(cls, code)
        obj.shown = title
        return obj

    def __str__(self) -> str:
        return self.shown

    def __html__(self) -> str:  # what an autoescaping template prints
        return str(escape(self.shown))


def in_words(data: Mapping[str, Any], titles: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    """The data with each coded answer wrapped so that printing it shows its title."""
    out = dict(data)
    for field, value in data.items():
        title = titles.get(field, {}).get(value) if isinstance(value, str) else None
        if title:
            out[field] = CodedText(value, title)
    return out
