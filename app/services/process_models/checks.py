"""Checks a process model must pass before it is deployed; each problem names its element.

``review_model`` runs them all on uploaded files and never raises for a bad diagram: the
check endpoint shows every problem, the deploy refuses when one of them is an error. In order:
the XML (well-formed, the OMG XSD) and SpiffWorkflow's parser, the forms, the lanes, every
expression in the sandbox, the instructions templates, the paths, and bpmnlint's recommended
rules ported to Python (app/engine/lint.py).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from ...domain.connectors import CONNECTORS
from ...domain.diagram_rules import rule_levels
from ...domain.group_aliases import GroupAssignment, group_assignment, split_names
from ...domain.sla import STEPS
from ...domain.sla_override import parse_limit
from ...engine.parsing import read_xml
from ...engine import (
    DiagramError,
    DiagramProblem,
    ModelXml,
    ProcessBundle,
    camunda_generated_forms,
    check_connectors,
    check_expressions,
    check_instructions,
    check_lanes,
    check_paths,
    check_work_limits,
    lint,
    parse_bundle,
    read_models,
)
from ..steps import projection
from .form_safety import UnsafeSchema, parse_json
from .forms import schema_problems
from ..runtime import Runtime

# The functions Runtime offers to diagram expressions (see Runtime.__post_init__).
OFFERED_FUNCTIONS = ("sla_due", "sla_warn", "now_iso", "promise_due", "promise_warn", "live_intake")
USER_TASKS = ("userTask",)


@dataclass
class Review:
    """The outcome of checking a model: the parsed bundle (None if it does not parse), its forms, the problems."""

    bundle: ProcessBundle | None
    process_id: str | None
    forms: dict[str, str]
    problems: list[DiagramProblem] = field(default_factory=list)
    models: list[ModelXml] = field(default_factory=list)

    @property
    def errors(self) -> list[DiagramProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[DiagramProblem]:
        return [p for p in self.problems if p.severity != "error"]


def _task_forms(models: Iterable[ModelXml]) -> set[str]:
    return {
        node.properties[key]
        for model in models
        for node in model.nodes.values()
        for key in ("formJsonSchemaFilename", "formUiSchemaFilename")
        if node.properties.get(key)
    }


def _main_process(models: list[ModelXml]) -> str | None:
    for model in models:
        for container in model.containers.values():
            if container.tag == "process" and container.executable:
                return container.id
    return None


def main_process_of(name: str, data: bytes) -> str | None:
    """The executable process of the file an upload names as its main diagram (None if unreadable)."""
    try:
        return _main_process(read_models({name: data}))
    except DiagramError:
        return None


def resolve_forms(rt: Runtime, process_id: str | None, wanted: set[str], uploaded: Mapping[str, str]) -> dict[str, str]:
    """The forms a diagram names: uploaded ones first, then the current version's, then forms/."""
    found = dict(uploaded)
    missing = wanted - found.keys()
    if missing and process_id:
        try:
            current = rt.current_model(process_id)
            found.update({n: current.forms[n] for n in missing if n in current.forms})
        except Exception:  # noqa: BLE001 - not deployed yet (or its version cannot load): nothing to inherit
            pass
    for name in wanted - found.keys():
        path = Path(rt.forms_dir) / name
        if "/" not in name and "\\" not in name and path.is_file():
            found[name] = path.read_text(encoding="utf-8")
    return {n: t for n, t in found.items() if n in wanted or n in uploaded}


def form_field_names(forms: Mapping[str, str]) -> set[str]:
    """The task data names the forms declare (top-level properties, through allOf/oneOf/if-then)."""
    names: set[str] = set()

    def walk(schema: Any, depth: int = 0) -> None:
        if not isinstance(schema, dict) or depth > 8:
            return
        if isinstance(schema.get("properties"), dict):
            names.update(k for k in schema["properties"] if isinstance(k, str))
        for key in ("allOf", "anyOf", "oneOf"):
            for sub in schema.get(key, []) if isinstance(schema.get(key), list) else []:
                walk(sub, depth + 1)
        for key in ("if", "then", "else"):
            walk(schema.get(key), depth + 1)
        if isinstance(schema.get("dependentSchemas"), dict):
            for sub in schema["dependentSchemas"].values():
                walk(sub, depth + 1)

    for name, text in forms.items():
        if name.endswith("-uischema.json"):
            continue
        try:
            walk(parse_json(text))
        except ValueError:
            continue
    return names


