"""Read what a Camunda 7 diagram says in Camunda's words as SpiffWorkflow's own extensions.

Applied to the parsed tree before SpiffWorkflow's parser sees it; the stored file is unchanged.
A business rule task's camunda:decisionRef names its DMN decision (SpiffWorkflow reads only
spiffworkflow:calledDecisionId and otherwise reports "No DMN Diagram available with id None").
"""

from __future__ import annotations

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"


def read_camunda(root: etree._Element) -> etree._Element:
    """Add spiffworkflow:calledDecisionId to each business rule task that names its decision the Camunda way."""
    for task in root.iter(f"{{{BPMN_NS}}}businessRuleTask"):
        ref = (task.get(f"{{{CAMUNDA_NS}}}decisionRef") or "").strip()
        if not ref or task.find(f".//{{{SPIFF_NS}}}calledDecisionId") is not None:
            continue
        extensions = task.find(f"{{{BPMN_NS}}}extensionElements")
        if extensions is None:
            extensions = etree.Element(f"{{{BPMN_NS}}}extensionElements")
            task.insert(_after_documentation(task), extensions)
        called = etree.SubElement(extensions, f"{{{SPIFF_NS}}}calledDecisionId")
        called.text = ref
    return root


def _after_documentation(task) -> int:
    # the XSD orders documentation before extensionElements
    return sum(1 for child in task if isinstance(child.tag, str) and etree.QName(child).localname == "documentation")
