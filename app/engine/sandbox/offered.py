"""The callables a diagram may call: the safe builtins and the functions the application offers."""

from __future__ import annotations

from . import dates
from .limits import Budget, SandboxViolation, is_container, measure
from .operations import check_length, check_result, hashed, iterate, stringify

_MAX_ROUND_DIGITS = 100


class Offered:
    """Wrap a callable the sandbox lets a diagram call; not callable from outside the sandbox."""

    __slots__ = ("name", "function", "takes_budget", "type")

    def __init__(self, name: str, function, takes_budget: bool = False, type_: type | None = None):
        self.name = name
        self.function = function
        self.takes_budget = takes_budget
        self.type = type_

    def __repr__(self) -> str:
        return f"<function {self.name}>"

    def invoke(self, budget: Budget, args, kwargs):
        """Call the wrapped function with the run's budget when it needs one."""
        budget.charge(1)
        if self.takes_budget:
            return self.function(budget, *args, **kwargs)
        return check_result(budget, self.function(*args, **kwargs))


class Namespace(Offered):
    """A callable with methods, as `datetime` is in a diagram: datetime(2026, 3, 2), datetime.now()."""

    __slots__ = ("methods",)

    def __init__(self, name: str, function, methods: dict, type_: type | None = None):
        super().__init__(name, function, True, type_)
        self.methods = methods

    def __repr__(self) -> str:
        return f"<{self.name}>"

    def call_method(self, budget: Budget, name: str, args, kwargs):
        """Call one of the namespace's functions (datetime.now(), timedelta has none)."""
        function = self.methods.get(name)
        if function is None:
            raise SandboxViolation(f"{self.name}.{name}() is not offered")
        budget.charge(1)
        return function(budget, *args, **kwargs)


def key_function(budget: Budget, key):
    """Turn an offered key= argument into a plain callable bound to the run's budget."""
    if key is None:
        return None
    if type(key) is not Offered:
        raise SandboxViolation("key= must be a function offered to the sandbox")
    return lambda item: key.invoke(budget, (item,), {})


def _walked(budget, value):
    if is_container(value):
        measure(budget, value)
    return value


def _sized(budget, value):
    """Charge copying an iterable and refuse one past the limits."""
    iterate(budget, value)
    check_length(budget, value, len(value))
    budget.charge(len(value))
    return value


def _len(budget, value):
    return len(value)


def _isinstance(budget, value, types):
    wanted = types if type(types) is tuple else (types,)
    if not all(type(t) is Offered and t.type is not None for t in wanted):
        raise SandboxViolation("isinstance() takes one of bool, int, float, str, list, dict, set, tuple")
    return isinstance(value, tuple(t.type for t in wanted))


def _round(budget, number, ndigits=None):
    if ndigits is not None and (not isinstance(ndigits, int) or abs(ndigits) > _MAX_ROUND_DIGITS):
        raise SandboxViolation(f"round() digits beyond {_MAX_ROUND_DIGITS} are not allowed")
    return round(number, ndigits) if ndigits is not None else round(number)


def _int(budget, value=0, *base):
    if isinstance(value, str):
        check_length(budget, value, len(value))
    return check_result(budget, int(value, *base))


def _str(budget, value=""):
    return stringify(budget, value)


def _copy(kind):
    def build(budget, iterable=()):
        return check_result(budget, kind(_sized(budget, iterable)))

    return build


def _dict(budget, iterable=(), **pairs):
    _sized(budget, iterable)
    _walked(budget, iterable)
    return check_result(budget, dict(iterable, **pairs))


def _sorted(budget, iterable, key=None, reverse=False):
    _sized(budget, iterable)
    _walked(budget, iterable)
    return sorted(iterable, key=key_function(budget, key), reverse=bool(reverse))


def _extreme(pick):
    def choose(budget, *args, key=None, **default):
        values = args[0] if len(args) == 1 else args
        _sized(budget, values)
        _walked(budget, values)
        return pick(values, key=key_function(budget, key), **default)

    return choose


def _sum(budget, iterable, start=0):
    _sized(budget, iterable)
    # sum() of lists or tuples copies quadratically: numbers only
    if not all(isinstance(item, (int, float)) for item in (start, *iterable)):
        raise SandboxViolation("sum() adds numbers only")
    return check_result(budget, sum(iterable, start))


def _truth(pick):
    def test(budget, iterable):
        return pick(_sized(budget, iterable))

    return test


def _range(budget, *args):
    if not all(isinstance(arg, int) for arg in args):
        raise TypeError("range() takes integers")
    numbers = range(*args)
    try:
        length = len(numbers)
    except OverflowError:
        length = budget.limits.max_items + 1
    check_length(budget, numbers, length)
    return numbers


def _enumerate(budget, iterable, start=0):
    _sized(budget, iterable)
    return list(enumerate(iterable, start))


def _zip(budget, *iterables, strict=False):
    for iterable in iterables:
        _sized(budget, iterable)
    return list(zip(*iterables, strict=strict))


def _unwrapped(function):
    return lambda budget, *args: check_result(budget, function(*args))


def _hashed_set(budget, iterable=()):
    _sized(budget, iterable)
    for item in iterable:
        hashed(budget, item)
    return check_result(budget, set(iterable))


BUILTINS = {
    "len": Offered("len", _len, True),
    "min": Offered("min", _extreme(min), True),
    "max": Offered("max", _extreme(max), True),
    "sum": Offered("sum", _sum, True),
    "abs": Offered("abs", _unwrapped(abs), True),
    "round": Offered("round", _round, True),
    "int": Offered("int", _int, True, int),
    "float": Offered("float", _unwrapped(float), True, float),
    "str": Offered("str", _str, True, str),
    "bool": Offered("bool", _unwrapped(bool), True, bool),
    "list": Offered("list", _copy(list), True, list),
    "tuple": Offered("tuple", _copy(tuple), True, tuple),
    "set": Offered("set", _hashed_set, True, set),
    "dict": Offered("dict", _dict, True, dict),
    "sorted": Offered("sorted", _sorted, True),
    "any": Offered("any", _truth(any), True),
    "all": Offered("all", _truth(all), True),
    "range": Offered("range", _range, True),
    "enumerate": Offered("enumerate", _enumerate, True),
    "zip": Offered("zip", _zip, True),
    "isinstance": Offered("isinstance", _isinstance, True),
    "datetime": Namespace(
        "datetime", dates.make_datetime, {"now": dates.now, "fromisoformat": dates.parse_datetime}, dates.datetime
    ),
    "date": Namespace("date", dates.make_date, {"today": dates.today, "fromisoformat": dates.parse_date}, dates.date),
    "timedelta": Namespace("timedelta", dates.make_timedelta, {}, dates.timedelta),
    "parse_iso": Offered("parse_iso", dates.parse_iso, True),
    "parse_duration": Offered("parse_duration", dates.parse_duration, True),
    "print": Offered("print", dates.print_to_log, True),
}
NAMESPACE_METHODS = frozenset(name for value in BUILTINS.values() if type(value) is Namespace for name in value.methods)
