"""Operators, subscripts, iteration and formatting, each checked before the C code runs."""

from __future__ import annotations

import math
import operator
import re

from .limits import Budget, SandboxViolation, measure

_SEQUENCES = (str, list, tuple)
_ITERABLE = frozenset(
    {str, list, tuple, dict, set, frozenset, range, type({}.keys()), type({}.values()), type({}.items())}
)
_CONTAINER_TYPES = _ITERABLE - {str, range}
_HASHED = frozenset({dict, set, frozenset, type({}.keys())})
_SUBSCRIPTABLE = frozenset({str, list, tuple, dict, range})
_MUTABLE = frozenset({list, dict})
_FORMATTABLE = frozenset({str, int, float, bool})
# [[fill]align][sign][z][#][0][width][grouping][.precision][type]: no nested fields, no attributes
_FORMAT_SPEC = re.compile(r"(?:.?[<>=^])?[+\- ]?z?#?0?(\d*)[,_]?(?:\.(\d+))?[bcdeEfFgGnosxX%]?\Z", re.S)
_MAX_PRECISION = 100


def check_result(budget: Budget, value):
    """Refuse a value larger than the limits and charge the items it copied."""
    kind = type(value)
    limits = budget.limits
    if kind is str:
        if len(value) > limits.max_string:
            raise SandboxViolation(f"string of {len(value)} characters exceeds the limit ({limits.max_string})")
        if len(value) > 64:
            budget.charge(len(value) >> 6)
    elif kind is int:
        if value.bit_length() > limits.max_int_bits:
            raise SandboxViolation(f"integer of {value.bit_length()} bits exceeds the limit ({limits.max_int_bits})")
    elif kind in (list, tuple, dict, set, frozenset):
        if len(value) > limits.max_items:
            raise SandboxViolation(f"collection of {len(value)} items exceeds the limit ({limits.max_items})")
        budget.charge(len(value))
    return value


def check_length(budget: Budget, sample, length: int) -> None:
    """Refuse, before it is built, a sequence of the given type and length beyond the limits."""
    limits = budget.limits
    if isinstance(sample, str):
        if length > limits.max_string:
            raise SandboxViolation(f"string of {length} characters exceeds the limit ({limits.max_string})")
    elif length > limits.max_items:
        raise SandboxViolation(f"collection of {length} items exceeds the limit ({limits.max_items})")


def _add(budget, a, b):
    if isinstance(a, _SEQUENCES) and type(a) is type(b):
        check_length(budget, a, len(a) + len(b))


def _mult(budget, a, b):
    if isinstance(a, int) and isinstance(b, _SEQUENCES):
        a, b = b, a
    if isinstance(a, _SEQUENCES) and isinstance(b, int):
        check_length(budget, a, len(a) * max(b, 0))
    elif isinstance(a, int) and isinstance(b, int):
        _check_bits(budget, abs(a).bit_length() + abs(b).bit_length())


def _pow(budget, a, b):
    if isinstance(a, int) and isinstance(b, int) and b > 0 and abs(a) > 1:
        # the result has at least b bits: refuse a huge b before the float product overflows
        bits = b if b > budget.limits.max_int_bits else math.ceil(b * math.log2(abs(a)))
        _check_bits(budget, bits)


def _lshift(budget, a, b):
    if isinstance(a, int) and isinstance(b, int) and a and b > 0:
        _check_bits(budget, abs(a).bit_length() + b)


def _mod(budget, a, b):
    if isinstance(a, str):
        raise SandboxViolation("'%' formatting of strings is not allowed: use an f-string")


def _check_bits(budget, bits):
    if bits > budget.limits.max_int_bits + 1:
        raise SandboxViolation(f"integer of about {bits} bits exceeds the limit ({budget.limits.max_int_bits})")


def _nothing(budget, a, b):
    pass


def _binop(apply, precheck):
    def run(budget: Budget, a, b):
        precheck(budget, a, b)
        return check_result(budget, apply(a, b))

    return run


_PRECHECKS = {"Add": _add, "Mult": _mult, "Pow": _pow, "LShift": _lshift, "Mod": _mod}
_APPLY = {
    "Add": (operator.add, operator.iadd),
    "Sub": (operator.sub, operator.isub),
    "Mult": (operator.mul, operator.imul),
    "Div": (operator.truediv, operator.itruediv),
    "FloorDiv": (operator.floordiv, operator.ifloordiv),
    "Mod": (operator.mod, operator.imod),
    "Pow": (operator.pow, operator.ipow),
    "LShift": (operator.lshift, operator.ilshift),
    "RShift": (operator.rshift, operator.irshift),
    "BitOr": (operator.or_, operator.ior),
    "BitXor": (operator.xor, operator.ixor),
    "BitAnd": (operator.and_, operator.iand),
}
BINOPS = {name: _binop(plain, _PRECHECKS.get(name, _nothing)) for name, (plain, _) in _APPLY.items()}
INPLACE = {name: _binop(inplace, _PRECHECKS.get(name, _nothing)) for name, (_, inplace) in _APPLY.items()}


