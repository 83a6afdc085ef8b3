"""This application's own deploy checks of a diagram: paths, lanes, expressions, templates.

Each check reads the ModelXml of every file and returns DiagramProblems naming the element, its
label and its line. They complement SpiffWorkflow's parser (which stops at the first problem and
does not look at expressions) and the bpmnlint rules (which know nothing of how we run diagrams).
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from jinja2 import TemplateSyntaxError
from jinja2.sandbox import SecurityError

from ..domain.promises import PROMISE_STEP
from .model_xml import ModelXml, Node
from .sandbox import SandboxViolation, check_expression, render_instructions
from .sandbox.checks import is_undeclared_name
from .sandbox.compiler import compile_program
from .types import DiagramProblem

SLA_FUNCTIONS = {"sla_due": "breach", "sla_warn": "warning"}
# A promised date's clock (promise_due(promised_date)): its step is always "promise".
PROMISE_FUNCTIONS = {"promise_due": "breach", "promise_warn": "warning"}
# An ISO 8601 duration, date-time or repeating interval written without quotes (PT1H, R3/PT10M,
# 2026-03-02T09:00:00Z): Python reads it as a name or a syntax error, never as the time meant.
ISO_LITERAL = re.compile(
    r"(R\d*/)?(P(?=\d|T\d)[\dYMWD.,]*(T[\dHMS.,]+)?|\d{4}-\d\d-\d\d(T[\d:.,]+(Z|[+-]\d\d:?\d\d)?)?)"
    r"(/(P[\dYMWDTHS.,]+|\d{4}-[\dT:.,Z+-]+))?"
)


@dataclass(frozen=True)
class Expression:
    """One piece of Python in a diagram: where it is, what it is, and how it runs."""

    element_id: str
    kind: str  # condition | timer | script | preScript | postScript | candidateGroupExpression
    source: str
    mode: str  # eval | exec


def expressions(model: ModelXml) -> list[Expression]:
    """Every condition, timer, script and candidate group expression of a file."""
    out = []
    for flow in model.flows.values():
        if flow.condition is not None:
            out.append(Expression(flow.id, "condition", flow.condition, "eval"))
    for node in model.nodes.values():
        if node.timer is not None:
            out.append(Expression(node.id, "timer", node.timer[1], "eval"))
        if node.tag == "scriptTask":
            out.append(Expression(node.id, "script", node.script or "", "exec"))
        for kind in ("preScript", "postScript"):
            if node.extensions.get(kind, "").strip():
                out.append(Expression(node.id, kind, node.extensions[kind], "exec"))
        for param, value in node.operator_params.items():
            out.append(Expression(node.id, f"parameter {param}", value, "eval"))
        if node.properties.get("candidateGroupExpression", "").strip():
            out.append(
                Expression(node.id, "candidateGroupExpression", node.properties["candidateGroupExpression"], "eval")
            )
    return out


def assigned_names(models: Iterable[ModelXml]) -> set[str]:
    """Names the diagram provides: its scripts assign them, or its data elements declare them."""
    names: set[str] = set()
    for model in models:
        names |= model.data_names
        for expr in expressions(model):
            if expr.mode != "exec":
                continue
            try:
                names |= compile_program(expr.source, "exec").stored
            except (SyntaxError, SandboxViolation, ValueError):
                continue
    return names


def _problem(
    model: ModelXml,
    element_id: str,
    message: str,
    rule: str,
    severity: str = "error",
    fix=None,
    code: str = "",
    **params: Any,
):
    label, line = model.label(element_id)
    return DiagramProblem(message, element_id, label, line, model.file_name, severity, rule, fix, code, params)


def _kind(expr: Expression) -> dict[str, str]:
    """The kind of an expression as message values: {"kind": "parameter", "param": "url"} for a connector's."""
    if expr.kind.startswith("parameter "):
        return {"kind": "parameter", "param": expr.kind.removeprefix("parameter ")}
    return {"kind": expr.kind, "param": ""}


_SYNTAX = re.compile(r"(?:line (\d+): )?syntax error: (.*)", re.S)
_LINE = re.compile(r"line (\d+): (.*)", re.S)


