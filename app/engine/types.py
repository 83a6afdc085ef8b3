"""Plain types the engine seam hands to the rest of the app: no SpiffWorkflow class leaks out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping


@dataclass(frozen=True)
class DiagramProblem:
    """One thing wrong with a diagram, named so a process owner can find it."""

    message: str
    element_id: str = ""
    element_name: str = ""
    line: int | None = None
    file_name: str = ""
    severity: str = "error"  # "error" blocks a deploy; "warning" does not
    rule: str = ""  # the check that found it, e.g. "label-required", "form", "expression"
    # a change the editor can make in one click: {"kind": "quote", "find": "PT2H", "replace": '"PT2H"'}
    fix: Mapping[str, str] | None = field(default=None, compare=False, hash=False)
    # The message as data, for the pages to say in the user's language: a catalogue key such as
    # "check.timer.syntax" and its values ({"kind": "timer", "detail": "'(' was never closed"}).
    # ``message`` stays the English sentence for API clients and logs.
    code: str = field(default="", compare=False)
    params: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "code": self.code,
            "params": dict(self.params),
            "element_id": self.element_id,
            "element_name": self.element_name,
            "line": self.line,
            "file": self.file_name,
            "severity": self.severity,
            "rule": self.rule,
            **({"fix": dict(self.fix)} if self.fix else {}),
        }


class DiagramError(Exception):
    """A diagram that cannot be deployed; carries every problem found."""

    def __init__(self, problems: list[DiagramProblem]):
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems[:5]))


class EngineError(Exception):
    """The workflow failed while running (a script, a condition, an uncaught BPMN error)."""

    def __init__(self, message: str, element_id: str = "", element_name: str = ""):
        self.element_id = element_id
        self.element_name = element_name
        super().__init__(message)


class ServiceCallFailed(RuntimeError):
    """A service task's call failed (raised by the call the Engine was given, e.g. a connector)."""


class ServiceFailed(EngineError):
    """A service task's call failed: the instance stays whole, the task waits in error for a retry.

    What ran before it (a person's completed task, scripts) stays done; ``Instance.retry_failed``
    runs the task again and goes on from there. Raised by ``Engine.start``, ``started`` is the
    instance it started (the caller has no other hold on it), to be saved like any other.
    """

    def __init__(self, message: str, element_id: str = "", element_name: str = "", operator: str = ""):
        super().__init__(message, element_id, element_name)
        self.operator = operator
        self.started: Any = None  # the Instance, when Engine.start raised it


@dataclass(frozen=True)
class FailedService:
    """A service task waiting in error for a retry."""

    task_id: str
    element_id: str
    name: str


class TaskNotReady(Exception):
    """The task is not (or no longer) ready to be completed."""


@dataclass(frozen=True)
class UserTaskSpec:
    """What the app needs to know about a user task element of a diagram."""

    element_id: str
    name: str
    lane: str | None
    form: str | None
    ui_form: str | None
    instructions: str | None
    candidate_group_expression: str | None
    properties: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TaskView:
    """A ready user task of a running instance."""

    id: str
    element_id: str
    name: str
    lane: str | None
    form: str | None
    ui_form: str | None
    instructions: str | None
    candidate_group_expression: str | None
    properties: dict[str, str]
    data: dict[str, Any]


@dataclass(frozen=True)
class TimerView:
    """A timer an instance is waiting on, with its due instant."""

    task_id: str
    element_id: str
    name: str
    due_at: datetime | None
    attached_to: str | None  # the element id of the task a boundary timer sits on
    properties: dict[str, str]


@dataclass(frozen=True)
class CompletedStep:
    """An element the engine finished, for the audit trail."""

    task_id: str
    element_id: str
    name: str
    kind: str  # e.g. "UserTask", "ScriptTask", "BoundaryEvent"


_REPR = re.compile(r"<Element \{[^}]*\}(\w+) at 0x[0-9a-fA-F]+>|<([\w.]+) object at 0x[0-9a-fA-F]+>")


def without_reprs(message: str) -> str:
    """A message with Python object addresses replaced by what they are ("<Element {ns}x at 0x7f..>" -> "x")."""
    return _REPR.sub(lambda m: m.group(1) or m.group(2).rsplit(".", 1)[-1], message)