def _pay_to_compare(budget: Budget, value) -> None:
    kind = type(value)
    if kind is str:
        if len(value) > 64:
            budget.charge(len(value) >> 6)
    elif kind is range:
        budget.charge(len(value))  # only an int is found in a range without a scan
    elif kind in _CONTAINER_TYPES:
        measure(budget, value)


def _compare(apply):
    def run(budget: Budget, a, b):
        _pay_to_compare(budget, a)
        _pay_to_compare(budget, b)
        return apply(a, b)

    return run


def _contains(budget: Budget, a, b) -> bool:
    _pay_to_compare(budget, a)
    if type(b) not in _HASHED:  # a dict or set finds a by its hash: no scan to pay for
        _pay_to_compare(budget, b)
    return a in b


COMPARISONS = {
    "Eq": _compare(operator.eq),
    "NotEq": _compare(operator.ne),
    "Lt": _compare(operator.lt),
    "LtE": _compare(operator.le),
    "Gt": _compare(operator.gt),
    "GtE": _compare(operator.ge),
    "In": _contains,
    "NotIn": lambda budget, a, b: not _contains(budget, a, b),
    "Is": lambda budget, a, b: a is b,
    "IsNot": lambda budget, a, b: a is not b,
}


def iterate(budget: Budget, value):
    """Return an iterator over a value of a type the sandbox may iterate."""
    if type(value) not in _ITERABLE:
        raise SandboxViolation(f"iterating over a {type(value).__name__} is not allowed")
    return iter(value)


def unpack(budget: Budget, value, count: int) -> tuple:
    """Unpack a value into exactly count items, as Python's tuple assignment does."""
    iterate(budget, value)  # every iterable the sandbox allows has a length: check it first
    if len(value) != count:
        raise ValueError(f"cannot unpack {len(value)} values into {count} targets")
    return tuple(value)


def hashed(budget: Budget, key):
    """Charge hashing a key: a tuple's hash walks all of it, every time."""
    if type(key) is tuple:
        measure(budget, key)
    return key


def get_item(budget: Budget, container, key):
    """Subscript a string, list, tuple, dict or range."""
    if type(container) not in _SUBSCRIPTABLE:
        raise SandboxViolation(f"subscripting a {type(container).__name__} is not allowed")
    if type(key) is slice:
        return check_result(budget, container[key])
    return container[hashed(budget, key)]


def set_item(budget: Budget, container, key, value) -> None:
    """Assign into a list or dict, refusing one that grows past the limit."""
    if type(container) not in _MUTABLE:
        raise SandboxViolation(f"assigning into a {type(container).__name__} is not allowed")
    container[hashed(budget, key)] = value
    check_result(budget, container)


def del_item(budget: Budget, container, key) -> None:
    """Delete from a list or dict."""
    if type(container) not in _MUTABLE:
        raise SandboxViolation(f"deleting from a {type(container).__name__} is not allowed")
    del container[hashed(budget, key)]


def stringify(budget: Budget, value, convert=str) -> str:
    """Convert a value to text after checking the text fits the limits."""
    kind = type(value)
    if kind is str and convert is str:
        return value
    if kind in (int, float, bool) or value is None:
        return check_result(budget, convert(value))
    chars = measure(budget, value)
    if chars > budget.limits.max_string:
        raise SandboxViolation(f"text of about {chars} characters exceeds the limit ({budget.limits.max_string})")
    return check_result(budget, convert(value))


_CONVERSIONS = {-1: None, 115: str, 114: repr, 97: ascii}


def format_value(budget: Budget, value, conversion: int, spec: str) -> str:
    """Format one f-string field with a plain format spec (width and precision bounded)."""
    convert = _CONVERSIONS[conversion]
    if convert is not None:
        value = stringify(budget, value, convert)
    if not spec:
        return stringify(budget, value)
    match = _FORMAT_SPEC.match(spec)
    if match is None or type(value) not in _FORMATTABLE:
        raise SandboxViolation(f"format spec {spec!r} for a {type(value).__name__} is not allowed")
    width, precision = match.groups()
    if width and (len(width) > 7 or int(width) > budget.limits.max_string):
        raise SandboxViolation(f"format width {width} exceeds the limit ({budget.limits.max_string})")
    if precision and (len(precision) > 3 or int(precision) > _MAX_PRECISION):
        raise SandboxViolation(f"format precision {precision} exceeds the limit ({_MAX_PRECISION})")
    return check_result(budget, format(value, spec))


def join_text(budget: Budget, parts: list) -> str:
    """Join the pieces of an f-string, refusing a result past the string limit."""
    check_length(budget, "", sum(map(len, parts)))
    return "".join(parts)
