"""Parse and check a process model (BPMN files, DMN tables) into an immutable bundle."""

from __future__ import annotations

import codecs
import functools
import re
import hashlib
from dataclasses import dataclass, field
from typing import Any, Mapping

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from .camunda import generated_forms, read_camunda
from .types import DiagramError, DiagramProblem, UserTaskSpec, without_reprs

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
MAX_FILE_BYTES = 5 * 1024 * 1024

# No entity expansion, no network, no huge trees: diagrams come from users (XML bombs, XXE).
_SAFE_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, remove_pis=True
)


@dataclass(frozen=True)
class Element:
    """A BPMN element as the XML states it, for naming it in errors and views."""

    id: str
    tag: str
    name: str
    line: int | None
    attached_to: str | None = None


@dataclass(frozen=True)
class ProcessBundle:
    """A parsed, deployable process model. Immutable, so it can be cached by hash."""

    process_id: str
    name: str
    hash: str
    spec: Any = field(repr=False)
    subprocess_specs: Mapping[str, Any] = field(repr=False)
    user_tasks: Mapping[str, UserTaskSpec]
    elements: Mapping[str, Element]
    process_ids: tuple[str, ...]
    # The groups that may start the process (its startGroups property); None when the diagram names none.
    start_groups: tuple[str, ...] | None = None
    # The version's own step time limits ({slaStep: "2 hours"}, from its SLA timers' slaLimit property).
    sla_limits: Mapping[str, str] = field(default_factory=dict)

    def element_name(self, element_id: str) -> str:
        el = self.elements.get(element_id)
        return (el.name or element_id) if el else element_id

    @functools.cached_property
    def has_service_tasks(self) -> bool:
        """Whether any process of the bundle calls a connector (a run of it reaches outside the database)."""
        specs = [self.spec, *self.subprocess_specs.values()]
        return any(hasattr(task_spec, "operation_name") for spec in specs for task_spec in spec.task_specs.values())

    @functools.cached_property
    def has_timers(self) -> bool:
        """Whether any process of the bundle has a timer event (else no instance ever waits on one)."""
        specs = [self.spec, *self.subprocess_specs.values()]
        return any(
            isinstance(getattr(task_spec, "event_definition", None), TimerEventDefinition)
            for spec in specs
            for task_spec in spec.task_specs.values()
        )


def model_hash(files: Mapping[str, bytes]) -> str:
    """Hash a set of named files, independent of their order."""
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode())
        h.update(b"\0")
        h.update(files[name])
        h.update(b"\0")
    return h.hexdigest()