def _expression_problem(model: ModelXml, expr: Expression, message: str) -> DiagramProblem:
    """One problem of check_expression as a DiagramProblem with its code: a syntax error, a refused construct."""
    english = f"{expr.kind}: {message}{_hint(expr, message)}"
    syntax = _SYNTAX.fullmatch(message)
    if syntax:
        line, detail = syntax.groups()
        code = "check.timer.syntax" if expr.kind == "timer" else "check.expression.syntax"
        return _problem(
            model, expr.element_id, english, "expression", code=code, line=int(line or 0), detail=detail, **_kind(expr)
        )
    if message == "the expression is empty":
        return _problem(model, expr.element_id, english, "expression", code="check.expression.empty", **_kind(expr))
    located = _LINE.fullmatch(message)
    line, detail = (int(located.group(1)), located.group(2)) if located else (0, message)
    return _problem(
        model,
        expr.element_id,
        english,
        "expression",
        code="check.expression.refused",
        line=line,
        detail=detail,
        **_kind(expr),
    )


def _quote_fix(text: str) -> dict[str, str]:
    """The editor's one-click fix of a bare ISO 8601 time: the same text, quoted."""
    return {"kind": "quote", "find": text, "replace": f'"{text}"'}


def _bare_iso_name(message: str) -> str | None:
    """PT2H of "name 'PT2H' ...": a name that is an ISO 8601 duration meant as text."""
    match = re.match(r"name '([A-Za-z0-9_]+)'", message)
    return match.group(1) if match and ISO_LITERAL.fullmatch(match.group(1)) else None


def _hint(expr: Expression, message: str) -> str:
    if expr.kind == "timer" and "syntax error" in message:
        return ' (an ISO 8601 time must be quoted: "PT1H", "2026-03-02T09:00:00Z")'
    return ""


def check_expressions(
    models: list[ModelXml], allowed_names: Iterable[str], sla_steps: Iterable[str] | None = None
) -> list[DiagramProblem]:
    """Every expression compiles in the sandbox and reads only declared names; SLA timers name a known step."""
    allowed = set(allowed_names) | assigned_names(models)
    steps = set(sla_steps) if sla_steps is not None else None
    out = []
    for model in models:
        for element_id, name in model.loop_inputs:
            if name not in allowed:
                out.append(
                    _problem(
                        model,
                        element_id,
                        f"multi-instance: loopDataInputRef '{name}' is not task "
                        "data a form, data object, DMN output or script provides; without it the "
                        "task stops the instance",
                        "undeclared-name",
                        "warning",
                        code="check.loop_input.undeclared",
                        name=name,
                    )
                )
        for expr in expressions(model):
            if expr.kind == "timer" and ISO_LITERAL.fullmatch(expr.source.strip()):
                out.append(
                    _problem(
                        model,
                        expr.element_id,
                        f"timer: {expr.source.strip()} is read as Python; "
                        f'quote the ISO 8601 text: "{expr.source.strip()}"',
                        "expression",
                        fix=_quote_fix(expr.source.strip()),
                        code="check.expression.bare_iso",
                        text=expr.source.strip(),
                        **_kind(expr),
                    )
                )
                continue
            for message in check_expression(expr.source, expr.mode, allowed):
                bare = _bare_iso_name(message)
                if bare is not None:
                    out.append(
                        _problem(
                            model,
                            expr.element_id,
                            f'{expr.kind}: {bare} is read as a Python name; quote the ISO 8601 text: "{bare}"',
                            "expression",
                            fix=_quote_fix(bare),
                            code="check.expression.bare_iso",
                            text=bare,
                            **_kind(expr),
                        )
                    )
                elif is_undeclared_name(message):
                    out.append(
                        _problem(
                            model,
                            expr.element_id,
                            f"{expr.kind}: {message}",
                            "undeclared-name",
                            "warning",
                            code="check.expression.undeclared",
                            name=message.split("'")[1],
                            **_kind(expr),
                        )
                    )
                else:
                    out.append(_expression_problem(model, expr, message))
            if expr.kind == "timer":
                out.extend(_check_sla_timer(model, model.nodes[expr.element_id], expr.source, steps))
    return out


