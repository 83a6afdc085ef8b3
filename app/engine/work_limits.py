"""Bound the engine's work per call: steps, multi-instance size, call depth, loop rounds, wall clock.

The sandbox bounds one expression or script; a diagram can still ask the engine itself for
unbounded work: a multi-instance task over 5,000 items (minutes of task-tree bookkeeping), a call
activity that calls its own process (never returns), a loop with no exit. Worse, a loop past
about 333 rounds of three elements reaches SpiffWorkflow's task-iterator depth limit (1,000):
the engine stops seeing the ready task and the instance "completes" silently with empty data.
Every limit here stops the run with a ``WorkLimitExceeded`` naming the element, which the
services turn into an incident on the instance, never a silent completion.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity
from SpiffWorkflow.exceptions import SpiffWorkflowException

from .sandbox import SandboxViolation
from .types import DiagramProblem


@dataclass(frozen=True)
class WorkLimits:
    """The engine's budget for one call (start, complete, fire timers)."""

    max_steps: int = 2_000  # engine-run elements (scripts, gateways, events...) in one call
    max_seconds: float = 10.0  # wall clock of one call, checked between elements
    max_multi_instance: int = 200  # instances one multi-instance task may create
    max_call_depth: int = 8  # call activities inside call activities (self-recursion included)
    max_rounds: int = 100  # times one element may run along one path of an instance (loops)
    max_task_depth: int = 900  # below SpiffWorkflow's iterator limit of 1,000, where loops go silent


class WorkLimitExceeded(SandboxViolation):
    """The engine's budget for a call ran out at an element; retrying with other data cannot help."""

    def __init__(self, message: str, element_id: str = "", element_name: str = ""):
        super().__init__(message)
        self.element_id = element_id
        self.element_name = element_name


def _name(spec) -> str:
    return getattr(spec, "bpmn_name", "") or spec.name


def _refuse(spec, message: str) -> WorkLimitExceeded:
    return WorkLimitExceeded(f"{spec.name}: {message}", spec.name, _name(spec))


class RunBudget:
    """Count one call's engine steps, time and each step's loop rounds; raise at the first limit."""

    __slots__ = ("limits", "steps", "deadline")

    def __init__(self, limits: WorkLimits):
        self.limits = limits
        self.steps = 0
        self.deadline = time.perf_counter() + limits.max_seconds

    def before(self, task) -> None:
        """Called before the engine runs an element."""
        self.steps += 1
        limits = self.limits
        if self.steps > limits.max_steps:
            raise _refuse(
                task.task_spec,
                f"the engine ran more than {limits.max_steps} steps in one call (a loop without an exit?)",
            )
        if time.perf_counter() > self.deadline:
            raise _refuse(task.task_spec, f"the engine worked longer than {limits.max_seconds:g} s in one call")

    def after(self, task) -> None:
        """Called after an element ran (or a person completed it): count its rounds along the path."""
        check_rounds(task, self.limits)


def check_rounds(task, limits: WorkLimits) -> None:
    """Refuse a task whose element already ran max_rounds times on its path, or that sits too deep."""
    name, rounds, depth = task.task_spec.name, 0, 0
    node = task.parent
    while node is not None:
        depth += 1
        if node.task_spec.name == name:
            rounds += 1
        node = node.parent
    if rounds >= limits.max_rounds:
        raise _refuse(
            task.task_spec, f"ran {rounds + 1} times in this instance; loops may run at most {limits.max_rounds} rounds"
        )
    if depth >= limits.max_task_depth:
        raise _refuse(
            task.task_spec,
            f"the instance's path is {depth} steps long; at most {limits.max_task_depth} are allowed (loops must end)",
        )


def guard_bundle(specs, limits: WorkLimits) -> None:
    """Bound the parsed specs: multi-instance tasks refuse more instances than the limit, timers a bad value."""
    for spec in specs:
        for task_spec in spec.task_specs.values():
            if isinstance(task_spec, MultiInstanceTask) and "_update_hook" not in vars(task_spec):
                task_spec._update_hook = _guarded_update(task_spec, task_spec._update_hook, limits)
            event = getattr(task_spec, "event_definition", None)
            if isinstance(event, TimerEventDefinition):
                for method in ("has_fired", "cycle_complete"):
                    if hasattr(event, method) and method not in vars(event):
                        setattr(event, method, _guarded_timer(task_spec, getattr(event, method)))


