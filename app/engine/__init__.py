"""The engine seam: the only package that imports SpiffWorkflow."""

from .diagram_checks import check_connectors, check_expressions, check_instructions, check_lanes, check_paths
from .diff import diff_facts, element_facts
from .failures import refused_by_sandbox, unknown_name
from .lint import lint
from .migration import MigrationCheck, MigrationRefused, check_migration, migrate
from .model_xml import ModelXml, read_models
from .parsing import (
    Element,
    ProcessBundle,
    camunda_generated_forms,
    model_hash,
    parse_bundle,
    sla_limits_of,
    xml_text,
)
from .workflow import Engine, Instance, running_bundle
from .serializer import state_from_text, state_text
from .work_limits import check_work_limits
from .types import (
    CompletedStep,
    DiagramError,
    DiagramProblem,
    EngineError,
    FailedService,
    ServiceCallFailed,
    ServiceFailed,
    TaskNotReady,
    TaskView,
    TimerView,
    UserTaskSpec,
)

__all__ = [
    "CompletedStep",
    "DiagramError",
    "DiagramProblem",
    "Element",
    "Engine",
    "EngineError",
    "FailedService",
    "ServiceCallFailed",
    "ServiceFailed",
    "Instance",
    "MigrationCheck",
    "MigrationRefused",
    "ModelXml",
    "ProcessBundle",
    "TaskNotReady",
    "TaskView",
    "TimerView",
    "UserTaskSpec",
    "camunda_generated_forms",
    "check_connectors",
    "check_expressions",
    "check_work_limits",
    "check_instructions",
    "check_lanes",
    "check_migration",
    "check_paths",
    "diff_facts",
    "element_facts",
    "lint",
    "migrate",
    "model_hash",
    "parse_bundle",
    "read_models",
    "refused_by_sandbox",
    "running_bundle",
    "sla_limits_of",
    "state_from_text",
    "state_text",
    "unknown_name",
    "xml_text",
]
