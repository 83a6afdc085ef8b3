"""Read what a Camunda 7 diagram says in Camunda's words as SpiffWorkflow's own extensions.

Applied to the parsed tree before SpiffWorkflow's parser (and the deploy checks) see it; the
stored file is unchanged.

- A business rule task's camunda:decisionRef names its DMN decision (SpiffWorkflow reads only
  spiffworkflow:calledDecisionId and otherwise reports "No DMN Diagram available with id None").
- A user task's (or start event's) camunda:formData becomes a JSON Schema form the app renders:
  ``camunda_forms`` generates it, named ``camunda-<element id>-schema.json``, and the element gets the
  property formJsonSchemaFilename naming it (as a spiff-arena diagram names its form).
- camunda:candidateGroups, camunda:candidateUsers and camunda:assignee become the properties
  candidateGroups / candidateUsers, which the projection maps to our groups
  (domain/group_aliases.py).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from lxml import etree

from .types import DiagramProblem

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
FORM_OWNERS = ("userTask", "startEvent")
RULE = "camunda-form"


def form_file(element_id: str, ui: bool = False) -> str:
    return f"camunda-{element_id}-{'uischema' if ui else 'schema'}.json"


def read_camunda(root: etree._Element) -> etree._Element:
    """Add SpiffWorkflow's extensions for what Camunda names its own way (the module docstring lists them)."""
    for task in root.iter(f"{{{BPMN_NS}}}businessRuleTask"):
        ref = (task.get(f"{{{CAMUNDA_NS}}}decisionRef") or "").strip()
        if not ref or task.find(f".//{{{SPIFF_NS}}}calledDecisionId") is not None:
            continue
        called = etree.SubElement(_extensions(task), f"{{{SPIFF_NS}}}calledDecisionId")
        called.text = ref
    for tag in FORM_OWNERS:
        for node in root.iter(f"{{{BPMN_NS}}}{tag}"):
            props = _properties(node)
            if _form_data(node) is not None and "formJsonSchemaFilename" not in props:
                _add_property(node, "formJsonSchemaFilename", form_file(node.get("id", "")))
                _add_property(node, "formUiSchemaFilename", form_file(node.get("id", ""), ui=True))
            if tag != "userTask":
                continue
            groups = (node.get(f"{{{CAMUNDA_NS}}}candidateGroups") or "").strip()
            users = ", ".join(
                v.strip()
                for v in (node.get(f"{{{CAMUNDA_NS}}}assignee"), node.get(f"{{{CAMUNDA_NS}}}candidateUsers"))
                if v and v.strip()
            )
            if groups and "candidateGroups" not in props:
                _add_property(node, "candidateGroups", groups)
            if users and "candidateUsers" not in props:
                _add_property(node, "candidateUsers", users)
    return root


def _extensions(node) -> etree._Element:
    extensions = node.find(f"{{{BPMN_NS}}}extensionElements")
    if extensions is None:
        extensions = etree.Element(f"{{{BPMN_NS}}}extensionElements")
        node.insert(_after_documentation(node), extensions)
    return extensions


def _properties(node) -> dict[str, str]:
    return {
        p.get("name"): p.get("value", "")
        for p in node.iterfind(f"{{{BPMN_NS}}}extensionElements/{{{SPIFF_NS}}}properties/{{{SPIFF_NS}}}property")
        if p.get("name")
    }


def _add_property(node, name: str, value: str) -> None:
    extensions = _extensions(node)
    props = extensions.find(f"{{{SPIFF_NS}}}properties")
    if props is None:
        props = etree.SubElement(extensions, f"{{{SPIFF_NS}}}properties")
    etree.SubElement(props, f"{{{SPIFF_NS}}}property", name=name, value=value)


def _after_documentation(task) -> int:
    # the XSD orders documentation before extensionElements
    return sum(1 for child in task if isinstance(child.tag, str) and etree.QName(child).localname == "documentation")


def _form_data(node) -> etree._Element | None:
    return node.find(f"{{{BPMN_NS}}}extensionElements/{{{CAMUNDA_NS}}}formData")


# -- generated forms ----------------------------------------------------------------------------
TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "long": {"type": "integer"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "enum": {"type": "string"},
}
# constraint -> the types it applies to
CONSTRAINTS = {
    "required": set(TYPES),
    "readonly": set(TYPES),
    "minlength": {"string"},
    "maxlength": {"string"},
    "min": {"long"},
    "max": {"long"},
}
_CAMUNDA_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")  # Camunda's default date pattern dd/MM/yyyy


@dataclass
class CamundaForm:
    """The JSON Schema and UI schema generated from one element's camunda:formData, and what could not be kept."""

    element_id: str
    schema: dict[str, Any]
    ui: dict[str, Any]
    problems: list[DiagramProblem] = field(default_factory=list)


def camunda_forms(root: etree._Element, file_name: str = "") -> list[CamundaForm]:
    """The forms of every element with camunda:formData in one BPMN file (its tree as parsed)."""
    out = []
    for tag in FORM_OWNERS:
        for node in root.iter(f"{{{BPMN_NS}}}{tag}"):
            data = _form_data(node)
            if data is not None and "formJsonSchemaFilename" not in _properties_without_generated(node):
                out.append(_form_of(node, data, file_name))
    return out


def _properties_without_generated(node) -> dict[str, str]:
    props = _properties(node)
    if props.get("formJsonSchemaFilename") == form_file(node.get("id", "")):
        props.pop("formJsonSchemaFilename")  # read_camunda's own, when the tree was read twice
    return props