def _sla_call(source: str) -> tuple[str, str] | None:
    """('sla_due', 'handle') for sla_due("handle") or sla_due("handle", <event instant>), else None."""
    try:
        tree = ast.parse(source.strip(), mode="eval").body
    except (SyntaxError, ValueError):
        return None
    if isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name) and tree.func.id in PROMISE_FUNCTIONS:
        return tree.func.id, PROMISE_STEP
    if (
        isinstance(tree, ast.Call)
        and isinstance(tree.func, ast.Name)
        and tree.func.id in SLA_FUNCTIONS
        and len(tree.args) in (1, 2)
        and not tree.keywords
        and isinstance(tree.args[0], ast.Constant)
        and isinstance(tree.args[0].value, str)
    ):
        return tree.func.id, tree.args[0].value
    return None


def _check_sla_timer(model: ModelXml, node: Node, source: str, steps: set[str] | None) -> list[DiagramProblem]:
    call = _sla_call(source)
    step, kind = node.properties.get("slaStep"), node.properties.get("slaKind")
    out = []
    if call is None:
        if step or kind:
            out.append(
                _problem(
                    model,
                    node.id,
                    f"the timer has slaStep/slaKind but its expression is not "
                    f'sla_due("{step or "..."}") or sla_warn(...)',
                    "sla",
                    "warning",
                    code="check.sla.not_sla_call",
                    step=step or "...",
                )
            )
        return out
    function, called_step = call
    if steps is not None and called_step not in steps and function not in PROMISE_FUNCTIONS:
        out.append(
            _problem(
                model,
                node.id,
                f"SLA step '{called_step}' is not in the SLA policy (known: {', '.join(sorted(steps))})",
                "sla",
                code="check.sla.unknown_step",
                step=called_step,
                known=", ".join(sorted(steps)),
            )
        )
    if step and step != called_step:
        out.append(
            _problem(
                model,
                node.id,
                f"slaStep is '{step}' but the timer calls {function}(\"{called_step}\")",
                "sla",
                "warning",
                code="check.sla.step_mismatch",
                step=step,
                function=function,
                called=called_step,
            )
        )
    expected = {**SLA_FUNCTIONS, **PROMISE_FUNCTIONS}[function]
    if kind and kind != expected:
        out.append(
            _problem(
                model,
                node.id,
                f"slaKind is '{kind}' but {function} is a {expected} timer",
                "sla",
                "warning",
                code=f"check.sla.kind_mismatch_{expected}",
                kind=kind,
                function=function,
            )
        )
    return out


def check_connectors(models: list[ModelXml], connectors: Mapping) -> list[DiagramProblem]:
    """Each service task names a registered connector and gives it the parameters it takes."""
    out = []
    for model in models:
        for node in model.nodes.values():
            if node.tag != "serviceTask":
                continue
            if not node.operator:
                out.append(
                    _problem(
                        model,
                        node.id,
                        "the service task names no connector (spiffworkflow:"
                        f"serviceTaskOperator); registered: {', '.join(sorted(connectors))}",
                        "connector",
                        code="check.connector.none",
                        registered=", ".join(sorted(connectors)),
                    )
                )
            elif node.operator not in connectors:
                out.append(
                    _problem(
                        model,
                        node.id,
                        f"connector '{node.operator}' is not registered (registered: {', '.join(sorted(connectors))})",
                        "connector",
                        code="check.connector.unknown",
                        connector=node.operator,
                        registered=", ".join(sorted(connectors)),
                    )
                )
            else:
                out.extend(
                    _problem(
                        model,
                        node.id,
                        message,
                        "connector",
                        code="check.connector.parameters",
                        connector=node.operator,
                        detail=message,
                    )
                    for message in connectors[node.operator].problems(set(node.operator_params))
                )
    return out


def check_instructions(models: list[ModelXml]) -> list[DiagramProblem]:
    """Instructions templates compile and render in the sandbox (on empty data)."""
    out = []
    for model in models:
        for node in model.nodes.values():
            text = node.extensions.get("instructionsForEndUser")
            if not text:
                continue
            try:
                render_instructions(text, {})
            except SandboxViolation as error:
                cause = error.__cause__
                # Undefined data fails some filters on empty data: only a bad template is an error
                fatal = cause is None or isinstance(cause, (TemplateSyntaxError, SecurityError))
                out.append(
                    _problem(
                        model,
                        node.id,
                        f"instructions: {error}",
                        "instructions",
                        "error" if fatal else "warning",
                        code="check.instructions.template" if fatal else "check.instructions.empty_data",
                        detail=str(error),
                    )
                )
    return out


