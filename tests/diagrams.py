"""Build small, lint-clean BPMN diagrams (with DI) for tests: nodes and flows in, XML bytes out."""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
    'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs_{pid}" '
    'targetNamespace="http://complaintflow/tests">\n'
)
SIZES = {
    "startEvent": (36, 36),
    "endEvent": (36, 36),
    "boundaryEvent": (36, 36),
    "intermediateCatchEvent": (36, 36),
    "exclusiveGateway": (50, 50),
    "parallelGateway": (50, 50),
}


@dataclass
class Node:
    tag: str
    id: str
    name: str = ""
    inner: str = ""
    attrs: dict[str, str] = field(default_factory=dict)
    at: tuple[int, int] = (0, 0)  # column, row


def form(name: str) -> str:
    """The extension naming a user task's form."""
    return (
        f"<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property "
        f'name="formJsonSchemaFilename" value={quoteattr(name)}/></spiffworkflow:properties></bpmn:extensionElements>'
    )


def script(text: str) -> str:
    return f"<bpmn:script>{escape(text)}</bpmn:script>"


def timer(expression: str, kind: str = "timeDate") -> str:
    return (
        f'<bpmn:timerEventDefinition><bpmn:{kind} xsi:type="bpmn:tFormalExpression">{escape(expression)}'
        f"</bpmn:{kind}></bpmn:timerEventDefinition>"
    )


def build(pid: str, nodes: list[Node], flows: list[tuple], name: str = "", start_groups: str | None = "agent") -> bytes:
    """flows: (id, source, target) or (id, source, target, label, condition); start_groups: who may start it."""
    starters = (
        f'<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property name="startGroups" '
        f"value={quoteattr(start_groups)}/></spiffworkflow:properties></bpmn:extensionElements>"
        if start_groups is not None
        else ""
    )  # on the process's line: tests count element lines
    out = [
        HEAD.format(pid=pid),
        f'  <bpmn:process id="{pid}" name={quoteattr(name or pid)} isExecutable="true">{starters}\n',
    ]
    for n in nodes:
        attrs = "".join(f" {k}={quoteattr(v)}" for k, v in n.attrs.items())
        out.append(f'    <bpmn:{n.tag} id="{n.id}" name={quoteattr(n.name)}{attrs}>{n.inner}</bpmn:{n.tag}>\n')
    for flow in flows:
        fid, source, target, *rest = flow
        label, condition = (rest + [None, None])[:2]
        body = (
            (
                f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{escape(condition)}'
                f"</bpmn:conditionExpression>"
            )
            if condition is not None
            else ""
        )
        label_attr = f" name={quoteattr(label)}" if label else ""
        out.append(
            f'    <bpmn:sequenceFlow id="{fid}" sourceRef="{source}" targetRef="{target}"{label_attr}>'
            f"{body}</bpmn:sequenceFlow>\n"
        )
    out.append("  </bpmn:process>\n")
    out.append(f'  <bpmndi:BPMNDiagram id="d_{pid}"><bpmndi:BPMNPlane id="p_{pid}" bpmnElement="{pid}">\n')
    boxes = {}
    for n in nodes:
        w, h = SIZES.get(n.tag, (100, 80))
        col, row = n.at
        x, y = 100 + 160 * col, 100 + 160 * row
        if n.tag == "boundaryEvent":
            host = boxes[n.attrs["attachedToRef"]]
            x, y = host[0] + host[2] - 40, host[1] + host[3] - 18
        else:
            x, y = x + (100 - w) // 2, y + (80 - h) // 2
        boxes[n.id] = (x, y, w, h)
        out.append(
            f'    <bpmndi:BPMNShape id="{n.id}_di" bpmnElement="{n.id}"><dc:Bounds x="{x}" y="{y}" '
            f'width="{w}" height="{h}"/></bpmndi:BPMNShape>\n'
        )
    for flow in flows:
        fid, source, target = flow[:3]
        (sx, sy, sw, sh), (tx, ty, _tw, th) = boxes[source], boxes[target]
        out.append(
            f'    <bpmndi:BPMNEdge id="{fid}_di" bpmnElement="{fid}">'
            f'<di:waypoint x="{sx + sw}" y="{sy + sh // 2}"/><di:waypoint x="{tx}" y="{ty + th // 2}"/>'
            f"</bpmndi:BPMNEdge>\n"
        )
    out.append("  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\n</bpmn:definitions>\n")
    return "".join(out).encode("utf-8")


def linear(pid: str, middle: list[Node], name: str = "", start_groups: str | None = "agent") -> bytes:
    """start -> the given nodes in a row -> end."""
    nodes = [Node("startEvent", "start", "开始", at=(0, 0))]
    for i, n in enumerate(middle, start=1):
        if n.tag != "boundaryEvent":
            n.at = (i, 0)
        nodes.append(n)
    chain = [n for n in nodes if n.tag != "boundaryEvent"]
    nodes.append(Node("endEvent", "end", "结束", at=(len(chain), 0)))
    chain.append(nodes[-1])
    flows = [(f"f{i}", a.id, b.id) for i, (a, b) in enumerate(zip(chain, chain[1:]))]
    return build(pid, nodes, flows, name, start_groups)


SIMPLE_FORM = b'{"type": "object", "properties": {"note": {"type": "string", "title": "\xe5\xa4\x87\xe6\xb3\xa8"}}}'