_DECLARED_ENCODING = re.compile(rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def xml_text(data: bytes) -> str:
    """Decode an XML file by the encoding its declaration names (UTF-8 when none), as text stored in UTF-8.

    A Latin-1 diagram from an older modeler says so in its declaration; once decoded, the
    declaration is rewritten to UTF-8, the encoding the text is stored and parsed in from then on.
    Raises UnicodeDecodeError (or LookupError for an unknown encoding) when the bytes do not match.
    """
    found = _DECLARED_ENCODING.match(data[:200])
    encoding = found.group(1).decode("ascii") if found else "utf-8"
    text = data.decode(codecs.lookup(encoding).name if found else "utf-8")
    # ASCII reads the same in any of them: such a file is stored byte for byte, declaration and all
    if found and codecs.lookup(encoding).name != "utf-8" and not data.isascii():
        start, end = found.span(1)
        prefix = data[:start].decode("ascii", "replace").lstrip("\ufeff\ufffd")
        text = text.replace(prefix + encoding, prefix + "UTF-8", 1) if text.startswith(prefix) else text
    return text


def read_xml(data: bytes, file_name: str) -> etree._Element:
    """Parse XML safely or raise DiagramError naming the file and line."""
    if len(data) > MAX_FILE_BYTES:
        raise DiagramError(
            [
                DiagramProblem(
                    f"file is larger than {MAX_FILE_BYTES // 1024 // 1024} MB",
                    file_name=file_name,
                    code="check.file.too_large",
                    params={"mb": MAX_FILE_BYTES // 1024 // 1024},
                )
            ]
        )
    if b"<!ENTITY" in data or b"<!DOCTYPE" in data:
        raise DiagramError(
            [
                DiagramProblem(
                    "DOCTYPE and entity declarations are not allowed",
                    file_name=file_name,
                    line=1,
                    code="check.file.doctype",
                )
            ]
        )
    try:
        return etree.fromstring(data, _SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        raise DiagramError(
            [
                DiagramProblem(
                    f"not well-formed XML: {exc.msg}",
                    file_name=file_name,
                    line=exc.lineno,
                    code="check.file.xml",
                    params={"detail": exc.msg, "line": exc.lineno or 0},
                )
            ]
        ) from exc


def index_elements(root: etree._Element) -> dict[str, Element]:
    """Map every element with an id to its tag, name and line."""
    out: dict[str, Element] = {}
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        el_id = node.get("id")
        if not el_id:
            continue
        tag = etree.QName(node).localname
        out[el_id] = Element(el_id, tag, node.get("name") or "", node.sourceline, node.get("attachedToRef"))
    return out


def _problem_from(exc: Exception, file_name: str, elements: Mapping[str, Element]) -> DiagramProblem:
    el_id = getattr(exc, "id", "") or ""
    task_spec = getattr(exc, "task_spec", None)
    if not el_id and task_spec is not None:
        el_id = task_spec.name
    el = elements.get(el_id)
    line = getattr(exc, "line_number", None) or (el.line if el else None)
    message = without_reprs(str(exc.args[0]) if exc.args else exc.__class__.__name__)
    return DiagramProblem(
        message=message,
        element_id=el_id,
        element_name=(getattr(exc, "name", "") or (el.name if el else "")),
        line=int(line) if line else None,
        file_name=getattr(exc, "file_name", "") or file_name,
        code="check.parser",
        params={"detail": message},
    )


def _user_task_spec(task_spec: Any) -> UserTaskSpec:
    ext = getattr(task_spec, "extensions", {}) or {}
    props = dict(ext.get("properties", {}) or {})
    return UserTaskSpec(
        element_id=task_spec.name,
        name=task_spec.bpmn_name or task_spec.name,
        lane=task_spec.lane,
        form=props.get("formJsonSchemaFilename"),
        ui_form=props.get("formUiSchemaFilename"),
        instructions=ext.get("instructionsForEndUser"),
        candidate_group_expression=props.get("candidateGroupExpression"),
        properties=props,
    )


def _pick_main_process(parser: SpiffBpmnParser, wanted: str | None, roots: list[etree._Element]) -> str:
    ids = parser.get_process_ids()
    if wanted:
        if wanted not in ids:
            raise DiagramError(
                [
                    DiagramProblem(
                        f"process '{wanted}' is not in the files (found: {', '.join(ids)})",
                        code="check.process.missing",
                        params={"process": wanted, "found": ", ".join(ids)},
                    )
                ]
            )
        return wanted
    called = set()
    executable = []
    for root in roots:
        for node in root.iter(f"{{{BPMN_NS}}}callActivity"):
            called.add(node.get("calledElement"))
        for node in root.iter(f"{{{BPMN_NS}}}process"):
            if node.get("isExecutable", "true").lower() == "true":
                executable.append(node.get("id"))
    candidates = [pid for pid in executable if pid not in called] or executable or ids
    if not candidates:
        # Descriptive models (isExecutable="false") are drawn to be read, not run: name them.
        idle = [node for root in roots for node in root.iter(f"{{{BPMN_NS}}}process")]
        if idle:
            raise DiagramError(
                [
                    DiagramProblem(
                        f"process '{node.get('id')}' is not executable (isExecutable=\"{node.get('isExecutable')}\"): "
                        "only executable processes can be deployed",
                        node.get("id") or "",
                        node.get("name") or "",
                        node.sourceline,
                        code="check.process.not_executable",
                        params={"process": node.get("id") or "", "value": node.get("isExecutable") or ""},
                    )
                    for node in idle
                ]
            )
        raise DiagramError([DiagramProblem("the files contain no process", code="check.process.none")])
    return candidates[0]


def parse_bundle(
    bpmn_files: Mapping[str, bytes],
    dmn_files: Mapping[str, bytes] | None = None,
    process_id: str | None = None,
    extra_hashed: Mapping[str, bytes] | None = None,
) -> ProcessBundle:
    """Parse BPMN (and DMN) files into a ProcessBundle or raise DiagramError with every problem."""
    dmn_files = dmn_files or {}
    parser = SpiffBpmnParser(validator=VALIDATOR)
    elements: dict[str, Element] = {}
    roots = []
    problems: list[DiagramProblem] = []
    for name, data in sorted(bpmn_files.items()):
        root = read_camunda(read_xml(data, name))
        roots.append(root)
        elements.update(index_elements(root))
        try:
            parser.add_bpmn_xml(root, filename=name)
        except (ValidationException, SpiffWorkflowException) as exc:
            problems.append(_problem_from(exc, name, elements))
    for name, data in sorted(dmn_files.items()):
        root = read_xml(data, name)
        elements.update(index_elements(root))
        try:
            parser.add_dmn_xml(root, filename=name)
        except (ValidationException, SpiffWorkflowException) as exc:
            problems.append(_problem_from(exc, name, elements))
    if problems:
        raise DiagramError(problems)

    main = _pick_main_process(parser, process_id, roots)
    try:
        spec = parser.get_spec(main)
        subprocess_specs = parser.get_subprocess_specs(main)
    except (ValidationException, SpiffWorkflowException) as exc:
        raise DiagramError([_problem_from(exc, "", elements)]) from exc
    except Exception as exc:  # the parser raises bare errors on some malformed inputs
        detail = f"{exc.__class__.__name__}: {exc}"
        raise DiagramError(
            [DiagramProblem(f"the diagram cannot be parsed: {detail}", code="check.parser", params={"detail": detail})]
        ) from exc

    user_tasks: dict[str, UserTaskSpec] = {}
    for each in [spec, *subprocess_specs.values()]:
        if each is None:
            continue
        for ts in each.task_specs.values():
            if getattr(ts, "manual", False) and ts.__class__.__name__ in {"UserTask", "ManualTask"}:
                user_tasks[ts.name] = _user_task_spec(ts)

    all_files = {**bpmn_files, **dmn_files, **(extra_hashed or {})}
    return ProcessBundle(
        process_id=main,
        name=elements[main].name if main in elements and elements[main].name else main,
        hash=model_hash(all_files),
        spec=spec,
        subprocess_specs=subprocess_specs,
        user_tasks=user_tasks,
        elements=elements,
        process_ids=tuple(parser.get_process_ids()),
        start_groups=start_groups_of(roots, main),
        sla_limits={step: limit for _element, step, limit in sla_limits_of(roots)},
    )


def sla_limits_of(roots: list[etree._Element]) -> list[tuple[str, str, str]]:
    """(element id, step, limit text) of every element whose slaStep comes with an slaLimit property.

    <bpmn:boundaryEvent id="classify_breach"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="slaStep" value="classify"/>
      <spiffworkflow:property name="slaLimit" value="2 hours"/>
    """
    out = []
    for root in roots:
        for props in root.iter(f"{{{SPIFF_NS}}}properties"):
            values = {p.get("name"): p.get("value", "") for p in props.iter(f"{{{SPIFF_NS}}}property")}
            if values.get("slaStep") and values.get("slaLimit", "").strip():
                owner = props.getparent().getparent() if props.getparent() is not None else None
                element_id = owner.get("id", "") if owner is not None else ""
                out.append((element_id, values["slaStep"], values["slaLimit"].strip()))
    return out


START_GROUPS = "startGroups"


def start_groups_of(roots: list[etree._Element], process_id: str) -> tuple[str, ...] | None:
    """The group codes of a process's startGroups property (spaces or commas between them), else None.

    <bpmn:process id="complaint_handling"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="startGroups" value="agent supervisor"/>
    """
    for root in roots:
        for process in root.iter(f"{{{BPMN_NS}}}process"):
            if process.get("id") != process_id:
                continue
            for extensions in process.iterchildren(f"{{{BPMN_NS}}}extensionElements"):
                for prop in extensions.iter(f"{{{SPIFF_NS}}}property"):
                    if prop.get("name") == START_GROUPS:
                        return tuple(g for g in prop.get("value", "").replace(",", " ").split() if g)
    return None


def camunda_generated_forms(bpmn_files: Mapping[str, bytes]) -> tuple[dict[str, str], list[DiagramProblem]]:
    """The JSON Schema forms Camunda diagrams' camunda:formData stand for, and the fields they could not keep.

    Files that are not well-formed give none: the parser reports them.
    """
    roots = {}
    for name, data in bpmn_files.items():
        try:
            roots[name] = read_xml(data, name)
        except DiagramError:
            continue
    return generated_forms(roots)
