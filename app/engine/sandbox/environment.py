"""The SpiffWorkflow script environment: every condition, script and timer runs in the sandbox."""

from __future__ import annotations

import builtins
import json
from collections.abc import Callable, Mapping
from functools import partial

from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from .compiler import Program, compile_program
from .displays import Frame
from .json_values import check_task_data
from .limits import Budget, Limits, SandboxViolation
from .offered import BUILTINS, Offered

_PYTHON_BUILTINS = frozenset(dir(builtins))
_CACHE_SIZE = 4096


def _run(program: Program, frame: Frame):
    try:
        return program.run(frame)
    except RecursionError:  # the syntax depth limit keeps this rare: only on an already deep stack
        raise SandboxViolation("nested too deeply to run here") from None


class _Names:
    """Resolve the names a run does not find in its task data."""

    __slots__ = ("external", "offered", "context_functions", "context")

    def __init__(self, external, offered, context_functions, context):
        self.external = external
        self.offered = offered
        self.context_functions = context_functions
        self.context = context

    def resolve(self, name: str):
        if self.external and name in self.external:
            return self.external[name]
        value = self.offered.get(name)
        if value is not None:
            return value
        function = self.context_functions.get(name)
        if function is not None:
            return Offered(name, partial(function, self.context))
        if name in _PYTHON_BUILTINS:
            raise SandboxViolation(f"'{name}' is not offered in the sandbox")
        raise NameError(f"name '{name}' is not defined", name=name)


class SandboxedEnvironment(BasePythonScriptEngineEnvironment):
    """Run diagram expressions and scripts like TaskDataEnvironment, inside the sandbox.

    >>> env = SandboxedEnvironment(context_functions={"sla_due": lambda data, step: "PT1H"})
    >>> env.evaluate('sla_due("handle")', {"severity": "major"})
    'PT1H'
    """

    def __init__(
        self,
        functions: Mapping[str, Callable] | None = None,
        context_functions: Mapping[str, Callable] | None = None,
        limits: Limits = Limits(),
        services: Callable | None = None,
    ):
        functions, context_functions = dict(functions or {}), dict(context_functions or {})
        self._services = services  # (connector name, {parameter: value}, task data) -> JSON-able result
        for name in (*functions, *context_functions):
            if not name.isidentifier() or name.startswith("_"):
                raise ValueError(f"cannot offer a function named {name!r}")
        # the base class keeps the offered names in .globals, as TaskDataEnvironment reads them
        super().__init__({**functions, **context_functions})
        self.limits = limits
        self._offered = {**BUILTINS, **{name: Offered(name, function) for name, function in functions.items()}}
        self._context_functions = context_functions
        self._programs: dict[tuple[str, str], Program] = {}

    def call_service(self, context, operation_name=None, operation_params=None, **_):
        """A service task's call: the host's registered connector, its result as JSON text for SpiffWorkflow."""
        if self._services is None:
            raise SandboxViolation(f"no connectors are registered: cannot call '{operation_name}'")
        params = {
            name: spec.get("value") if isinstance(spec, dict) else spec
            for name, spec in (operation_params or {}).items()
        }
        return json.dumps(self._services(operation_name, params, dict(context)))

    def evaluate(self, expression, context, external_context=None):
        """Return the value of an expression over the task data; it may not change the data."""
        program = self._program(expression, "eval")
        names = _Names(external_context, self._offered, self._context_functions, context)
        return _run(program, Frame(context, None, Budget(self.limits), names, True))

    def execute(self, script, context, external_context=None):
        """Run a script over the task data; its new top-level variables land in the task data."""
        external_context = external_context or {}
        self._check_for_overwrite(context, external_context)
        program = self._program(script, "exec")
        # work on a copy so a failing script leaves the top-level variables as they were
        scope = dict(context)
        names = _Names(external_context, self._offered, self._context_functions, scope)
        budget = Budget(self.limits)
        _run(program, Frame(scope, None, budget, names, False))
        for name in [
            name
            for name, value in scope.items()
            if type(value) is Offered or callable(value) or name in self.globals or name in external_context
        ]:
            del scope[name]
        self._check_data(scope)
        context.clear()
        context.update(scope)
        return True

    def _check_for_overwrite(self, context, external_context) -> None:
        """Fail clearly, as TaskDataEnvironment does, when task data hides an offered function."""
        hidden = (set(self.globals) | set(external_context)).intersection(context)
        if hidden:
            raise ValueError(
                "You have task data that overwrites a predefined function(s). Please "
                f"change the following variable or field name(s) to something else: "
                f"{hidden}"
            )

    def _check_data(self, data: dict) -> None:
        """Refuse task data too deep or too large to be saved as JSON, or holding what JSON cannot."""
        check_task_data(data, self.limits)

    def _program(self, source, mode: str) -> Program:
        if not isinstance(source, str):
            raise SandboxViolation(f"an {mode} source must be text, not {type(source).__name__}")
        key = (source, mode)
        program = self._programs.get(key)
        if program is None:
            program = compile_program(source, mode, self.limits)
            if len(self._programs) >= _CACHE_SIZE:
                self._programs.clear()
            self._programs[key] = program
        return program