def check_lanes(models: list[ModelXml], groups: Mapping[str, str], fallback: str | None = None) -> list[DiagramProblem]:
    """Every lane holding user tasks names a known group (code or name), unless each task has an expression.

    With a fallback group (config/group_aliases.toml) such a lane only warns: its tasks go there.
    """
    out = []
    for model in models:
        for lane in model.lanes.values():
            if lane.name.strip() in groups:
                continue
            tasks = [
                model.nodes[n]
                for n in lane.nodes
                if n in model.nodes and model.nodes[n].tag in ("userTask", "manualTask")
            ]
            loose = [
                t
                for t in tasks
                if not t.properties.get("candidateGroupExpression", "").strip()
                and not t.properties.get("candidateGroups", "").strip()
                and not t.properties.get("candidateUsers", "").strip()
            ]
            if not loose:
                continue
            names = ", ".join(f"{t.id} ({t.name})" if t.name else t.id for t in loose)
            message = (
                f"lane '{lane.name}' is not a known group (a group code or "
                f"its name) and its tasks {names} have no candidateGroupExpression"
            )
            code = "check.lane.unknown_group"
            if fallback:
                message += f": they go to the fallback group '{fallback}' (config/group_aliases.toml)"
                code = "check.lane.unknown_group_fallback"
            out.append(
                _problem(
                    model,
                    lane.id,
                    message,
                    "lane",
                    "warning" if fallback else "error",
                    code=code,
                    lane=lane.name,
                    tasks=names,
                    fallback=fallback or "",
                )
            )
    return out


def check_paths(models: list[ModelXml]) -> list[DiagramProblem]:
    """No element unreachable from a start, and no loop that no path leaves for an end.

    Elements without incoming or outgoing flows are the lint's implicit starts and ends: they
    are reported there once, not again here.
    """
    out = []
    for model in models:
        forward, backward = _edges(model)
        starts = [
            n.id
            for n in model.nodes.values()
            if n.tag == "startEvent" or (n.tag == "subProcess" and n.triggered_by_event)
        ]
        reached = _closure(starts, forward)
        for node in model.nodes.values():
            if node.id in reached or (not node.incoming and node.tag != "boundaryEvent"):
                continue
            out.append(
                _problem(
                    model,
                    node.id,
                    "unreachable: no path from a start event leads here",
                    "unreachable",
                    code="check.path.unreachable",
                )
            )
        ends = [
            n.id
            for n in model.nodes.values()
            if n.tag == "endEvent" or (not n.outgoing and not (n.tag == "intermediateThrowEvent" and n.link_name))
        ]
        can_end = _closure(ends, backward)
        for node in model.nodes.values():
            if node.id in can_end or not node.outgoing:
                continue
            out.append(
                _problem(model, node.id, "no path from here reaches an end event", "no-end", code="check.path.no_end")
            )
    return out


def _edges(model: ModelXml) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    forward: dict[str, set[str]] = defaultdict(set)
    backward: dict[str, set[str]] = defaultdict(set)

    def link(a: str, b: str) -> None:
        forward[a].add(b)
        backward[b].add(a)

    for flow in model.flows.values():
        if flow.source in model.nodes and flow.target in model.nodes:
            link(flow.source, flow.target)
    catches = defaultdict(list)
    for node in model.nodes.values():
        if node.tag == "intermediateCatchEvent" and node.link_name:
            catches[(node.container, node.link_name)].append(node.id)
    for node in model.nodes.values():
        if node.attached_to in model.nodes:
            forward[node.attached_to].add(node.id)  # a boundary event is reached with its activity
        if node.tag == "intermediateThrowEvent" and node.link_name:
            for target in catches.get((node.container, node.link_name), []):
                link(node.id, target)
        if node.tag in ("subProcess", "transaction", "adHocSubProcess"):
            for inner in model.nodes.values():  # reaching a sub-process reaches its start events
                if inner.container == node.id and (inner.tag == "startEvent" or node.tag == "adHocSubProcess"):
                    forward[node.id].add(inner.id)
    return forward, backward


def _closure(roots: Iterable[str], edges: Mapping[str, set[str]]) -> set[str]:
    seen = set(roots)
    todo = list(seen)
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen
