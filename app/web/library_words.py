"""The English of the libraries that read a diagram or a form, said in the user's language.

lxml names an XML syntax error ("Opening and ending tag mismatch: b line 1 and a, line 1, column 11"),
the BPMN schema check names what does not fit ("Element '{...MODEL}userTaskX': This element is not
expected"), SpiffWorkflow's parser and jsonschema name theirs: the commonest are matched here and said
with the element, attribute, line and column they name. What is not matched is not quoted inside a
sentence: the page shows it apart, in a folded "technical detail" (diagram_problems.detail_parts).
"""

from __future__ import annotations

import re

from .i18n import N_

# lxml appends where it stopped: ", line 5, column 20" (the line is in the sentence already).
POSITION = re.compile(r",\s*line (?P<line>\d+), column (?P<column>\d+)\s*$")
_NAMESPACES = {
    "http://www.omg.org/spec/BPMN/20100524/MODEL": "bpmn:",
    "http://www.omg.org/spec/BPMN/20100524/DI": "bpmndi:",
    "http://www.omg.org/spec/DD/20100524/DC": "dc:",
    "http://www.omg.org/spec/DD/20100524/DI": "di:",
    "http://spiffworkflow.org/bpmn/schema/1.0/core": "spiffworkflow:",
    "http://camunda.org/schema/1.0/bpmn": "camunda:",
}
_QNAME = re.compile(r"\{(?P<ns>[^}]*)\}(?P<local>[\w.-]+)")


def short_name(qualified: str) -> str:
    """``{http://www.omg.org/spec/BPMN/20100524/MODEL}userTask`` -> ``bpmn:userTask``."""
    return _QNAME.sub(lambda m: _NAMESPACES.get(m["ns"], "") + m["local"], qualified)


_ELEMENT = r"Element '(?P<element>[^']+)'"
_ATTRIBUTE = r", attribute '(?P<attribute>[^']+)'"