def _form_of(node, data, file_name: str) -> CamundaForm:
    element_id, element_name = node.get("id", ""), node.get("name") or ""
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": element_name or element_id,
        "type": "object",
        "properties": {},
    }
    required: list[str] = []
    form = CamundaForm(element_id, schema, {"ui:order": []})

    def warn(message: str, line: int | None, code: str, **params: Any) -> None:
        form.problems.append(
            DiagramProblem(
                message,
                element_id,
                element_name,
                line,
                file_name,
                severity="warning",
                rule=RULE,
                code=f"check.camunda.{code}",
                params=params,
            )
        )

    for field_node in data.iterfind(f"{{{CAMUNDA_NS}}}formField"):
        name = (field_node.get("id") or "").strip()
        line = field_node.sourceline
        if not name:
            warn("a camunda:formField without an id is left out of the form", line, "field_no_id")
            continue
        kind = (field_node.get("type") or "string").strip()
        if kind not in TYPES:
            warn(
                f"form field '{name}': type '{kind}' is not supported (string, long, boolean, date, enum); "
                "it is shown as a text field",
                line,
                "type_unsupported",
                field=name,
                type=kind,
            )
            kind = "string"
        prop: dict[str, Any] = {**TYPES[kind], "title": (field_node.get("label") or "").strip() or name}
        if kind == "enum":
            options = [
                {"const": v.get("id"), "title": v.get("name") or v.get("id")}
                for v in field_node.iterfind(f"{{{CAMUNDA_NS}}}value")
                if v.get("id")
            ]
            if options:
                prop["oneOf"] = options
            else:
                warn(
                    f"form field '{name}': an enum without camunda:value entries is shown as a text field",
                    line,
                    "enum_empty",
                    field=name,
                )
        default = field_node.get("defaultValue")
        if default is not None and "${" not in default:
            value = _typed_default(kind, default)
            if value is None:
                warn(
                    f"form field '{name}': default value '{default}' is not a {kind}; it is left out",
                    line,
                    "default_type",
                    field=name,
                    value=default,
                    type=kind,
                )
            else:
                prop["default"] = value
        elif default is not None:
            warn(
                f"form field '{name}': the expression default '{default}' is not evaluated; it is left out",
                line,
                "default_expression",
                field=name,
                value=default,
            )
        for constraint in field_node.iterfind(f"{{{CAMUNDA_NS}}}validation/{{{CAMUNDA_NS}}}constraint"):
            _apply_constraint(name, kind, constraint, prop, required, warn)
        if field_node.find(f"{{{CAMUNDA_NS}}}properties") is not None:
            warn(f"form field '{name}': camunda:properties are not read", line, "properties", field=name)
        schema["properties"][name] = prop
        form.ui["ui:order"].append(name)
    if required:
        schema["required"] = required
    return form


def _apply_constraint(name: str, kind: str, constraint, prop: dict, required: list, warn) -> None:
    which = (constraint.get("name") or "").strip()
    config = (constraint.get("config") or "").strip()
    line = constraint.sourceline
    if which not in CONSTRAINTS:
        warn(
            f"form field '{name}': constraint '{which}' is not supported and is not checked",
            line,
            "constraint_unsupported",
            field=name,
            constraint=which,
        )
        return
    if kind not in CONSTRAINTS[which]:
        warn(
            f"form field '{name}': constraint '{which}' does not apply to a {kind} field and is not checked",
            line,
            "constraint_type",
            field=name,
            constraint=which,
            type=kind,
        )
        return
    if which == "required":
        if not prop.get("readOnly"):
            required.append(name)
        return
    if which == "readonly":
        prop["readOnly"] = True
        if name in required:
            required.remove(name)  # nobody can fill it in: its value comes from the process
        return
    try:
        number = int(config)
    except ValueError:
        warn(
            f"form field '{name}': constraint '{which}' needs a whole number, not '{config}'; it is not checked",
            line,
            "constraint_number",
            field=name,
            constraint=which,
            value=config,
        )
        return
    key = {"minlength": "minLength", "maxlength": "maxLength", "min": "minimum", "max": "maximum"}[which]
    if key in ("minLength", "maxLength") and number < 0:
        warn(
            f"form field '{name}': constraint '{which}' cannot be negative; it is not checked",
            line,
            "constraint_negative",
            field=name,
            constraint=which,
        )
        return
    prop[key] = number


def _typed_default(kind: str, text: str) -> Any:
    if kind == "long":
        try:
            return int(text.strip())
        except ValueError:
            return None
    if kind == "boolean":
        return {"true": True, "false": False}.get(text.strip().lower())
    if kind == "date":
        found = _CAMUNDA_DATE.match(text.strip())
        if found:
            day, month, year = found.groups()
            return f"{year}-{month}-{day}"
        return text.strip() if re.match(r"^\d{4}-\d{2}-\d{2}$", text.strip()) else None
    return text


def generated_forms(roots: Mapping[str, etree._Element]) -> tuple[dict[str, str], list[DiagramProblem]]:
    """file name -> JSON text of every generated form and UI schema, and the fields that could not be kept."""
    texts: dict[str, str] = {}
    problems: list[DiagramProblem] = []
    for file_name, root in sorted(roots.items()):
        for form in camunda_forms(root, file_name):
            texts[form_file(form.element_id)] = json.dumps(form.schema, ensure_ascii=False, indent=2)
            texts[form_file(form.element_id, ui=True)] = json.dumps(form.ui, ensure_ascii=False, indent=2)
            problems.extend(form.problems)
    return texts, problems
