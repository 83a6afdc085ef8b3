"""bpmnlint's recommended rules (11.x), ported to Python so the server can run them at deploy.

bpmnlint itself runs only in node; these functions follow its rule files one by one, with the
same names and messages. The levels below are bpmnlint's; the deploy applies the levels of
config/diagram_rules.toml on top, where style rules only warn. Each rule takes a ModelXml and
yields (element id, message) pairs.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Callable, Iterable, Iterator

from .model_xml import ACTIVITIES, EVENTS, GATEWAYS, SUB_PROCESSES, TASKS, ModelXml, Node
from .types import DiagramProblem

Finding = tuple[str, str]
Rule = Callable[[ModelXml], Iterable[Finding]]


def _has_condition(model: ModelXml, flow_id: str) -> bool:
    flow = model.flows.get(flow_id)
    return flow is not None and flow.condition is not None


def _is_default(model: ModelXml, node: Node, flow_id: str) -> bool:
    return node.default == flow_id


def _only(node: Node, definition: str) -> bool:
    return bool(node.event_definitions) and all(d == definition for d in node.event_definitions)


def _in_ad_hoc(model: ModelXml, node: Node) -> bool:
    container = model.containers.get(node.container)
    return container is not None and container.tag == "adHocSubProcess"


def ad_hoc_sub_process(model: ModelXml) -> Iterator[Finding]:
    for node in model.nodes.values():
        if not _in_ad_hoc(model, node):
            continue
        if node.tag == "startEvent":
            yield node.id, "A <Start Event> is not allowed in <Ad Hoc Sub Process>"
        elif node.tag == "endEvent":
            yield node.id, "An <End Event> is not allowed in <Ad Hoc Sub Process>"
        elif node.tag == "intermediateCatchEvent" and not node.outgoing:
            yield (
                node.id,
                ("An intermediate catch event inside <Ad Hoc Sub Process> must have an outgoing sequence flow"),
            )


def conditional_flows(model: ModelXml) -> Iterator[Finding]:
    for node in model.nodes.values():
        forking = (
            node.default is not None
            or (node.tag in ("exclusiveGateway", "inclusiveGateway") and len(node.outgoing) > 1)
            or any(_has_condition(model, f) for f in node.outgoing)
        )
        if not forking:
            continue
        for flow_id in node.outgoing:
            if not _has_condition(model, flow_id) and not _is_default(model, node, flow_id):
                yield flow_id, "Sequence flow is missing condition"


def _scopes(model: ModelXml) -> Iterator[tuple[str, list[Node]]]:
    members: dict[str, list[Node]] = defaultdict(list)
    for node in model.nodes.values():
        members[node.container].append(node)
    for container in model.containers.values():
        if container.tag == "adHocSubProcess":
            continue
        yield container.id, members.get(container.id, [])


def _what(model: ModelXml, container_id: str) -> str:
    return "Process" if model.containers[container_id].tag == "process" else "Sub process"


def end_event_required(model: ModelXml) -> Iterator[Finding]:
    for cid, nodes in _scopes(model):
        if not any(n.tag == "endEvent" for n in nodes):
            yield cid, f"{_what(model, cid)} is missing end event"


def start_event_required(model: ModelXml) -> Iterator[Finding]:
    for cid, nodes in _scopes(model):
        if not model.containers[cid].executable:
            continue  # a partner pool drawn for the picture: nothing starts it
        if not any(n.tag == "startEvent" for n in nodes):
            yield cid, f"{_what(model, cid)} is missing start event"


def event_based_gateway(model: ModelXml) -> Iterator[Finding]:
    for node in model.nodes.values():
        if node.tag != "eventBasedGateway":
            continue
        if len(node.outgoing) < 2:
            yield node.id, "An <Event-based Gateway> must have at least 2 outgoing <Sequence Flow>"
        for flow_id in node.outgoing:
            if _has_condition(model, flow_id):
                yield flow_id, "A <Sequence Flow> outgoing from an <Event-based Gateway> must not be conditional"


def event_sub_process_typed_start_event(model: ModelXml) -> Iterator[Finding]:
    for node in model.nodes.values():
        container = model.containers.get(node.container)
        if node.tag == "startEvent" and container and container.triggered_by_event and not node.event_definitions:
            yield node.id, "Start event is missing event definition"


def fake_join(model: ModelXml) -> Iterator[Finding]:
    for node in model.nodes.values():
        if (node.tag in TASKS or node.tag in EVENTS) and len(node.incoming) > 1:
            yield node.id, "Incoming flows do not join"


def global_elements(model: ModelXml) -> Iterator[Finding]:
    names = Counter((kind, name) for kind, _id, name, _line in model.globals)
    for kind, element_id, name, _line in model.globals:
        if not name.strip():
            yield element_id, "Element is missing name"
        if element_id not in model.global_refs:
            yield element_id, "Element is unused"
        if names[(kind, name)] > 1:
            yield element_id, "Element name is not unique"


def label_required(model: ModelXml) -> Iterator[Finding]:
    for node in model.nodes.values():
        if node.tag in ("parallelGateway", "eventBasedGateway") or node.tag in SUB_PROCESSES:
            continue
        if node.tag in GATEWAYS and len(node.outgoing) <= 1:  # joining gateways need no label
            continue
        if not node.name.strip():
            yield node.id, "Element is missing label/name"
    for flow in model.flows.values():
        if flow.condition is not None and not flow.name.strip():
            yield flow.id, "Element is missing label/name"
    for pid, (name, _line) in model.participants.items():
        if not name.strip():
            yield pid, "Element is missing label/name"
    for lane in model.lanes.values():
        if not lane.name.strip():
            yield lane.id, "Element is missing label/name"


def link_event(model: ModelXml) -> Iterator[Finding]:
    by_scope: dict[tuple[str, str], list[Node]] = defaultdict(list)
    for node in model.nodes.values():
        if "linkEventDefinition" not in node.event_definitions:
            continue
        if not node.link_name:
            yield node.id, "Link event is missing link name"
            continue
        by_scope[(node.container, node.link_name)].append(node)
    for (_scope, name), events in by_scope.items():
        if len(events) == 1:
            missing = "catch" if events[0].tag == "intermediateThrowEvent" else "throw"
            yield events[0].id, f"Link {missing} event with link name <{name}> missing in scope"
            continue
        catches = [e for e in events if e.tag in ("intermediateCatchEvent", "startEvent", "boundaryEvent")]
        if len(catches) > 1:
            for event in catches:
                yield event.id, f"Duplicate link catch event with link name <{name}> in scope"
        elif not catches:
            for event in events:
                yield event.id, f"Link catch event with link name <{name}> missing in scope"


def no_bpmndi(model: ModelXml) -> Iterator[Finding]:
    for element_id in model.needs_di:
        if element_id and element_id not in model.di_refs:
            yield element_id, "Element is missing bpmndi"


def no_complex_gateway(model: ModelXml) -> Iterator[Finding]:
    for node in model.nodes.values():
        if node.tag == "complexGateway":
            yield node.id, "Element type <bpmn:ComplexGateway> is discouraged"


def _compensation_linked(node: Node) -> bool:
    return (
        node.tag == "boundaryEvent" and node.event_definitions == ["compensateEventDefinition"]
    ) or node.for_compensation


def no_disconnected(model: ModelXml) -> Iterator[Finding]:
    for node in model.nodes.values():
        if node.triggered_by_event or _compensation_linked(node):
            continue
        if node.tag in ACTIVITIES and _in_ad_hoc(model, node):
            continue
        if not node.incoming and not node.outgoing:
            yield node.id, "Element is not connected"


def no_duplicate_sequence_flows(model: ModelXml) -> Iterator[Finding]:
    seen: set[tuple] = set()
    reported_out: set[str] = set()
    reported_in: set[str] = set()
    for flow in model.flows.values():
        key = (flow.source or flow.id, flow.target or flow.id, flow.condition or "")
        if key not in seen:
            seen.add(key)
            continue
        yield flow.id, "SequenceFlow is a duplicate"
        if flow.source not in reported_out:
            reported_out.add(flow.source)
            yield flow.source, "Duplicate outgoing sequence flows"
        if flow.target not in reported_in:
            reported_in.add(flow.target)
            yield flow.target, "Duplicate incoming sequence flows"


def no_gateway_join_fork(model: ModelXml) -> Iterator[Finding]:
    for node in model.nodes.values():
        if node.tag in GATEWAYS and len(node.incoming) > 1 and len(node.outgoing) > 1:
            yield node.id, "Gateway forks and joins"


def no_implicit_split(model: ModelXml) -> Iterator[Finding]:
    for node in model.nodes.values():
        if node.tag not in TASKS and node.tag not in EVENTS:
            continue
        plain = [f for f in node.outgoing if not _has_condition(model, f) and not _is_default(model, node, f)]
        if len(plain) > 1:
            yield node.id, "Flow splits implicitly"


def _is_implicit_end(model: ModelXml, node: Node) -> bool:
    if node.tag in SUB_PROCESSES and node.triggered_by_event:
        return False
    if node.tag == "intermediateThrowEvent" and _only(node, "linkEventDefinition"):
        return False
    if node.tag in ACTIVITIES and _in_ad_hoc(model, node):
        return False
    if node.tag == "endEvent":
        return False
    if node.tag == "boundaryEvent" and _only(node, "compensateEventDefinition"):
        return False
    if node.tag in TASKS and node.for_compensation:
        return False
    return not node.outgoing


def no_implicit_end(model: ModelXml) -> Iterator[Finding]:
    for node in model.nodes.values():
        if _is_implicit_end(model, node):
            yield node.id, "Element is an implicit end"


def _is_implicit_start(model: ModelXml, node: Node) -> bool:
    if node.tag in ACTIVITIES and (node.for_compensation or _in_ad_hoc(model, node)):
        return False
    if node.tag in SUB_PROCESSES and node.triggered_by_event:
        return False
    if node.tag == "intermediateCatchEvent" and _only(node, "linkEventDefinition"):
        return False
    if node.tag in ("startEvent", "boundaryEvent"):
        return False
    return not node.incoming


def no_implicit_start(model: ModelXml) -> Iterator[Finding]:
    for node in model.nodes.values():
        if _is_implicit_start(model, node):
            yield node.id, "Element is an implicit start"


def no_inclusive_gateway(model: ModelXml) -> Iterator[Finding]:
    for node in model.nodes.values():
        if node.tag == "inclusiveGateway":
            yield node.id, "Element type <bpmn:InclusiveGateway> is discouraged"


def no_overlapping_elements(model: ModelXml) -> Iterator[Finding]:
    shapes = [
        (n, model.bounds[n.id]) for n in model.nodes.values() if n.id in model.bounds and n.tag != "boundaryEvent"
    ]
    by_container: dict[str, list] = defaultdict(list)
    for node, box in shapes:
        by_container[node.container].append((node, box))
    for members in by_container.values():
        for i, (a, (ax, ay, aw, ah)) in enumerate(members):
            for b, (bx, by, bw, bh) in members[i + 1 :]:
                if a.id in (b.container,) or b.id in (a.container,):
                    continue
                if ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah:
                    yield b.id, f"Element overlaps with other element <{a.id}>"


def single_blank_start_event(model: ModelXml) -> Iterator[Finding]:
    for cid, nodes in _scopes(model):
        blank = [n for n in nodes if n.tag == "startEvent" and not n.event_definitions]
        if len(blank) > 1:
            yield cid, "Process has multiple blank start events"


def single_event_definition(model: ModelXml) -> Iterator[Finding]:
    for node in model.nodes.values():
        if node.tag in EVENTS and len(node.event_definitions) > 1:
            yield node.id, "Event has multiple event definitions"


def sub_process_blank_start_event(model: ModelXml) -> Iterator[Finding]:
    for node in model.nodes.values():
        container = model.containers.get(node.container)
        if (
            node.tag == "startEvent"
            and container
            and container.tag != "process"
            and not container.triggered_by_event
            and node.event_definitions
        ):
            yield node.id, "Start event must be blank"


def superfluous_gateway(model: ModelXml) -> Iterator[Finding]:
    for node in model.nodes.values():
        if node.tag in GATEWAYS and len(node.incoming) == 1 and len(node.outgoing) == 1:
            yield node.id, "Gateway is superfluous. It only has one source and target."


def superfluous_label(model: ModelXml) -> Iterator[Finding]:
    for flow in model.flows.values():
        if not flow.name.strip() or flow.condition is not None:
            continue
        source = model.nodes.get(flow.source)
        if source is not None and (
            source.default == flow.id
            or (source.tag in ("exclusiveGateway", "inclusiveGateway") and len(source.outgoing) > 1)
        ):
            continue
        yield flow.id, "Sequence flow has superfluous label"


def superfluous_termination(model: ModelXml) -> Iterator[Finding]:
    for _scope, nodes in _scopes(model):
        ends = [n for n in nodes if not n.outgoing]
        terminates = [n for n in ends if n.tag == "endEvent" and "terminateEventDefinition" in n.event_definitions]
        if len(terminates) != 1:
            continue
        if all(n in terminates or (n.tag in SUB_PROCESSES and n.triggered_by_event) for n in ends):
            yield terminates[0].id, "Termination is superfluous."


# name -> (rule, level), as config/recommended.js of bpmnlint 11.x
RECOMMENDED: dict[str, tuple[Rule, str]] = {
    "ad-hoc-sub-process": (ad_hoc_sub_process, "error"),
    "conditional-flows": (conditional_flows, "error"),
    "end-event-required": (end_event_required, "error"),
    "event-based-gateway": (event_based_gateway, "error"),
    "event-sub-process-typed-start-event": (event_sub_process_typed_start_event, "error"),
    "fake-join": (fake_join, "warning"),
    "global": (global_elements, "warning"),
    "label-required": (label_required, "error"),
    "link-event": (link_event, "error"),
    "no-bpmndi": (no_bpmndi, "error"),
    "no-complex-gateway": (no_complex_gateway, "error"),
    "no-disconnected": (no_disconnected, "error"),
    "no-duplicate-sequence-flows": (no_duplicate_sequence_flows, "error"),
    "no-gateway-join-fork": (no_gateway_join_fork, "error"),
    "no-implicit-split": (no_implicit_split, "error"),
    "no-implicit-end": (no_implicit_end, "error"),
    "no-implicit-start": (no_implicit_start, "error"),
    "no-inclusive-gateway": (no_inclusive_gateway, "warning"),
    "no-overlapping-elements": (no_overlapping_elements, "warning"),
    "single-blank-start-event": (single_blank_start_event, "error"),
    "single-event-definition": (single_event_definition, "error"),
    "start-event-required": (start_event_required, "error"),
    "sub-process-blank-start-event": (sub_process_blank_start_event, "error"),
    "superfluous-gateway": (superfluous_gateway, "warning"),
    "superfluous-label": (superfluous_label, "warning"),
    "superfluous-termination": (superfluous_termination, "warning"),
}


# bpmnlint's messages -> catalogue keys (check.lint.<suffix>) and the values inside them: the
# rules keep bpmnlint's English word for word, the pages say it in the user's language.
MESSAGE_CODES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(pattern), code)
    for pattern, code in [
        (r"A <Start Event> is not allowed in <Ad Hoc Sub Process>", "ad_hoc_start"),
        (r"An <End Event> is not allowed in <Ad Hoc Sub Process>", "ad_hoc_end"),
        (r"An intermediate catch event inside <Ad Hoc Sub Process> must have .*", "ad_hoc_catch"),
        (r"Sequence flow is missing condition", "missing_condition"),
        (r"Process is missing end event", "process_no_end"),
        (r"Sub process is missing end event", "sub_process_no_end"),
        (r"Process is missing start event", "process_no_start"),
        (r"Sub process is missing start event", "sub_process_no_start"),
        (r"An <Event-based Gateway> must have at least 2 .*", "event_gateway_outgoing"),
        (
            r"A <Sequence Flow> outgoing from an <Event-based Gateway> must not be conditional",
            "event_gateway_condition",
        ),
        (r"Start event is missing event definition", "start_no_definition"),
        (r"Incoming flows do not join", "fake_join"),
        (r"Element is missing name", "global_no_name"),
        (r"Element is unused", "global_unused"),
        (r"Element name is not unique", "global_not_unique"),
        (r"Element is missing label/name", "label_required"),
        (r"Link event is missing link name", "link_no_name"),
        (
            r"Link (?P<missing>catch|throw) event with link name <(?P<name>.*)> missing in scope",
            "link_missing_{missing}",
        ),
        (r"Duplicate link catch event with link name <(?P<name>.*)> in scope", "link_duplicate_catch"),
        (r"Element is missing bpmndi", "no_bpmndi"),
        (r"Element type <bpmn:ComplexGateway> is discouraged", "complex_gateway"),
        (r"Element is not connected", "disconnected"),
        (r"SequenceFlow is a duplicate", "duplicate_flow"),
        (r"Duplicate outgoing sequence flows", "duplicate_outgoing"),
        (r"Duplicate incoming sequence flows", "duplicate_incoming"),
        (r"Gateway forks and joins", "gateway_join_fork"),
        (r"Flow splits implicitly", "implicit_split"),
        (r"Element is an implicit end", "implicit_end"),
        (r"Element is an implicit start", "implicit_start"),
        (r"Element type <bpmn:InclusiveGateway> is discouraged", "inclusive_gateway"),
        (r"Element overlaps with other element <(?P<other>.*)>", "overlap"),
        (r"Process has multiple blank start events", "multiple_blank_starts"),
        (r"Event has multiple event definitions", "multiple_definitions"),
        (r"Start event must be blank", "start_must_be_blank"),
        (r"Gateway is superfluous\. It only has one source and target\.", "superfluous_gateway"),
        (r"Sequence flow has superfluous label", "superfluous_label"),
        (r"Termination is superfluous\.", "superfluous_termination"),
    ]
]


def message_code(message: str) -> tuple[str, dict[str, str]]:
    """The catalogue key of a rule's message and its values: ("check.lint.overlap", {"other": "Task_1"})."""
    for pattern, code in MESSAGE_CODES:
        found = pattern.fullmatch(message)
        if found:
            values = found.groupdict()
            return "check.lint." + code.format(**values), {k: v for k, v in values.items() if k != "missing"}
    return "", {}


def lint(model: ModelXml, rules: dict[str, tuple[Rule, str]] = RECOMMENDED) -> list[DiagramProblem]:
    """Run the rules on one file; every problem names the element, its label and its line."""
    out = []
    for name, (rule, level) in rules.items():
        for element_id, message in rule(model):
            label, line = model.label(element_id)
            code, params = message_code(message)
            out.append(
                DiagramProblem(message, element_id, label, line, model.file_name, level, name, None, code, params)
            )
    return out