def _guarded_timer(spec, check):
    """SpiffWorkflow parses a timer's value with str methods and datetime: anything else is a bare 500."""

    def guarded(my_task):
        try:
            return check(my_task)
        except (SandboxViolation, SpiffWorkflowException):
            raise
        except Exception as exc:  # noqa: BLE001 - SpiffWorkflow's own parser raises bare Exception too
            value = my_task.internal_data.pop("event_value", None)  # never keep a value that cannot be read
            shown = f" {value!r}"[:80] if value is not None else ""
            raise _refuse(
                spec,
                f"the timer's value{shown} is not an ISO 8601 date, duration or cycle "
                f"({exc.__class__.__name__}: {exc})",
            ) from exc

    return guarded


def _guarded_update(spec, update, limits: WorkLimits):
    def _update_hook(my_task):
        my_task._inherit_data()  # what the original does first: the expression reads the data it brings
        size = _planned_instances(spec, my_task)
        if size > limits.max_multi_instance:
            raise _refuse(
                spec, f"a multi-instance task may create at most {limits.max_multi_instance} instances, not {size}"
            )
        return update(my_task)

    return _update_hook


def _planned_instances(spec, my_task) -> int:
    if spec.data_input is not None:
        collection: Any = spec.data_input.get(my_task)
        return len(collection) if hasattr(collection, "__len__") else 0
    if spec.cardinality is None:
        return 0
    value = my_task.workflow.script_engine.evaluate(my_task, spec.cardinality)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _refuse(spec, f"the loop cardinality must be a whole number, not {type(value).__name__}")
    return value


def guard_workflow(workflow, limits: WorkLimits) -> None:
    """Make a workflow refuse call activities nested deeper than the limit (a process calling itself)."""
    create = workflow.create_subprocess

    def create_subprocess(my_task, spec_name):
        depth = getattr(my_task.workflow, "depth", 0) + 1
        if depth > limits.max_call_depth:
            raise _refuse(
                my_task.task_spec,
                f"call activities nested {depth} deep; at most {limits.max_call_depth} (does a process call itself?)",
            )
        return create(my_task, spec_name)

    workflow.create_subprocess = create_subprocess


def check_work_limits(bundle, limits: WorkLimits = WorkLimits()) -> list[DiagramProblem]:
    """Deploy-time view of the limits: a literal multi-instance size beyond the limit, calls that loop back."""
    problems = []

    def problem(task_spec, message: str, code: str, params: dict, severity: str = "error") -> DiagramProblem:
        element = bundle.elements.get(task_spec.name)
        return DiagramProblem(
            message,
            task_spec.name,
            element.name if element else _name(task_spec),
            element.line if element else None,
            severity=severity,
            rule="work-limits",
            code=code,
            params=params,
        )

    specs = {bundle.process_id: bundle.spec, **dict(bundle.subprocess_specs)}
    calls: dict[str, list[tuple[str, Any]]] = {}
    for process_id, spec in specs.items():
        if spec is None:
            continue
        for task_spec in spec.task_specs.values():
            cardinality = getattr(task_spec, "cardinality", None) if isinstance(task_spec, MultiInstanceTask) else None
            if (
                isinstance(cardinality, str)
                and cardinality.strip().isdecimal()
                and int(cardinality.strip()) > limits.max_multi_instance
            ):
                problems.append(
                    problem(
                        task_spec,
                        f"a multi-instance task may create at most "
                        f"{limits.max_multi_instance} instances, not {cardinality.strip()}",
                        "check.limits.multi_instance",
                        {"limit": limits.max_multi_instance, "count": cardinality.strip()},
                    )
                )
            called = getattr(task_spec, "spec", None)
            if isinstance(task_spec, CallActivity) and isinstance(called, str):
                calls.setdefault(process_id, []).append((called, task_spec))
    for process_id, outgoing in calls.items():
        for called, task_spec in outgoing:
            if _reaches(calls, called, process_id):
                problems.append(
                    problem(
                        task_spec,
                        f"calls '{called}', which leads back to '{process_id}': each "
                        f"round nests deeper and stops at {limits.max_call_depth} levels",
                        "check.limits.call_loop",
                        {"called": called, "process": process_id, "depth": limits.max_call_depth},
                        "warning",
                    )
                )
    return problems


def _reaches(calls: dict[str, list[tuple[str, Any]]], start: str, target: str) -> bool:
    seen, stack = set(), [start]
    while stack:
        process_id = stack.pop()
        if process_id == target:
            return True
        if process_id in seen:
            continue
        seen.add(process_id)
        stack.extend(called for called, _ in calls.get(process_id, ()))
    return False
