"""A diagram check's problem in the user's language: its code and values through the catalogues.

The checks (``app/engine``, ``services/process_models/checks.py``) give each ``DiagramProblem`` a
code (``check.timer.syntax``) and its values, besides the English ``message`` API clients and logs
read. Python's own words inside a value (a SyntaxError's "'(' was never closed", the sandbox's
"... is not allowed") are said through a small table of ``check.python.*`` keys; a detail the
table does not know (nor app/web/library_words.py, for lxml, the BPMN schema, SpiffWorkflow's parser and
jsonschema) is, for a Chinese reader, told apart as a folded technical detail (``technical``), never quoted
inside the Chinese sentence.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

from .i18n import N_, current_locale, t
from .library_words import LIBRARY_DETAILS, POSITION, where_values

# Every code the checks produce: listed for the extraction (and read by the catalogue test).
CODES = (
    N_("check.timer.syntax"),
    N_("check.expression.syntax"),
    N_("check.expression.empty"),
    N_("check.expression.refused"),
    N_("check.expression.bare_iso"),
    N_("check.expression.undeclared"),
    N_("check.loop_input.undeclared"),
    N_("check.sla.not_sla_call"),
    N_("check.sla.unknown_step"),
    N_("check.sla.step_mismatch"),
    N_("check.sla.kind_mismatch_breach"),
    N_("check.sla.kind_mismatch_warning"),
    N_("check.sla.limit_no_step"),
    N_("check.sla.limit_invalid"),
    N_("check.sla.limit_differs"),
    N_("check.connector.none"),
    N_("check.connector.unknown"),
    N_("check.connector.parameters"),
    N_("check.instructions.template"),
    N_("check.instructions.empty_data"),
    N_("check.lane.unknown_group"),
    N_("check.lane.unknown_group_fallback"),
    N_("check.path.unreachable"),
    N_("check.path.no_end"),
    N_("check.form.none"),
    N_("check.form.missing"),
    N_("check.form.invalid"),
    N_("check.candidate_groups.unmapped"),
    N_("check.start_groups.none"),
    N_("check.start_groups.empty"),
    N_("check.start_groups.unknown"),
    N_("check.file.too_large"),
    N_("check.file.doctype"),
    N_("check.file.xml"),
    N_("check.file.not_utf8"),
    N_("check.parser"),
    N_("check.process.missing"),
    N_("check.process.not_executable"),
    N_("check.process.none"),
    N_("check.limits.multi_instance"),
    N_("check.limits.call_loop"),
    N_("check.camunda.field_no_id"),
    N_("check.camunda.type_unsupported"),
    N_("check.camunda.enum_empty"),
    N_("check.camunda.default_type"),
    N_("check.camunda.default_expression"),
    N_("check.camunda.properties"),
    N_("check.camunda.constraint_unsupported"),
    N_("check.camunda.constraint_type"),
    N_("check.camunda.constraint_number"),
    N_("check.camunda.constraint_negative"),
    N_("check.lint.ad_hoc_start"),
    N_("check.lint.ad_hoc_end"),
    N_("check.lint.ad_hoc_catch"),
    N_("check.lint.missing_condition"),
    N_("check.lint.process_no_end"),
    N_("check.lint.sub_process_no_end"),
    N_("check.lint.process_no_start"),
    N_("check.lint.sub_process_no_start"),
    N_("check.lint.event_gateway_outgoing"),
    N_("check.lint.event_gateway_condition"),
    N_("check.lint.start_no_definition"),
    N_("check.lint.fake_join"),
    N_("check.lint.global_no_name"),
    N_("check.lint.global_unused"),
    N_("check.lint.global_not_unique"),
    N_("check.lint.label_required"),
    N_("check.lint.link_no_name"),
    N_("check.lint.link_missing_catch"),
    N_("check.lint.link_missing_throw"),
    N_("check.lint.link_duplicate_catch"),
    N_("check.lint.no_bpmndi"),
    N_("check.lint.complex_gateway"),
    N_("check.lint.disconnected"),
    N_("check.lint.duplicate_flow"),
    N_("check.lint.duplicate_outgoing"),
    N_("check.lint.duplicate_incoming"),
    N_("check.lint.gateway_join_fork"),
    N_("check.lint.implicit_split"),
    N_("check.lint.implicit_end"),
    N_("check.lint.implicit_start"),
    N_("check.lint.inclusive_gateway"),
    N_("check.lint.overlap"),
    N_("check.lint.multiple_blank_starts"),
    N_("check.lint.multiple_definitions"),
    N_("check.lint.start_must_be_blank"),
    N_("check.lint.superfluous_gateway"),
    N_("check.lint.superfluous_label"),
    N_("check.lint.superfluous_termination"),
)

# Where an expression is: its kind in words (a connector's parameter names the parameter).
KINDS = {
    "condition": N_("check.kind.condition"),
    "timer": N_("check.kind.timer"),
    "script": N_("check.kind.script"),
    "preScript": N_("check.kind.preScript"),
    "postScript": N_("check.kind.postScript"),
    "parameter": N_("check.kind.parameter"),
    "candidateGroupExpression": N_("check.kind.candidateGroupExpression"),
}

# Python's (and the sandbox's) commonest words and the checks' own details, said in the user's
# language; the rest are told apart (detail_parts).
PYTHON_DETAILS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"'(?P<char>.)' was never closed"), N_("check.python.never_closed")),
    (re.compile(r"invalid syntax\. Perhaps you forgot a comma\?"), N_("check.python.forgot_comma")),
    (re.compile(r"invalid syntax(\. Maybe you meant '==' or ':=' instead of '='\?)?"), N_("check.python.invalid")),
    (re.compile(r"unterminated (triple-quoted )?string literal.*"), N_("check.python.unterminated_string")),
    (re.compile(r"unexpected indent"), N_("check.python.unexpected_indent")),
    (re.compile(r"unindent does not match any outer indentation level"), N_("check.python.unindent")),
    (re.compile(r"expected an indented block.*"), N_("check.python.expected_indent")),
    (re.compile(r"expected '(?P<char>[^']+)'"), N_("check.python.expected")),
    (re.compile(r"unmatched '(?P<char>.)'"), N_("check.python.unmatched")),
    (
        re.compile(r"closing parenthesis '(?P<char>.)' does not match opening parenthesis '(?P<opening>.)'.*"),
        N_("check.python.mismatch"),
    ),
    (re.compile(r"invalid decimal literal"), N_("check.python.decimal")),
    (re.compile(r"invalid character '(?P<char>.)'.*"), N_("check.python.character")),
    (re.compile(r"cannot assign to (?P<what>.+?)(?: here.*)?"), N_("check.python.cannot_assign")),
    (re.compile(r"attribute '(?P<what>[^']+)' is not allowed"), N_("check.python.attribute")),
    (re.compile(r"attribute access \.(?P<what>\w+) is not allowed.*"), N_("check.python.attribute_access")),
    (re.compile(r"method \.(?P<what>\w+)\(\) is not allowed"), N_("check.python.method")),
    (re.compile(r"str\.(?P<what>\w+)\(\) is not allowed: use an f-string"), N_("check.python.str_method")),
    (re.compile(r"operator (?P<what>\w+) is not allowed"), N_("check.python.operator")),
    (re.compile(r"name '(?P<what>_\w*)' is not allowed.*"), N_("check.python.private_name")),
    (re.compile(r"a (?P<what>\w+) literal is not allowed"), N_("check.python.literal")),
    (re.compile(r"nested deeper than (?P<levels>\d+) levels"), N_("check.python.nested")),
    (re.compile(r"integer literal exceeds the limit"), N_("check.python.big_integer")),
    (re.compile(r"(?P<what>break|continue) outside a loop"), N_("check.python.outside_loop")),
    (re.compile(r"(?P<what>.+) is not allowed(?P<rest>: .*)?"), N_("check.python.not_allowed")),
    # the checks' own commonest details: a connector's parameters, a time limit, a form's schema
    (
        re.compile(r"connector '(?P<connector>[^']+)' has no parameter '(?P<name>[^']+)' \(it takes: (?P<known>.*)\)"),
        N_("check.detail.connector_unknown_parameter"),
    ),
    (
        re.compile(r"connector '(?P<connector>[^']+)' needs parameter '(?P<name>[^']+)' \((?P<doc>.*)\)"),
        N_("check.detail.connector_missing_parameter"),
    ),
    (
        re.compile(r"a time limit is an amount and a unit, e\.g\. '2 hours', got (?P<got>.*)"),
        N_("check.detail.limit_form"),
    ),
    (re.compile(r"unknown unit (?P<unit>.+) \(known: (?P<known>.*)\)"), N_("check.detail.limit_unit")),
    (
        re.compile(r"the amount must be a positive whole number for (?P<unit>\w+), got (?P<got>.*)"),
        N_("check.detail.limit_whole"),
    ),
    (
        re.compile(r"the amount must be a positive number for (?P<unit>\w+), got (?P<got>.*)"),
        N_("check.detail.limit_positive"),
    ),
    (re.compile(r"No start event found"), N_("check.detail.parser_no_start")),
    (
        re.compile(r"Non-default exclusive outgoing sequence flow without condition"),
        N_("check.detail.parser_no_condition"),
    ),
    (re.compile(r"Duplicate process ID: (?P<id>.+)"), N_("check.detail.parser_duplicate_process")),
    (re.compile(r"Cannot resolve data(Input|Output)Association (?P<name>.+)"), N_("check.detail.parser_association")),
    (
        re.compile(r"A multiinstance task must specify a cardinality or a (collection|loop input data reference).*"),
        N_("check.detail.parser_multi_instance"),
    ),
    (re.compile(r"Unknown Time Specification.*"), N_("check.detail.parser_time")),
    (re.compile(r"Conditional event definition with missing condition"), N_("check.detail.parser_conditional_event")),
    (re.compile(r"A SubWorkflow Must contain an End event"), N_("check.detail.parser_sub_process_end")),
    (re.compile(r"a (form|UI) schema must be a JSON object"), N_("check.detail.schema_object")),
    (re.compile(r"not valid JSON: (?P<detail>.*)", re.S), N_("check.detail.json")),
    (
        re.compile(r"not a valid JSON Schema: (?P<detail>.*) \(at (?P<path>[^)]*)\)", re.S),
        N_("check.detail.json_schema"),
    ),
]


# What Python says cannot be assigned to ("cannot assign to function call"), in words; others are folded.
ASSIGN_TARGETS = {
    "function call": N_("check.python.target.call"),
    "literal": N_("check.python.target.literal"),
    "expression": N_("check.python.target.expression"),
    "comparison": N_("check.python.target.comparison"),
    "conditional expression": N_("check.python.target.conditional"),
    "f-string expression": N_("check.python.target.fstring"),
    "subscript": N_("check.python.target.subscript"),
    "attribute": N_("check.python.target.attribute"),
    "lambda": N_("check.python.target.lambda"),
    "True": N_("check.python.target.constant"),
    "False": N_("check.python.target.constant"),
    "None": N_("check.python.target.constant"),
}


def detail_parts(detail: str) -> tuple[str, str]:
    """(a library's or Python's words in the user's language, the original when they could not be said).

    "'(' was never closed" -> ("“(”没有闭合", ""). lxml's position (", line 5, column 20") becomes the column
    in words. A detail no table knows is, for a Chinese reader, "see the technical detail" and the original
    is returned apart, for the page to show folded; an English reader reads the original in place.
    """
    plain, column = detail.strip(), ""
    at = POSITION.search(plain)
    if at:
        plain, column = plain[: at.start()], at["column"]
    for pattern, key in (*PYTHON_DETAILS, *LIBRARY_DETAILS):
        found = pattern.fullmatch(plain)
        if not found:
            continue
        values = where_values({k: v or "" for k, v in found.groupdict().items()})
        technical = ""
        if "doc" in values:  # a connector's parameter as the properties panel describes it
            described = t(f"editor.connector.{values['connector']}.{values['name']}")
            values["doc"] = described if not described.startswith("editor.") else values["doc"]
        if values.get("path") == "the root":
            values["path"] = t("check.detail.root")
        if key == "check.python.cannot_assign":
            what = values.get("what", "")
            if what not in ASSIGN_TARGETS and current_locale() != "en":
                return t("check.python.cannot_assign_unknown"), detail
            values["what"] = t(ASSIGN_TARGETS[what]) if what in ASSIGN_TARGETS else what
        if "detail" in values:  # a JSON parser's or jsonschema's own words, inside the checks' sentence
            inner, technical = detail_parts(values["detail"])
            values["detail"] = inner if technical else t("check.python.quoted", detail=inner)
        text = t(key, **values)
        return (t("check.xml.column", text=text, column=column) if column else text), technical
    if current_locale() == "en":
        return t("check.python.quoted", detail=detail), ""
    return t("check.python.unknown"), detail


def python_detail(detail: str) -> str:
    """Python's words in the user's language: "'(' was never closed" -> "“(”没有闭合"."""
    return detail_parts(detail)[0]


def problem_parts(problem: Mapping[str, Any]) -> tuple[str, str]:
    """One problem (``DiagramProblem.as_dict()``) in the session's language, and any technical detail apart."""
    code = problem.get("code") or ""
    if not code:
        said, technical = detail_parts(str(problem.get("message") or ""))
        return t("check.unknown", detail=said), technical
    values = dict(problem.get("params") or {})
    technical = ""
    if "kind" in values and code.startswith(("check.expression.", "check.timer.")):
        kind = values.pop("kind")
        values["kind"] = t(KINDS[kind], name=values.get("param", "")) if kind in KINDS else kind
    if "line" in values:
        values["where"] = t("check.where.line", line=values["line"]) if values["line"] else ""
    if code == "check.parser":  # the parser's problem names the element (or the line) it is about
        element = problem.get("element_name") or problem.get("element_id") or ""
        line = problem.get("line")
        values["where"] = (
            t("check.where.element", element=element)
            if element
            else t("check.where.at_line", line=line)
            if line
            else ""
        )
    if "detail" in values:
        values["detail"], technical = detail_parts(str(values["detail"]))
    return t(code, **values), technical


def problem_text(problem: Mapping[str, Any]) -> str:
    """One problem (``DiagramProblem.as_dict()``) in the session's language."""
    return problem_parts(problem)[0]


def with_text(problems: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The problems with ``text`` beside ``message`` (and ``technical``, a library's words not said): the editor's."""
    out = []
    for p in problems:
        text, technical = problem_parts(p)
        out.append({**p, "text": text, "technical": technical})
    return out
