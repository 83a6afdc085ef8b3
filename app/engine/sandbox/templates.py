"""Render a diagram's instructions (Jinja text) in Jinja's immutable sandbox, within our limits."""

from __future__ import annotations

import contextvars
import functools
import types
from collections.abc import Mapping

from jinja2 import filters as jinja_filters
from jinja2 import nodes, pass_context
from jinja2.runtime import ChainableUndefined, LoopContext, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import Cycler, Joiner, Namespace
from jinja2.visitor import NodeTransformer

from .limits import Budget, Limits, SandboxViolation, is_container, measure
from .methods import METHODS, call_method, is_allowed
from .offered import BUILTINS
from .operations import BINOPS, check_length, check_result

_FILTERS = (
    "abs capitalize count d default dictsort e escape first float groupby int items join "
    "last length list lower map max min reject rejectattr reverse round select selectattr "
    "sort string striptags sum title trim truncate unique upper wordcount"
).split()
_BINOPS = {"+": "Add", "-": "Sub", "*": "Mult", "/": "Div", "//": "FloorDiv", "%": "Mod", "**": "Pow"}
_HELPERS = (Undefined, LoopContext, Namespace, Cycler, Joiner)
_budget: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("instructions_budget", default=None)
_CACHE_SIZE = 512


def _current() -> Budget:
    budget = _budget.get()
    if budget is None:  # Jinja folding constants at compile time: let it compute at render time
        raise SandboxViolation("no render in progress")
    return budget


def _check_arguments(budget, values) -> int:
    chars = 0
    for value in values:
        if is_container(value):
            chars += measure(budget, value)
        elif type(value) is str:
            chars += len(value)
    return chars


def _guard(function, precheck=None):
    """Wrap a Jinja filter or test: pay for walking its arguments, check its result's size."""
    passes = getattr(function, "jinja_pass_arg", None) is not None

    @functools.wraps(function)  # keeps jinja_pass_arg, so Jinja passes what the filter wants
    def guarded(*args, **kwargs):
        budget = _current()
        values = args[1:] if passes else args
        chars = _check_arguments(budget, (*values, *kwargs.values()))
        # A filter walks its input in C (sum, max, sort, join): pay for a range's length before,
        # and look at the clock on every call, so no chain of filters outruns the time limit.
        budget.charge(1 + sum(len(v) for v in values if type(v) is range))
        budget.check_clock()
        check_length(budget, "", chars)  # filters may print their input: refuse what cannot print
        if precheck is not None:
            precheck(budget, chars, *values, **kwargs)
        result = check_result(budget, function(*args, **kwargs))
        budget.check_clock()
        return result

    return guarded


def _join_size(budget, chars, value=(), separator="", *args, **kwargs):
    separator = kwargs.get("d", separator)
    count = len(value) if hasattr(value, "__len__") else 0
    check_length(budget, "", chars + len(str(separator)) * count)


def _round_digits(budget, chars, value=0, precision=0, *args, **kwargs):
    precision = kwargs.get("precision", precision)
    if not isinstance(precision, int) or abs(precision) > 100:
        raise SandboxViolation("round precision beyond 100 is not allowed")


def _numeric_start(budget, chars, value=(), attribute=None, start=0, **kwargs):
    if not isinstance(kwargs.get("start", start), (int, float)):
        raise SandboxViolation("sum adds numbers only")


@pass_context
def _turns(context, iterable):
    budget = _current()
    for item in iterable:
        budget.turn()
        yield item


@pass_context
def _sized(context, value):
    return check_result(_current(), value)


@pass_context
def _measured(context, value):
    if is_container(value):
        measure(_current(), value)
    return value


def _paid() -> None:
    budget = _budget.get()
    if budget is not None:  # attribute lookups while Jinja compiles (constant folding) cost nothing
        budget.charge(1)
        budget.check_clock()


def _wrap(node, name):
    return nodes.Filter(node, name, [], [], None, None, lineno=node.lineno)


class _Guards(NodeTransformer):
    """Make every loop turn, string concatenation and comparison pay into the budget."""

    def visit_For(self, node):
        node = self.generic_visit(node)
        if node.recursive:
            raise SecurityError("recursive loops are not allowed in instructions")
        node.iter = _wrap(node.iter, "sandbox_turns")
        return node

    def visit_Concat(self, node):
        return _wrap(self.generic_visit(node), "sandbox_sized")

    def visit_Compare(self, node):
        node = self.generic_visit(node)
        node.expr = _wrap(node.expr, "sandbox_measured")
        for operand in node.ops:
            operand.expr = _wrap(operand.expr, "sandbox_measured")
        return node