# (pattern matched against the whole detail, its position stripped; key). Named groups are the key's values.
LIBRARY_DETAILS: list[tuple[re.Pattern[str], str]] = [
    # lxml: XML that is not well-formed
    (
        re.compile(r"Opening and ending tag mismatch: (?P<opening>\S+) line (?P<at>\d+) and (?P<closing>\S+)"),
        N_("check.xml.tag_mismatch"),
    ),
    (re.compile(r"Premature end of data in tag (?P<tag>\S+) line (?P<at>\d+)"), N_("check.xml.premature_end")),
    (re.compile(r"Couldn't find end of Start Tag (?P<tag>\S+) line (?P<at>\d+)"), N_("check.xml.start_tag_open")),
    (re.compile(r"Extra content at the end of the document"), N_("check.xml.extra_content")),
    (re.compile(r"Start tag expected, '<' not found"), N_("check.xml.not_xml")),
    (re.compile(r"Document is empty"), N_("check.xml.empty")),
    (re.compile(r"Attribute (?P<attribute>\S+) redefined"), N_("check.xml.attribute_twice")),
    (re.compile(r"AttValue: \" or ' expected"), N_("check.xml.attribute_quotes")),
    (re.compile(r"Specification mandates value for attribute (?P<attribute>\S+)"), N_("check.xml.attribute_value")),
    (re.compile(r"attributes construct error"), N_("check.xml.attributes")),
    (re.compile(r"Unescaped '<' not allowed in attributes values"), N_("check.xml.attribute_lt")),
    (re.compile(r"EntityRef: expecting ';'"), N_("check.xml.entity_semicolon")),
    (re.compile(r"xmlParseEntityRef: no name"), N_("check.xml.ampersand")),
    (re.compile(r"StartTag: invalid element name"), N_("check.xml.element_name")),
    (
        re.compile(r"Namespace prefix (?P<prefix>\S+) on (?P<tag>\S+) is not defined"),
        N_("check.xml.namespace"),
    ),
    (re.compile(r"(PCDATA invalid Char value|Char 0x\w+ out of allowed range).*"), N_("check.xml.character")),
    (re.compile(r"(Invalid bytes in character encoding|Input is not proper UTF-8).*"), N_("check.xml.encoding")),
    (re.compile(r"Comment not terminated"), N_("check.xml.comment")),
    (re.compile(r"CData section not finished.*", re.S), N_("check.xml.cdata")),
    (re.compile(r"XML declaration allowed only at the start of the document"), N_("check.xml.declaration")),
    # the BPMN schema (XSD), as SpiffWorkflow's parser reports it
    (re.compile(_ELEMENT + r": This element is not expected\..*", re.S), N_("check.xsd.unexpected_element")),
    (re.compile(_ELEMENT + r": Missing child element\(s\)\..*", re.S), N_("check.xsd.missing_child")),
    (
        re.compile(_ELEMENT + _ATTRIBUTE + r": The attribute '[^']+' is not allowed\."),
        N_("check.xsd.attribute_not_allowed"),
    ),
    (
        re.compile(_ELEMENT + r": The attribute '(?P<attribute>[^']+)' is required but missing\."),
        N_("check.xsd.attribute_missing"),
    ),
    (
        re.compile(
            _ELEMENT + r", attribute 'id': '(?P<value>[^']*)' is not a valid value of the atomic type 'xs:ID'\."
        ),
        N_("check.xsd.bad_id"),
    ),
    (
        re.compile(_ELEMENT + _ATTRIBUTE + r": (\[facet '\w+'\] )?The value '(?P<value>[^']*)' is not .*", re.S),
        N_("check.xsd.attribute_value"),
    ),
    (
        re.compile(_ELEMENT + _ATTRIBUTE + r": '(?P<value>[^']*)' is not a valid value of .*", re.S),
        N_("check.xsd.attribute_value"),
    ),
    (re.compile(_ELEMENT + r": .*", re.S), N_("check.xsd.element")),
    # SpiffWorkflow's parser
    (re.compile(r"Process (?P<id>\S+) is not executable\."), N_("check.spiff.not_executable")),
    (re.compile(r"There is no support implemented for this task type\."), N_("check.spiff.task_type")),
    (re.compile(r"Expected an? (?P<what>Message|Signal|Error|error|Escalation) node"), N_("check.spiff.event_node")),
    (
        re.compile(r"(?P<what>Signal|Error|Escalation|Correlation) identifier is missing from bpmn xml"),
        N_("check.spiff.identifier_missing"),
    ),
    (re.compile(r"A loopMaximum or loopCondition must be specified for Loop Tasks"), N_("check.spiff.loop")),
    (re.compile(r"Cancel Events may only be used with transactions"), N_("check.spiff.cancel")),
    (re.compile(r"Multiple outgoing flows are not supported for tasks of type.*"), N_("check.spiff.outgoing")),
    (re.compile(r"Time Specification Error\..*"), N_("check.detail.parser_time")),
    # Python's JSON parser
    (
        re.compile(r"(?P<what>[A-Z][^:]*): line (?P<line>\d+) column (?P<column>\d+) \(char \d+\)"),
        N_("check.json.at"),
    ),
    # jsonschema's words about a form schema that is not valid JSON Schema
    (re.compile(r"(?P<value>.+) is not valid under any of the given schemas"), N_("check.schema.not_valid")),
    (re.compile(r"(?P<value>.+) is not of type .+"), N_("check.schema.type")),
    (re.compile(r"(?P<value>.+) is not one of .+", re.S), N_("check.schema.not_one_of")),
    (re.compile(r"(?P<value>.+) is too short"), N_("check.schema.too_short")),
    (re.compile(r"(?P<value>.+) has non-unique elements"), N_("check.schema.not_unique")),
    (re.compile(r"(?P<value>.+) is less than the minimum of .+"), N_("check.schema.minimum")),
    (re.compile(r"Additional properties are not allowed .*", re.S), N_("check.schema.additional")),
]


def where_values(values: dict[str, str]) -> dict[str, str]:
    """The element names in a matched detail written as the diagram writes them (``bpmn:userTask``)."""
    return {k: short_name(v) if k in ("element", "opening", "closing", "tag") else v for k, v in values.items()}
