"""Read a diagram's XML into plain facts for the deploy checks and the version diff.

SpiffWorkflow's parser keeps only what it runs; the checks also need what a process owner drew:
flows and their conditions, lanes, labels, DI shapes, extension properties, scripts and templates,
each with its line. One pass over the XML gives them all, without running anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

from lxml import etree

from .camunda import read_camunda
from .parsing import BPMN_NS, read_xml

BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"

TASKS = frozenset("task userTask manualTask scriptTask serviceTask sendTask receiveTask businessRuleTask".split())
SUB_PROCESSES = frozenset("subProcess adHocSubProcess transaction".split())
ACTIVITIES = TASKS | SUB_PROCESSES | {"callActivity"}
EVENTS = frozenset(
    "startEvent endEvent intermediateCatchEvent intermediateThrowEvent boundaryEvent implicitThrowEvent".split()
)
GATEWAYS = frozenset("exclusiveGateway inclusiveGateway parallelGateway eventBasedGateway complexGateway".split())
FLOW_NODES = ACTIVITIES | EVENTS | GATEWAYS
CONTAINERS = frozenset({"process"}) | SUB_PROCESSES
GLOBALS = {"error": "errorRef", "escalation": "escalationRef", "message": "messageRef", "signal": "signalRef"}


@dataclass
class Node:
    """A flow node (task, event, gateway, sub-process) as drawn."""

    id: str
    tag: str
    name: str
    line: int | None
    container: str  # id of the process or sub-process holding it
    incoming: list[str] = field(default_factory=list)  # sequence flow ids
    outgoing: list[str] = field(default_factory=list)
    attached_to: str | None = None
    cancel_activity: bool = True
    event_definitions: list[str] = field(default_factory=list)  # e.g. "timerEventDefinition"
    default: str | None = None
    triggered_by_event: bool = False
    for_compensation: bool = False
    link_name: str | None = None
    properties: dict[str, str] = field(default_factory=dict)  # spiffworkflow:property
    extensions: dict[str, str] = field(default_factory=dict)  # spiffworkflow:* texts (preScript...)
    script: str | None = None
    timer: tuple[str, str] | None = None  # (timeDate|timeDuration|timeCycle, expression)
    lane: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    operator: str | None = None  # a service task's spiffworkflow:serviceTaskOperator id
    operator_params: dict[str, str] = field(default_factory=dict)  # parameter id -> value expression


@dataclass
class Flow:
    """A sequence flow with its condition."""

    id: str
    name: str
    line: int | None
    container: str
    source: str
    target: str
    condition: str | None


@dataclass
class Lane:
    id: str
    name: str
    line: int | None
    nodes: list[str]


@dataclass
class Container:
    id: str
    tag: str
    name: str
    line: int | None
    executable: bool = True
    triggered_by_event: bool = False


@dataclass
class ModelXml:
    """Everything the checks read from one BPMN file."""

    file_name: str
    nodes: dict[str, Node] = field(default_factory=dict)
    flows: dict[str, Flow] = field(default_factory=dict)
    lanes: dict[str, Lane] = field(default_factory=dict)
    containers: dict[str, Container] = field(default_factory=dict)
    participants: dict[str, tuple[str, int | None]] = field(default_factory=dict)  # id -> (name, line)
    globals: list[tuple[str, str, str, int | None]] = field(default_factory=list)  # (kind, id, name, line)
    global_refs: set[str] = field(default_factory=set)
    di_refs: set[str] = field(default_factory=set)
    bounds: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)  # shape: x, y, w, h
    needs_di: dict[str, int | None] = field(default_factory=dict)  # element id -> line
    has_diagram: bool = False
    # Task data names the diagram itself provides: data objects, ioSpecification inputs and outputs,
    # multi-instance items and output collections, Camunda form fields and parameters, startData.
    data_names: set[str] = field(default_factory=set)
    # (element id, name) of each multi-instance loopDataInputRef: data the task reads, to be proven
    loop_inputs: list[tuple[str, str]] = field(default_factory=list)

    def label(self, element_id: str) -> tuple[str, int | None]:
        """The name and line of any element of the file."""
        for table in (self.nodes, self.flows, self.lanes, self.containers):
            if element_id in table:
                item = table[element_id]
                return item.name, item.line
        if element_id in self.participants:
            return self.participants[element_id]
        return "", None


def _local(node) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _ns(node) -> str:
    return etree.QName(node).namespace if isinstance(node.tag, str) else ""


def _text(node) -> str:
    return "".join(node.itertext()) if node is not None else ""


def _bpmn_children(node) -> Iterable:
    return (c for c in node if isinstance(c.tag, str) and _ns(c) == BPMN_NS)


def read_models(bpmn_files: Mapping[str, bytes]) -> list[ModelXml]:
    """Read every BPMN file (already known to be well-formed and safe) into a ModelXml."""
    # Camunda's forms and candidate groups read as the parser reads them (engine/camunda.py)
    return [read_model(read_camunda(read_xml(data, name)), name) for name, data in sorted(bpmn_files.items())]


def read_model(root, file_name: str = "") -> ModelXml:
    """Collect the nodes, flows, lanes, DI and extensions of one definitions element."""
    model = ModelXml(file_name)
    for child in _bpmn_children(root):
        tag = _local(child)
        if tag == "process":
            _read_container(model, child, child.get("id", ""))
        elif tag == "collaboration":
            for part in _bpmn_children(child):
                if _local(part) == "participant":
                    model.participants[part.get("id", "")] = (part.get("name") or "", part.sourceline)
                    model.needs_di[part.get("id", "")] = part.sourceline
                elif _local(part) == "messageFlow":
                    model.needs_di[part.get("id", "")] = part.sourceline
                    if part.get("messageRef"):
                        model.global_refs.add(part.get("messageRef"))
        elif tag in GLOBALS:
            model.globals.append((tag, child.get("id", ""), child.get("name") or "", child.sourceline))
    for node in root.iter(f"{{{BPMN_NS}}}*"):
        for attr in GLOBALS.values():
            if node.get(attr):
                model.global_refs.add(node.get(attr))
    _read_data_names(model, root)
    for diagram in root.iter(f"{{{BPMNDI_NS}}}BPMNDiagram"):
        model.has_diagram = True
        for element in diagram.iter():
            ref = element.get("bpmnElement") if isinstance(element.tag, str) else None
            if not ref:
                continue
            model.di_refs.add(ref)
            if _local(element) == "BPMNShape":
                b = element.find(f"{{{DC_NS}}}Bounds")
                if b is not None:
                    try:
                        x, y, width, height = (float(b.get(k, "0")) for k in ("x", "y", "width", "height"))
                        model.bounds[ref] = (x, y, width, height)
                    except ValueError:
                        pass
    for lane in model.lanes.values():
        for node_id in lane.nodes:
            if node_id in model.nodes and model.nodes[node_id].lane is None:
                model.nodes[node_id].lane = lane.id
    return model


_PROVIDING = {"dataObject", "dataInput", "dataOutput", "inputDataItem", "outputDataItem"}
_CAMUNDA_NAMED = {"formField": "id", "inputParameter": "name", "outputParameter": "name"}
_CAMUNDA_ATTRIBUTES = ("resultVariable", "elementVariable", "collection")


def _read_data_names(model: ModelXml, root) -> None:
    for element in root.iter():
        tag, ns = _local(element), _ns(element)
        if ns == BPMN_NS and tag in _PROVIDING:
            model.data_names.update(v for v in (element.get("id"), element.get("name")) if v)
        elif ns == BPMN_NS and tag in ("loopDataInputRef", "loopDataOutputRef"):
            name = _text(element).strip()
            owner = element.getparent().getparent() if element.getparent() is not None else None
            if name and tag == "loopDataOutputRef":
                model.data_names.add(name)
            elif name and owner is not None:
                model.loop_inputs.append((owner.get("id", ""), name))
        elif ns == CAMUNDA_NS and tag in _CAMUNDA_NAMED and element.get(_CAMUNDA_NAMED[tag]):
            model.data_names.add(element.get(_CAMUNDA_NAMED[tag]))
        elif ns == SPIFF_NS and tag == "property" and element.get("name") == "startData":
            # the start data POST /process-instances documents: startData="customer_id, channel"
            model.data_names.update(n.strip() for n in element.get("value", "").split(",") if n.strip())
        if ns == BPMN_NS:
            for attr in _CAMUNDA_ATTRIBUTES:
                value = element.get(f"{{{CAMUNDA_NS}}}{attr}")
                if value and attr != "collection":
                    model.data_names.add(value)


def _read_container(model: ModelXml, element, container_id: str) -> None:
    tag = _local(element)
    model.containers[container_id] = Container(
        container_id,
        tag,
        element.get("name") or "",
        element.sourceline,
        executable=element.get("isExecutable", "true").lower() == "true" if tag == "process" else True,
        triggered_by_event=element.get("triggeredByEvent") == "true",
    )
    for child in _bpmn_children(element):
        ctag = _local(child)
        cid = child.get("id", "")
        if ctag == "laneSet":
            _read_lanes(model, child)
        elif ctag == "sequenceFlow":
            cond = child.find(f"{{{BPMN_NS}}}conditionExpression")
            model.flows[cid] = Flow(
                cid,
                child.get("name") or "",
                child.sourceline,
                container_id,
                child.get("sourceRef", ""),
                child.get("targetRef", ""),
                _text(cond) if cond is not None else None,
            )
            model.needs_di[cid] = child.sourceline
        elif ctag in FLOW_NODES:
            model.nodes[cid] = _read_node(child, container_id)
            model.needs_di[cid] = child.sourceline
            if ctag in SUB_PROCESSES:
                _read_container(model, child, cid)
        elif ctag in ("textAnnotation", "group", "association", "dataObjectReference", "dataStoreReference"):
            model.needs_di[cid] = child.sourceline
    for flow in model.flows.values():
        if flow.container != container_id:
            continue
        if flow.source in model.nodes and flow.id not in model.nodes[flow.source].outgoing:
            model.nodes[flow.source].outgoing.append(flow.id)
        if flow.target in model.nodes and flow.id not in model.nodes[flow.target].incoming:
            model.nodes[flow.target].incoming.append(flow.id)


def _read_lanes(model: ModelXml, lane_set) -> None:
    for lane in lane_set.iter(f"{{{BPMN_NS}}}lane"):
        refs = [(ref.text or "").strip() for ref in lane.findall(f"{{{BPMN_NS}}}flowNodeRef")]
        lid = lane.get("id", "")
        # only the innermost lane names the group: a lane with a child lane set is a grouping
        if lane.find(f"{{{BPMN_NS}}}childLaneSet") is not None:
            model.needs_di[lid] = lane.sourceline
            continue
        model.lanes[lid] = Lane(lid, lane.get("name") or "", lane.sourceline, refs)
        model.needs_di[lid] = lane.sourceline


def _read_node(element, container_id: str) -> Node:
    tag = _local(element)
    node = Node(
        element.get("id", ""),
        tag,
        element.get("name") or "",
        element.sourceline,
        container_id,
        attached_to=element.get("attachedToRef"),
        cancel_activity=element.get("cancelActivity", "true") != "false",
        default=element.get("default"),
        triggered_by_event=element.get("triggeredByEvent") == "true",
        for_compensation=element.get("isForCompensation") == "true",
        attributes={k: v for k, v in element.attrib.items() if isinstance(k, str)},
    )
    for child in element:
        if not isinstance(child.tag, str):
            continue
        ctag, ns = _local(child), _ns(child)
        if ns == BPMN_NS and ctag.endswith("EventDefinition"):
            node.event_definitions.append(ctag)
            if ctag == "linkEventDefinition":
                node.link_name = child.get("name") or ""
            if ctag == "timerEventDefinition":
                for kind in ("timeDate", "timeDuration", "timeCycle"):
                    expr = child.find(f"{{{BPMN_NS}}}{kind}")
                    if expr is not None:
                        node.timer = (kind, _text(expr))
        elif ns == BPMN_NS and ctag == "eventDefinitionRef":
            node.event_definitions.append("eventDefinitionRef")
        elif ns == BPMN_NS and ctag == "script":
            node.script = _text(child)
        elif ns == BPMN_NS and ctag == "extensionElements":
            for ext in child:
                if not isinstance(ext.tag, str) or _ns(ext) != SPIFF_NS:
                    continue
                name = _local(ext)
                if name == "serviceTaskOperator":
                    node.operator = ext.get("id") or ""
                    for param in ext.iter(f"{{{SPIFF_NS}}}parameter"):
                        node.operator_params[param.get("id") or ""] = param.get("value") or ""
                elif name == "properties":
                    for prop in ext.iter(f"{{{SPIFF_NS}}}property"):
                        if prop.get("name"):
                            node.properties[prop.get("name")] = prop.get("value", "")
                elif len(ext) == 0:
                    node.extensions[name] = ext.text or ""
    return node