def decision_output_names(dmn_files: Mapping[str, bytes]) -> set[str]:
    """The task data names DMN tables write (their output columns' names)."""
    names: set[str] = set()
    for name, data in dmn_files.items():
        try:
            root = read_xml(data, name)
        except DiagramError:
            continue  # the parser reports it
        names.update(
            node.get("name")
            for node in root.iter()
            if isinstance(node.tag, str) and node.tag.rsplit("}", 1)[-1] == "output" and node.get("name")
        )
    return names


def check_forms(models: list[ModelXml], forms: Mapping[str, str]) -> list[DiagramProblem]:
    """Every user task names a form that exists and is a valid JSON Schema (no form: a warning)."""
    problems = []
    for model in models:
        for node in model.nodes.values():
            if node.tag not in USER_TASKS:
                continue
            form, ui_form = node.properties.get("formJsonSchemaFilename"), node.properties.get("formUiSchemaFilename")
            where = dict(
                element_id=node.id, element_name=node.name, line=node.line, file_name=model.file_name, rule="form"
            )
            if not form:
                problems.append(
                    DiagramProblem(
                        "the user task has no form (formJsonSchemaFilename): it accepts any data",
                        severity="warning",
                        code="check.form.none",
                        **where,
                    )
                )
            for name in (form, ui_form):
                if not name:
                    continue
                if name not in forms:
                    problems.append(
                        DiagramProblem(
                            f"form '{name}' does not exist", code="check.form.missing", params={"form": name}, **where
                        )
                    )
                    continue
                messages = schema_problems(forms[name]) if name == form else _json_problems(forms[name])
                problems.extend(
                    DiagramProblem(
                        f"form '{name}': {msg}",
                        code="check.form.invalid",
                        params={"form": name, "detail": msg},
                        **where,
                    )
                    for msg in messages
                )
    return problems


def _json_problems(text: str) -> list[str]:
    try:
        return [] if isinstance(parse_json(text, "the UI schema"), dict) else ["a UI schema must be a JSON object"]
    except UnsafeSchema as exc:
        return [str(exc)]


def known_groups(rt: Runtime) -> dict[str, str]:
    """Lane names that map to a group: each group's code, Chinese and English name."""
    with rt.db.read() as s:
        return projection.group_lookup(s)


def _alias_names(models: list[ModelXml], assignment: GroupAssignment, groups: Mapping[str, str]) -> dict[str, str]:
    """The lane names of these models that the alias table maps to a group."""
    names = {lane.name.strip() for model in models for lane in model.lanes.values()}
    return {n: code for n in names if (code := assignment.group_of(n, groups))}


def check_candidate_groups(
    models: list[ModelXml], assignment: GroupAssignment, groups: Mapping[str, str]
) -> list[DiagramProblem]:
    """Camunda candidate groups and users that map to none of our groups: the task goes to the fallback group."""
    out = []
    for model in models:
        for node in model.nodes.values():
            named = split_names(node.properties.get("candidateGroups")) + split_names(
                node.properties.get("candidateUsers")
            )
            if node.tag not in USER_TASKS or not named or assignment.first_group(named, groups):
                continue
            label, line = model.label(node.id)
            out.append(
                DiagramProblem(
                    f"candidate groups/users {', '.join(named)} map to none of our groups "
                    f"(config/group_aliases.toml): the task goes to the fallback group '{assignment.fallback}'",
                    node.id,
                    label,
                    line,
                    model.file_name,
                    "warning",
                    "candidate-groups",
                    code="check.candidate_groups.unmapped",
                    params={"names": ", ".join(named), "fallback": assignment.fallback},
                )
            )
    return out


def check_start_groups(bundle, codes: set[str]) -> list[DiagramProblem]:
    """The process's startGroups property names known group codes; without it nobody may start it by API."""
    if bundle is None:
        return []
    element = bundle.elements.get(bundle.process_id)
    where = dict(
        element_id=bundle.process_id,
        element_name=element.name if element else "",
        line=element.line if element else None,
        rule="start-groups",
    )
    if bundle.start_groups is None:
        return [
            DiagramProblem(
                "the process has no startGroups property: nobody may start it through the API "
                "(it can still be called by another process)",
                severity="warning",
                code="check.start_groups.none",
                **where,
            )
        ]
    if not bundle.start_groups:
        return [
            DiagramProblem(
                "startGroups is empty: name the group codes that may start the process",
                code="check.start_groups.empty",
                **where,
            )
        ]
    unknown = [g for g in bundle.start_groups if g not in codes]
    if unknown:
        return [
            DiagramProblem(
                f"startGroups names unknown group codes: {', '.join(unknown)}",
                code="check.start_groups.unknown",
                params={"codes": ", ".join(unknown)},
                **where,
            )
        ]
    return []


