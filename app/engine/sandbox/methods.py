"""The methods of str, list, dict, set, tuple, int and float a diagram may call, size-checked."""

from __future__ import annotations

from typing import Any

from .limits import Budget, SandboxViolation, is_container, measure
from . import dates
from .offered import NAMESPACE_METHODS, Namespace, key_function
from .operations import check_length, check_result, iterate

# How a method is paid for: CHEAP is O(1); LINEAR reads its object once (charge its length);
# WALK compares or hashes items (walk everything first); a function checks the result size
# before the C code builds it and may rewrite the arguments.
CHEAP, LINEAR, WALK = "cheap", "linear", "walk"


def _width(budget, text, args, kwargs):
    width = args[0] if args else kwargs.get("width", 0)
    if isinstance(width, int):
        check_length(budget, text, max(width, len(text)))
    return args, kwargs


def _expandtabs(budget, text, args, kwargs):
    size = args[0] if args else kwargs.get("tabsize", 8)
    if isinstance(size, int):
        check_length(budget, text, len(text) + text.count("\t") * max(size, 0))
    return args, kwargs


def _replace(budget, text, args, kwargs):
    if len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        old, new = args[0], args[1]
        if len(new) > len(old):
            found = text.count(old) if old else len(text) + 1
            count = args[2] if len(args) > 2 and isinstance(args[2], int) else -1
            if count >= 0:
                found = min(found, count)
            check_length(budget, text, len(text) + found * (len(new) - len(old)))
    return args, kwargs


def _join(budget, separator, args, kwargs):
    if args:
        parts = list(iterate(budget, args[0]))
        check_length(budget, parts, len(parts))
        budget.charge(len(parts))
        total = len(separator) * max(len(parts) - 1, 0)
        total += sum(len(part) for part in parts if isinstance(part, str))
        check_length(budget, separator, total)
        args = (parts, *args[1:])
    return args, kwargs


def _sort(budget, items, args, kwargs):
    measure(budget, items)
    if "key" in kwargs:
        kwargs = {**kwargs, "key": key_function(budget, kwargs["key"])}
    return args, kwargs


_STR: dict[str, Any] = {
    name: LINEAR
    for name in (
        "capitalize casefold count endswith find index isalnum isalpha isascii isdecimal isdigit "
        "isidentifier islower isnumeric isprintable isspace istitle isupper lower lstrip partition "
        "removeprefix removesuffix rfind rindex rpartition rsplit rstrip split splitlines startswith "
        "strip swapcase title upper"
    ).split()
}
_STR.update(
    center=_width, ljust=_width, rjust=_width, zfill=_width, expandtabs=_expandtabs, replace=_replace, join=_join
)
_LIST = {
    "append": CHEAP,
    "clear": CHEAP,
    "copy": LINEAR,
    "count": WALK,
    "extend": LINEAR,
    "index": WALK,
    "insert": LINEAR,
    "pop": CHEAP,
    "remove": WALK,
    "reverse": LINEAR,
    "sort": _sort,
}
_DICT = {
    "clear": CHEAP,
    "copy": LINEAR,
    "get": CHEAP,
    "items": CHEAP,
    "keys": CHEAP,
    "pop": CHEAP,
    "popitem": CHEAP,
    "setdefault": CHEAP,
    "update": LINEAR,
    "values": CHEAP,
}
_SET = {
    "add": CHEAP,
    "clear": CHEAP,
    "copy": LINEAR,
    "difference": LINEAR,
    "discard": CHEAP,
    "intersection": LINEAR,
    "isdisjoint": LINEAR,
    "issubset": LINEAR,
    "issuperset": LINEAR,
    "pop": CHEAP,
    "remove": CHEAP,
    "symmetric_difference": LINEAR,
    "union": LINEAR,
    "update": LINEAR,
}
METHODS: dict[type, dict[str, Any]] = {
    str: _STR,
    list: _LIST,
    dict: _DICT,
    set: _SET,
    tuple: {"count": WALK, "index": WALK},
    int: {"bit_length": CHEAP},
    float: {"is_integer": CHEAP},
    bool: {},
}
MUTATING = frozenset(
    {
        (list, "append"),
        (list, "clear"),
        (list, "extend"),
        (list, "insert"),
        (list, "pop"),
        (list, "remove"),
        (list, "reverse"),
        (list, "sort"),
        (dict, "clear"),
        (dict, "pop"),
        (dict, "popitem"),
        (dict, "setdefault"),
        (dict, "update"),
        (set, "add"),
        (set, "clear"),
        (set, "discard"),
        (set, "pop"),
        (set, "remove"),
        (set, "update"),
    }
)
_DATETIME = {
    "isoformat": CHEAP,
    "date": CHEAP,
    "weekday": CHEAP,
    "isoweekday": CHEAP,
    "timestamp": CHEAP,
    "strftime": LINEAR,
}
METHODS.update(
    {
        dates.datetime: _DATETIME,
        dates.date: {"isoformat": CHEAP, "weekday": CHEAP, "isoweekday": CHEAP, "strftime": LINEAR},
        dates.timedelta: {"total_seconds": CHEAP},
    }
)
METHOD_NAMES = NAMESPACE_METHODS | frozenset(name for table in METHODS.values() for name in table)


def is_allowed(value, name: str, pure: bool) -> bool:
    """Tell whether the method may be called on this value."""
    kind = type(value)
    return name in METHODS.get(kind, ()) and not (pure and (kind, name) in MUTATING)


def call_method(budget: Budget, value, name: str, args, kwargs, pure: bool):
    """Call a whitelisted method after paying for it; pure refuses methods that change data."""
    kind = type(value)
    if kind is Namespace:
        return check_result(budget, value.call_method(budget, name, args, kwargs))
    cost = METHODS.get(kind, {}).get(name)
    if cost is None:
        raise SandboxViolation(f"method {kind.__name__}.{name}() is not allowed")
    if pure and (kind, name) in MUTATING:
        raise SandboxViolation(f"an expression may not change data: {kind.__name__}.{name}()")
    budget.charge(1)
    for argument in (*args, *kwargs.values()):
        if is_container(argument):
            measure(budget, argument)
    if cost is LINEAR and kind in (dates.datetime, dates.date):
        # strftime: the output grows with the format, which is text the limits already bound
        budget.charge(sum(len(a) for a in args if isinstance(a, str)) >> 6)
    elif cost is LINEAR:
        budget.charge(len(value) >> 6 if kind is str else len(value))
    elif cost is WALK:
        measure(budget, value)
    elif cost is not CHEAP:
        args, kwargs = cost(budget, value, args, kwargs)
    result = getattr(value, name)(*args, **kwargs)
    if (kind, name) in MUTATING:
        check_result(budget, value)
    # a CHEAP method returns an existing item or a view: nothing was copied to pay for
    return result if cost is CHEAP else check_result(budget, result)
