"""config/group_aliases.toml: the names brought diagrams give people map to our groups, or to the stated fallback."""

from __future__ import annotations

from app.domain.group_aliases import group_assignment, split_names
from app.domain.groups import lane_groups
from app.engine import check_lanes, read_models

LANES = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
<bpmn:collaboration id="c"><bpmn:participant id="p" processRef="pr" /></bpmn:collaboration>
<bpmn:process id="pr" isExecutable="true">
  <bpmn:laneSet id="ls">
    <bpmn:lane id="lane_fin" name="Finance"><bpmn:flowNodeRef>a</bpmn:flowNodeRef></bpmn:lane>
    <bpmn:lane id="lane_legal" name="Legal Team"><bpmn:flowNodeRef>b</bpmn:flowNodeRef></bpmn:lane>
  </bpmn:laneSet>
  <bpmn:userTask id="a" name="Pay" /><bpmn:userTask id="b" name="Check" />
</bpmn:process></bpmn:definitions>"""


def test_names_map_by_code_by_name_or_by_alias_case_insensitively_first_one_wins():
    assignment = group_assignment()
    assert assignment.fallback == "supervisor"
    assert assignment.group_of("handler_billing") == "handler_billing"
    assert assignment.group_of("计费部") == "handler_billing"
    assert assignment.group_of("Accounting") == "handler_billing"
    assert assignment.group_of("legal") is None
    assert assignment.first_group(split_names("legal, sales, accounting")) == "handler_product"


def test_a_lane_the_table_maps_is_known_and_one_it_does_not_warns_naming_the_fallback():
    assignment = group_assignment()
    models = read_models({"t.bpmn": LANES})
    known = {**lane_groups(), "Finance": assignment.group_of("Finance")}
    (problem,) = check_lanes(models, known, assignment.fallback)
    assert problem.element_id == "lane_legal" and problem.severity == "warning"
    assert "fallback group 'supervisor'" in problem.message
    (blocked,) = check_lanes(models, known)  # without a fallback nobody could be offered the task
    assert blocked.severity == "error"
