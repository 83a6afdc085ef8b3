"""The engine seam: the only package that imports SpiffWorkflow."""
from .parsing import Element, ProcessBundle, model_hash, parse_bundle
from .runtime import Engine, Instance
from .types import (
    CompletedStep,
    DiagramError,
    DiagramProblem,
    EngineError,
    TaskNotReady,
    TaskView,
    TimerView,
    UserTaskSpec,
)

__all__ = [
    "CompletedStep", "DiagramError", "DiagramProblem", "Element", "Engine", "EngineError",
    "Instance", "ProcessBundle", "TaskNotReady", "TaskView", "TimerView", "UserTaskSpec",
    "model_hash", "parse_bundle",
]
