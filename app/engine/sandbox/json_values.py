"""Task data is plain JSON: refuse, by name, any value a script leaves that JSON cannot hold."""

from __future__ import annotations

import math

from .limits import Budget, Limits, SandboxViolation, measure

_SCALARS = (str, bool, int, type(None))
_KEYS = frozenset({str, int, float, bool, type(None)})


def check_json(data: dict) -> None:
    """Raise SandboxViolation naming the first variable whose value is not JSON.

    A set, a range, dict.keys(), a function or a dict with tuple keys used to pass the script and
    fail only when the state was saved (a 500, the completion lost); NaN and Infinity are refused
    by PostgreSQL's jsonb. Tuples are arrays: JSON keeps them as lists.
    """
    for name, value in data.items():
        problem = _problem(value)
        if problem is not None:
            raise SandboxViolation(
                f"the value left in '{name}' is not JSON ({problem}); task data may hold "
                "only text, numbers, true/false, null, lists and objects"
            )


def check_task_data(data: dict, limits: Limits, json: bool = True) -> None:
    """Raise SandboxViolation for task data nested too deep, larger than ``max_data_chars`` or (with
    ``json``) holding what JSON cannot: what a script leaves, and what the engine gathers itself."""
    chars = measure(Budget(limits), data, allowance=limits.max_steps)
    if json:
        check_json(data)
    if chars > limits.max_data_chars:
        raise SandboxViolation(f"task data of about {chars} characters exceeds the limit ({limits.max_data_chars})")


def _problem(value) -> str | None:
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind in _SCALARS:
            continue
        if kind is float:
            if not math.isfinite(item):
                return f"{item!r} is not a JSON number"
            continue
        if kind is dict:
            for key in item:
                if type(key) not in _KEYS:  # JSON writes numbers, true/false and null as text keys
                    return f"an object key {key!r} is a {type(key).__name__}, not text"
            stack.extend(item.values())
        elif kind in (list, tuple):
            stack.extend(item)
        else:
            return "a function" if kind.__name__ == "Offered" or callable(item) else f"a {kind.__name__}"
    return None
