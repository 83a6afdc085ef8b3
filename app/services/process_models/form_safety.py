"""Keep a form schema's work bounded: linear-time patterns, references inside the form, no loops.

A form comes from whoever deploys diagrams and is applied to what any user submits. Python's
``re`` backtracks (``^(a+)+$`` on 30 characters takes seconds, doubling per character), a remote
``$ref`` makes the server fetch a URL, a ``$ref`` to itself recurses until Python gives up, and a
file of 100,000 ``[`` or a schema 5,000 levels deep exhausts the parser's stack. Everything here
is checked when the form is deployed, and again (once per schema text) before it validates data.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterator

import orjson
import re2

MAX_SCHEMA_DEPTH = 64  # nesting of a form file; real forms use under 10
MAX_DATA_DEPTH = 32  # nesting of submitted data, as the sandbox allows for task data
DIALECT = "https://json-schema.org/draft/2020-12/schema"

_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # a refused pattern is reported to the deployer, not to stderr


class UnsafeSchema(ValueError):
    """The form schema cannot be applied within bounded work; the message says where and why."""


@lru_cache(maxsize=2048)
def regex(pattern: str):
    """Compile a JSON Schema pattern on RE2 (linear time: no backtracking, no back-references)."""
    try:
        return re2.compile(pattern, _RE2_OPTIONS)
    except re2.error as exc:
        detail = exc.args[0].decode(errors="replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise UnsafeSchema(f"pattern {pattern!r} is not supported (linear-time patterns only: {detail})") from None


def parse_json(text: str | bytes, what: str = "the file", max_depth: int = MAX_SCHEMA_DEPTH) -> Any:
    """Parse JSON text, refusing nesting deeper than max_depth (orjson stops at 1,024 without recursion)."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise UnsafeSchema(f"not valid JSON: {exc} ({what})") from None
    check_depth(value, max_depth, what)
    return value


