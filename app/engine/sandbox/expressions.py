"""Compile Python expressions from a diagram into closures that check every step."""

from __future__ import annotations

import ast

from .displays import DisplayCompiler
from .limits import SandboxViolation
from .dates import ATTRIBUTE_NAMES, read_attribute
from .methods import METHOD_NAMES, call_method
from .offered import Offered
from .operations import BINOPS, COMPARISONS, format_value, get_item, join_text

# Builtins a diagram must never name, even when task data holds a field of that name.
FORBIDDEN_NAMES = frozenset(
    "getattr setattr delattr hasattr vars globals locals eval exec compile open type object super "
    "breakpoint input help memoryview dir exit quit classmethod staticmethod property".split()
)
_REFUSED = {
    "Lambda": "lambda",
    "NamedExpr": "the := operator",
    "Starred": "starred (*) unpacking",
    "Yield": "yield",
    "YieldFrom": "yield from",
    "Await": "await",
}
_MISSING = object()


class ExpressionCompiler(DisplayCompiler):
    """Turn expression nodes into closures of a Frame; collect what the sandbox refuses."""

    def __init__(self, limits, mode: str):
        self.limits = limits
        self.mode = mode
        self.depth = 0
        self.problems: list[str] = []
        self.loaded: set[str] = set()
        self.stored: set[str] = set()

    def refuse(self, node, message: str):
        """Record a refused construct and return a closure that would refuse it at run time."""
        line = getattr(node, "lineno", None)
        text = f"line {line}: {message}" if self.mode == "exec" and line else message
        if text not in self.problems:
            self.problems.append(text)

        def refused(*_):
            raise SandboxViolation(message)

        return refused

    @staticmethod
    def name_problem(name: str) -> str | None:
        """Say why a name is refused: private and dangerous names are."""
        if name.startswith("_") and name != "_":  # a lone _ is the usual throwaway loop variable
            return f"name '{name}' is not allowed (names starting with '_')"
        if name in FORBIDDEN_NAMES:
            return f"'{name}' is not allowed"
        return None

    def expr(self, node):
        """Compile one expression node, refusing anything not whitelisted."""
        self.depth += 1
        try:
            if self.depth > self.limits.max_syntax_depth:
                return self.refuse(node, f"nested deeper than {self.limits.max_syntax_depth} levels")
            compile_node = getattr(self, "e_" + type(node).__name__, None)
            if compile_node is None:
                what = _REFUSED.get(type(node).__name__, type(node).__name__)
                return self.refuse(node, f"{what} is not allowed")
            return compile_node(node)
        finally:
            self.depth -= 1

    def e_Constant(self, node):
        value = node.value
        if type(value) not in (str, int, float, bool, type(None)):
            return self.refuse(node, f"a {type(value).__name__} literal is not allowed")
        if type(value) is int and value.bit_length() > self.limits.max_int_bits:
            return self.refuse(node, "integer literal exceeds the limit")
        return lambda frame: value

    def e_Name(self, node):
        name = node.id
        if problem := self.name_problem(name):
            return self.refuse(node, problem)
        self.loaded.add(name)

        def load(frame):
            scope = frame
            while scope is not None:
                value = scope.vars.get(name, _MISSING)
                if value is not _MISSING:
                    return value
                scope = scope.parent
            return frame.names.resolve(name)

        return load

    def e_BinOp(self, node):
        operation = BINOPS.get(type(node.op).__name__)
        if operation is None:
            return self.refuse(node, f"operator {type(node.op).__name__} is not allowed")
        left, right = self.expr(node.left), self.expr(node.right)
        return lambda frame: operation(frame.budget, left(frame), right(frame))

    def e_UnaryOp(self, node):
        operand = self.expr(node.operand)
        kind = type(node.op)
        if kind is ast.Not:
            return lambda frame: not operand(frame)
        if kind is ast.USub:
            return lambda frame: -operand(frame)
        if kind is ast.UAdd:
            return lambda frame: +operand(frame)
        return lambda frame: ~operand(frame)

    def e_BoolOp(self, node):
        values = [self.expr(value) for value in node.values]
        if type(node.op) is ast.And:

            def both(frame):
                for value in values:
                    result = value(frame)
                    if not result:
                        return result
                return result

            return both

        def either(frame):
            for value in values:
                result = value(frame)
                if result:
                    return result
            return result

        return either

    def e_Compare(self, node):
        left = self.expr(node.left)
        steps = [(COMPARISONS[type(op).__name__], self.expr(right)) for op, right in zip(node.ops, node.comparators)]
        if len(steps) == 1:
            ((test, right),) = steps
            return lambda frame: test(frame.budget, left(frame), right(frame))

        def chain(frame):
            a = left(frame)
            for test, right in steps:
                b = right(frame)
                if not test(frame.budget, a, b):
                    return False
                a = b
            return True

        return chain

    def e_IfExp(self, node):
        test, body, orelse = self.expr(node.test), self.expr(node.body), self.expr(node.orelse)
        return lambda frame: body(frame) if test(frame) else orelse(frame)

    def e_Call(self, node):
        args = [self.expr(arg) for arg in node.args]
        keywords = []
        for keyword in node.keywords:
            if keyword.arg is None:
                self.refuse(node, "** arguments are not allowed")
            elif problem := self.name_problem(keyword.arg):
                self.refuse(node, problem)
            else:
                keywords.append((keyword.arg, self.expr(keyword.value)))
        if isinstance(node.func, ast.Attribute):
            return self.method_call(node.func, args, keywords)
        function = self.expr(node.func)

        def call(frame):
            target = function(frame)
            if not isinstance(target, Offered):
                raise SandboxViolation(f"calling a {type(target).__name__} is not allowed")
            return target.invoke(
                frame.budget, [arg(frame) for arg in args], {name: value(frame) for name, value in keywords}
            )

        return call

    def method_call(self, node, args, keywords):
        name = node.attr
        if name.startswith("_"):
            return self.refuse(node, f"attribute '{name}' is not allowed")
        if name in ("format", "format_map"):
            return self.refuse(node, f"str.{name}() is not allowed: use an f-string")
        if name not in METHOD_NAMES:
            return self.refuse(node, f"method .{name}() is not allowed")
        owner = self.expr(node.value)

        def call(frame):
            return call_method(
                frame.budget,
                owner(frame),
                name,
                [arg(frame) for arg in args],
                {key: value(frame) for key, value in keywords},
                frame.pure,
            )

        return call

    def e_Attribute(self, node):
        if node.attr.startswith("_"):
            return self.refuse(node, f"attribute '{node.attr}' is not allowed")
        if node.attr in ATTRIBUTE_NAMES:  # a date's year, a duration's days: read-only numbers
            value, name = self.expr(node.value), node.attr
            return lambda frame: read_attribute(value(frame), name)
        return self.refuse(node, f"attribute access .{node.attr} is not allowed (only method calls)")

    def e_Subscript(self, node):
        value, key = self.expr(node.value), self.expr(node.slice)
        return lambda frame: get_item(frame.budget, value(frame), key(frame))

    def e_Slice(self, node):
        parts = [
            self.expr(part) if part is not None else (lambda frame: None)
            for part in (node.lower, node.upper, node.step)
        ]
        lower, upper, step = parts
        return lambda frame: slice(lower(frame), upper(frame), step(frame))

    def e_JoinedStr(self, node):
        parts = [self.expr(part) for part in node.values]
        return lambda frame: join_text(frame.budget, [part(frame) for part in parts])

    def e_FormattedValue(self, node):
        value, conversion = self.expr(node.value), node.conversion
        spec = self.expr(node.format_spec) if node.format_spec is not None else (lambda frame: "")
        return lambda frame: format_value(frame.budget, value(frame), conversion, spec(frame))