def check_sla_limits(models: Iterable[ModelXml]) -> list[DiagramProblem]:
    """A timer's own time limit (slaLimit) is an amount and a unit, of a known step, one per step."""
    out: list[DiagramProblem] = []
    seen: dict[str, tuple[str, tuple]] = {}
    for model in models:
        for node in model.nodes.values():
            text = node.properties.get("slaLimit", "").strip()
            if not text:
                continue
            label, line = model.label(node.id)
            where = {"element_id": node.id, "element_name": label, "line": line, "file_name": model.file_name}
            step = node.properties.get("slaStep", "")
            if step not in STEPS:
                out.append(
                    DiagramProblem(
                        f"slaLimit '{text}' belongs to no SLA step (slaStep '{step}')",
                        rule="sla",
                        code="check.sla.limit_no_step",
                        params={"limit": text, "step": step},
                        **where,
                    )
                )
                continue
            try:
                value = parse_limit(text)
            except ValueError as exc:
                out.append(
                    DiagramProblem(
                        f"time limit of step '{step}': {exc}",
                        rule="sla",
                        code="check.sla.limit_invalid",
                        params={"step": step, "limit": text, "detail": str(exc)},
                        **where,
                    )
                )
                continue
            first = seen.setdefault(step, (node.id, value))
            if first[1] != value:
                out.append(
                    DiagramProblem(
                        f"time limit of step '{step}' is '{text}' here but differs on {first[0]}",
                        rule="sla",
                        code="check.sla.limit_differs",
                        params={"step": step, "limit": text, "other": first[0]},
                        **where,
                    )
                )
    return out


def review_model(
    rt: Runtime,
    bpmn_files: Mapping[str, bytes],
    other_files: Mapping[str, bytes] | None = None,
    process_id: str | None = None,
) -> Review:
    """Run every deploy check on the files; errors block a deploy, warnings do not."""
    other = dict(other_files or {})
    problems: list[DiagramProblem] = []
    bundle = None
    try:
        bundle = parse_bundle(bpmn_files, {n: d for n, d in other.items() if n.endswith(".dmn")}, process_id)
    except DiagramError as exc:
        problems.extend(p if p.rule else dataclasses.replace(p, rule="parser") for p in exc.problems)
    try:
        models = read_models(bpmn_files)
    except DiagramError:
        models = []  # not well-formed: the parser's problem says where
    pid = bundle.process_id if bundle else (process_id or _main_process(models))
    uploaded = {}
    for name, data in other.items():
        if name.endswith(".json"):
            try:
                uploaded[name] = data.decode("utf-8")
            except UnicodeDecodeError:
                problems.append(
                    DiagramProblem("not UTF-8 text", file_name=name, rule="form", code="check.file.not_utf8")
                )
    generated, form_problems = camunda_generated_forms(bpmn_files)
    forms = resolve_forms(rt, pid, _task_forms(models) - generated.keys(), uploaded)
    forms.update(generated)  # made from the diagram again at each deploy: never an older version's
    problems += form_problems
    if models:
        problems += check_forms(models, forms)
        groups = known_groups(rt)
        assignment = group_assignment(rt.settings.get("GROUP_ALIASES"))
        problems += check_lanes(models, {**groups, **_alias_names(models, assignment, groups)}, assignment.fallback)
        problems += check_candidate_groups(models, assignment, groups)
        problems += check_start_groups(bundle, set(groups.values()))
        if bundle is not None:
            problems += check_work_limits(bundle)
        declared = (
            form_field_names(forms)
            | decision_output_names({n: d for n, d in other.items() if n.endswith(".dmn")})
            | set(OFFERED_FUNCTIONS)
        )
        problems += check_expressions(models, declared, STEPS)
        problems += check_instructions(models)
        problems += check_connectors(models, CONNECTORS)
        problems += check_sla_limits(models)
        problems += check_paths(models)
        for model in models:
            problems += lint(model)
    return Review(bundle, pid, forms, apply_levels(problems, rule_levels(rt.settings.get("DIAGRAM_RULES"))), models)


def apply_levels(problems: list[DiagramProblem], levels: Mapping[str, str]) -> list[DiagramProblem]:
    """Give each problem its rule's level from config/diagram_rules.toml; drop the rules turned off."""
    out = []
    for problem in problems:
        level = levels.get(problem.rule or "")
        if level == "off":
            continue
        # a rule's configured level is its ceiling: "warning" demotes; "error" keeps the check's own
        # warnings (a user task without a form) as warnings
        out.append(dataclasses.replace(problem, severity="warning") if level == "warning" else problem)
    return out