def check_depth(value: Any, max_depth: int, what: str = "the value") -> None:
    """Raise UnsafeSchema when a JSON value nests deeper than max_depth (an iterative walk)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > max_depth:
            raise UnsafeSchema(f"{what} is nested deeper than {max_depth} levels")
        stack.extend((child, depth + 1) for child in children)


_ONE = (
    "additionalProperties",
    "items",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "not",
    "if",
    "then",
    "else",
)
_MAP = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_LIST = ("allOf", "anyOf", "oneOf", "prefixItems")
_IN_PLACE_ONE = ("not", "if", "then", "else")  # applied to the same value: no progress into the data
_IN_PLACE_LIST = ("allOf", "anyOf", "oneOf")


def _subschemas(node: dict, path: str) -> Iterator[tuple[dict, str]]:
    for key in _ONE:
        if isinstance(node.get(key), dict):
            yield node[key], f"{path}/{key}"
    for key in _MAP:
        if isinstance(node.get(key), dict):
            for name, sub in node[key].items():
                if isinstance(sub, dict):
                    yield sub, f"{path}/{key}/{_escape(name)}"
    for key in _LIST:
        if isinstance(node.get(key), list):
            for i, sub in enumerate(node[key]):
                if isinstance(sub, dict):
                    yield sub, f"{path}/{key}/{i}"


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def schema_nodes(schema: dict) -> list[tuple[dict, str]]:
    """Every subschema of a form with its JSON pointer ('' is the root)."""
    out, stack = [], [(schema, "")]
    while stack:
        node, path = stack.pop()
        out.append((node, path))
        stack.extend(_subschemas(node, path))
    return out


def _target(schema: dict, anchors: dict[str, dict], ref: str, where: str) -> dict:
    if not ref.startswith("#"):
        raise UnsafeSchema(
            f"$ref {ref!r} at {where or '/'} points outside the form; only references "
            "inside it (#/$defs/...) are allowed"
        )
    fragment = ref[1:]
    if fragment and not fragment.startswith("/"):
        if fragment in anchors:
            return anchors[fragment]
        raise UnsafeSchema(f"$ref {ref!r} at {where or '/'} names no $anchor of the form")
    node: Any = schema
    for token in filter(None, fragment.split("/")):
        token = _unescape(token)
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdecimal() and int(token) < len(node):
            node = node[int(token)]
        else:
            node = None
            break
    if not isinstance(node, dict):
        raise UnsafeSchema(f"$ref {ref!r} at {where or '/'} does not point to a schema of the form")
    return node


def check_schema_bounds(schema: dict) -> None:
    """Raise UnsafeSchema for what would make validating unbounded or reach outside the form."""
    nodes = schema_nodes(schema)
    anchors = {n["$anchor"]: n for n, _ in nodes if isinstance(n.get("$anchor"), str)}
    edges: dict[int, list[dict]] = {}
    where = {id(n): p for n, p in nodes}
    for node, path in nodes:
        if path and "$schema" in node:
            raise UnsafeSchema(
                f"$schema at {path} would switch the dialect inside the form; declare it only at the root"
            )
        if path and "$id" in node:
            raise UnsafeSchema(f"$id at {path}: only the root may have an $id (references stay inside the form)")
        if "$dynamicRef" in node or "$recursiveRef" in node:
            raise UnsafeSchema(f"$dynamicRef at {path or '/'} is not supported in forms; use $ref")
        if isinstance(node.get("pattern"), str):
            regex(node["pattern"])
        for pattern in node.get("patternProperties", {}) if isinstance(node.get("patternProperties"), dict) else ():
            regex(pattern)
        same = [node[k] for k in _IN_PLACE_ONE if isinstance(node.get(k), dict)]
        same += [s for k in _IN_PLACE_LIST if isinstance(node.get(k), list) for s in node[k] if isinstance(s, dict)]
        if isinstance(node.get("dependentSchemas"), dict):
            same += [s for s in node["dependentSchemas"].values() if isinstance(s, dict)]
        if "$ref" in node:
            if not isinstance(node["$ref"], str):
                raise UnsafeSchema(f"$ref at {path or '/'} must be a string")
            same.append(_target(schema, anchors, node["$ref"], path))
        edges[id(node)] = same
    if any("patternProperties" in n for n, _ in nodes) and any("unevaluatedProperties" in n for n, _ in nodes):
        # jsonschema matches patternProperties with Python's re when it works out unevaluatedProperties
        raise UnsafeSchema(
            "unevaluatedProperties cannot be combined with patternProperties in a form; use additionalProperties"
        )
    root_dialect = schema.get("$schema", DIALECT)
    if root_dialect.rstrip("#") != DIALECT:
        raise UnsafeSchema(f"$schema {root_dialect!r}: forms are JSON Schema 2020-12 ({DIALECT})")
    _refuse_loops(edges, where)
    _refuse_blowup(edges, where)


def _refuse_loops(edges: dict[int, list[dict]], where: dict[int, str]) -> None:
    """A $ref chain that comes back to where it started without entering the data never ends."""
    done: set[int] = set()
    for start in edges:
        if start in done:
            continue
        on_path: set[int] = set()
        stack = [(start, iter(edges.get(start, ())))]
        on_path.add(start)
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                on_path.discard(node)
                done.add(node)
                continue
            key = id(child)
            if key in on_path:
                raise UnsafeSchema(
                    f"the schema at {where.get(key) or '/'} refers back to itself without "
                    "descending into the data ($ref loop)"
                )
            if key not in done:
                on_path.add(key)
                stack.append((key, iter(edges.get(key, ()))))


MAX_EXPANSION = 10_000  # schemas applied to one value once every $ref and allOf/anyOf/oneOf is expanded


def _refuse_blowup(edges: dict[int, list[dict]], where: dict[int, str]) -> None:
    """allOf: [$ref a1, $ref a1], a1 the same over a2, and so on, applies 2^n schemas to one value."""
    size: dict[int, int] = {}
    for start in edges:
        stack = [(start, False)]
        while stack:
            node, expanded = stack.pop()
            if node in size:
                continue
            children = [id(c) for c in edges.get(node, ())]
            if not expanded:
                stack.append((node, True))
                stack.extend((c, False) for c in children if c not in size)
                continue
            size[node] = min(1 + sum(size.get(c, 1) for c in children), MAX_EXPANSION + 1)
            if size[node] > MAX_EXPANSION:
                raise UnsafeSchema(
                    f"the schema at {where.get(node) or '/'} expands to more than {MAX_EXPANSION} "
                    "schemas applied to one value (references multiplying each other)"
                )
