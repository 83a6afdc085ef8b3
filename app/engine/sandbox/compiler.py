"""Compile a diagram's expression or script, statements included, into a checked program."""

from __future__ import annotations

import ast

from .expressions import ExpressionCompiler
from .limits import Limits, SandboxViolation
from .operations import INPLACE, del_item, get_item, iterate, set_item

_BREAK, _CONTINUE = object(), object()
_STATEMENTS = {
    "Import": "import",
    "ImportFrom": "import",
    "FunctionDef": "def",
    "AsyncFunctionDef": "async def",
    "ClassDef": "class",
    "With": "with",
    "AsyncWith": "async with",
    "Try": "try",
    "TryStar": "try",
    "Raise": "raise",
    "Assert": "assert",
    "Global": "global",
    "Nonlocal": "nonlocal",
    "Return": "return",
    "AsyncFor": "async for",
    "Match": "match",
    "AnnAssign": "annotated assignment",
}


class Program:
    """A compiled expression or script: run it on a Frame; know the names it reads and writes."""

    __slots__ = ("run", "loaded", "stored")

    def __init__(self, run, loaded: frozenset[str], stored: frozenset[str]):
        self.run = run
        self.loaded = loaded
        self.stored = stored


def compile_program(source: str, mode: str, limits: Limits = Limits()) -> Program:
    """Parse and compile source ("eval" or "exec"); raise SyntaxError or SandboxViolation."""
    if len(source) > limits.max_source:
        raise SandboxViolation(f"source of {len(source)} characters exceeds the limit ({limits.max_source})")
    if mode == "eval":
        source = source.lstrip(" \t")  # as eval() does: conditions often come indented from XML
    try:
        tree = ast.parse(source, mode=mode)
    except (RecursionError, MemoryError):
        raise SandboxViolation("source nested too deeply to parse") from None
    except ValueError as error:  # null bytes
        raise SyntaxError(str(error)) from None
    compiler = _Compiler(limits, mode)
    if isinstance(tree, ast.Expression):  # mode "eval"
        run = compiler.expr(tree.body)
    elif isinstance(tree, ast.Module):  # mode "exec"
        run = compiler.block(tree.body)
    else:
        raise ValueError(f"mode must be 'eval' or 'exec', not {mode!r}")
    if compiler.problems:
        violation = SandboxViolation("; ".join(compiler.problems))
        violation.problems = list(compiler.problems)
        raise violation
    return Program(run, frozenset(compiler.loaded), frozenset(compiler.stored))


def _note_line(error: Exception, line: int) -> None:
    # SpiffWorkflow finds script lines from '<string>' frames, which closures do not have
    if getattr(error, "sandbox_line", None) is None:
        error.sandbox_line = line  # type: ignore[attr-defined]  # any exception may carry the line
        error.add_note(f"on line {line} of the script")


class _Compiler(ExpressionCompiler):
    """Add the statements a script may use: assignments, if, for, while, del, pass."""

    loops = 0

    def block(self, statements):
        """Compile statements into one closure that stops on break or continue."""
        compiled = [(node.lineno, self.stmt(node)) for node in statements]

        def run(frame):
            for line, statement in compiled:
                try:
                    signal = statement(frame)
                except Exception as error:
                    _note_line(error, line)
                    raise
                if signal is not None:
                    return signal
            return None

        return run

    def stmt(self, node):
        self.depth += 1
        try:
            if self.depth > self.limits.max_syntax_depth:
                return self.refuse(node, f"nested deeper than {self.limits.max_syntax_depth} levels")
            compile_node = getattr(self, "s_" + type(node).__name__, None)
            if compile_node is None:
                what = _STATEMENTS.get(type(node).__name__, type(node).__name__)
                return self.refuse(node, f"{what} is not allowed")
            return compile_node(node)
        finally:
            self.depth -= 1

    def s_Expr(self, node):
        value = self.expr(node.value)

        def run(frame):
            value(frame)

        return run

    def s_Pass(self, node):
        return lambda frame: None

    def s_Break(self, node):
        if not self.loops:
            return self.refuse(node, "break outside a loop")
        return lambda frame: _BREAK

    def s_Continue(self, node):
        if not self.loops:
            return self.refuse(node, "continue outside a loop")
        return lambda frame: _CONTINUE

    def s_Assign(self, node):
        targets, value = [self.target(target) for target in node.targets], self.expr(node.value)

        def run(frame):
            result = value(frame)
            for store in targets:
                store(frame, result)

        return run

    def s_AugAssign(self, node):
        operation = INPLACE.get(type(node.op).__name__)
        if operation is None:
            return self.refuse(node, f"operator {type(node.op).__name__} is not allowed")
        value, target = self.expr(node.value), node.target
        if isinstance(target, ast.Name):
            load, store = self.expr(ast.Name(target.id, ast.Load())), self.target(target)
            return lambda frame: store(frame, operation(frame.budget, load(frame), value(frame)))
        if isinstance(target, ast.Subscript):
            container, key = self.expr(target.value), self.expr(target.slice)

            def update(frame):
                budget, owner, index = frame.budget, container(frame), key(frame)
                current = get_item(budget, owner, index)
                set_item(budget, owner, index, operation(budget, current, value(frame)))

            return update
        return self.refuse(node, f"augmented assignment to {type(target).__name__} is not allowed")

    def s_Delete(self, node):
        removals = []
        for target in node.targets:
            if isinstance(target, ast.Name) and not (problem := self.name_problem(target.id)):
                removals.append(self._del_name(target.id))
            elif isinstance(target, ast.Subscript):
                container, key = self.expr(target.value), self.expr(target.slice)
                removals.append(lambda frame, c=container, k=key: del_item(frame.budget, c(frame), k(frame)))
            else:
                removals.append(
                    self.refuse(node, problem if isinstance(target, ast.Name) else "del of this target is not allowed")
                )

        def run(frame):
            for remove in removals:
                remove(frame)

        return run

    @staticmethod
    def _del_name(name):
        def remove(frame):
            if name not in frame.vars:
                raise NameError(f"name '{name}' is not defined", name=name)
            del frame.vars[name]

        return remove

    def s_If(self, node):
        test, body = self.expr(node.test), self.block(node.body)
        orelse = self.block(node.orelse)
        return lambda frame: body(frame) if test(frame) else orelse(frame)

    def _loop_body(self, node):
        self.loops += 1
        try:
            return self.block(node.body)
        finally:
            self.loops -= 1

    def s_For(self, node):
        store, source = self.target(node.target), self.expr(node.iter)
        body, orelse = self._loop_body(node), self.block(node.orelse)

        def run(frame):
            budget = frame.budget
            for item in iterate(budget, source(frame)):
                budget.turn()
                store(frame, item)
                if body(frame) is _BREAK:
                    return None
            return orelse(frame)

        return run

    def s_While(self, node):
        test, body, orelse = self.expr(node.test), self._loop_body(node), self.block(node.orelse)

        def run(frame):
            budget = frame.budget
            while test(frame):
                budget.turn()
                if body(frame) is _BREAK:
                    return None
            return orelse(frame)

        return run