class _InstructionsEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with our whitelists of attributes and filters and our limits."""

    intercepted_binops = frozenset(_BINOPS)

    def __init__(self):
        super().__init__(autoescape=True, undefined=ChainableUndefined, finalize=self._finalize)
        self.filters = {name: _guard(jinja_filters.FILTERS[name]) for name in _FILTERS}
        self.filters.update(
            join=_guard(jinja_filters.FILTERS["join"], _join_size),
            round=_guard(jinja_filters.FILTERS["round"], _round_digits),
            sum=_guard(jinja_filters.FILTERS["sum"], _numeric_start),
            sandbox_turns=_turns,
            sandbox_sized=_sized,
            sandbox_measured=_measured,
        )
        self.tests = {name: _guard(test) for name, test in self.tests.items()}
        range_ = BUILTINS["range"]
        self.globals = {
            "range": lambda *args: range_.invoke(_current(), args, {}),
            "dict": dict,
            "cycler": Cycler,
            "joiner": Joiner,
            "namespace": Namespace,
        }
        self._templates = {}

    @staticmethod
    def _finalize(value):
        budget = _budget.get()
        if budget is not None and is_container(value):
            chars = measure(budget, value)
            check_length(budget, "", chars)
        return value

    def _parse(self, source, name, filename):
        template = _Guards().visit(super()._parse(source, name, filename))
        template.set_environment(self)
        return template

    def is_safe_attribute(self, obj, attr, value):
        if not super().is_safe_attribute(obj, attr, value):
            return False
        if type(obj) in METHODS:
            return is_allowed(obj, attr, pure=True)
        return isinstance(obj, _HELPERS)

    def getattr(self, obj, attribute):
        _paid()
        return super().getattr(obj, attribute)

    def getitem(self, obj, argument):
        _paid()
        return super().getitem(obj, argument)

    def unsafe_undefined(self, obj, attribute):
        raise SecurityError(f"attribute {attribute!r} of a {type(obj).__name__} is not allowed")

    def wrap_str_format(self, value):
        return None  # str.format stays refused: its fields can reach attributes

    def call_binop(self, context, operator, left, right):
        return BINOPS[_BINOPS[operator]](_current(), left, right)

    def call(self, context, obj, /, *args, **kwargs):
        budget = _current()
        budget.charge(1)
        budget.check_clock()
        owner = getattr(obj, "__self__", None) if isinstance(obj, types.BuiltinMethodType) else None
        if type(owner) in METHODS:
            return call_method(budget, owner, obj.__name__, args, kwargs, True)
        return check_result(budget, super().call(context, obj, *args, **kwargs))

    def template(self, source: str):
        """Compile a template once per source text."""
        compiled = self._templates.get(source)
        if compiled is None:
            if len(self._templates) >= _CACHE_SIZE:
                self._templates.clear()
            compiled = self._templates[source] = self.from_string(source)
        return compiled


@functools.lru_cache(maxsize=1)
def _environment() -> _InstructionsEnvironment:
    return _InstructionsEnvironment()


def render_instructions(template_text: str, data: Mapping, limits: Limits = Limits()) -> str:
    """Render instructions text as HTML: values escaped, undefined names empty, limits enforced.

    >>> render_instructions("Call {{ customer_name }}", {"customer_name": "<b>Li</b>"})
    'Call &lt;b&gt;Li&lt;/b&gt;'
    """
    if not isinstance(template_text, str):
        raise SandboxViolation("instructions must be text")
    if len(template_text) > limits.max_template:
        raise SandboxViolation(
            f"instructions of {len(template_text)} characters exceed the limit ({limits.max_template})"
        )
    budget = Budget(limits)
    token = _budget.set(budget)
    try:
        size, pieces = 0, []
        for piece in _environment().template(template_text).generate(dict(data)):
            budget.check_clock()
            size += len(piece)
            if size > limits.max_string:
                raise SandboxViolation(f"instructions longer than {limits.max_string} characters")
            pieces.append(piece)
        return "".join(pieces)
    except SandboxViolation:
        raise
    except Exception as error:  # a bad template must show a message, not crash the page
        raise SandboxViolation(f"instructions cannot be rendered: {error}") from error
    finally:
        _budget.reset(token)
