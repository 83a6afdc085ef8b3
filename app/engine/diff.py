"""What changed between two versions of a diagram: elements added, removed and changed.

Elements are matched by id (what bpmn-js keeps stable while one edits); for each matched element
the attributes this application reads are compared: label, lane, flow ends and condition,
timer expression, scripts, form and other extension properties, instructions.
"""

from __future__ import annotations

from typing import Any, Iterable

from .model_xml import ModelXml


def element_facts(models: Iterable[ModelXml]) -> dict[str, dict[str, Any]]:
    """Map every node, flow and lane id to the facts that matter when it runs."""
    out: dict[str, dict[str, Any]] = {}
    for model in models:
        lanes = {lane.id: lane.name for lane in model.lanes.values()}
        for node in model.nodes.values():
            facts: dict[str, Any] = {"tag": node.tag, "name": node.name, "lane": lanes.get(node.lane or "")}
            if node.attached_to:
                facts["attached_to"] = node.attached_to
                facts["cancel_activity"] = node.cancel_activity
            if node.event_definitions:
                facts["events"] = ",".join(node.event_definitions)
            if node.timer:
                facts[f"timer.{node.timer[0]}"] = node.timer[1].strip()
            if node.script is not None:
                facts["script"] = node.script.strip()
            if node.default:
                facts["default"] = node.default
            for key, value in sorted(node.properties.items()):
                facts[f"property.{key}"] = value
            for key, value in sorted(node.extensions.items()):
                facts[key] = value.strip()
            out[node.id] = facts
        for flow in model.flows.values():
            out[flow.id] = {
                "tag": "sequenceFlow",
                "name": flow.name,
                "source": flow.source,
                "target": flow.target,
                "condition": flow.condition.strip() if flow.condition is not None else None,
            }
        for lane in model.lanes.values():
            out[lane.id] = {"tag": "lane", "name": lane.name}
    return out


def _summary(element_id: str, facts: dict[str, Any]) -> dict[str, Any]:
    return {"id": element_id, "tag": facts.get("tag", ""), "name": facts.get("name", "")}


def diff_facts(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> dict[str, list]:
    """Elements added, removed and changed (with each changed field's old and new value)."""
    added = [_summary(i, new[i]) for i in new if i not in old]
    removed = [_summary(i, old[i]) for i in old if i not in new]
    changed = []
    for element_id in old.keys() & new.keys():
        a, b = old[element_id], new[element_id]
        fields = [
            {"field": key, "old": a.get(key), "new": b.get(key)}
            for key in sorted(a.keys() | b.keys())
            if a.get(key) != b.get(key)
        ]
        if fields:
            changed.append({**_summary(element_id, b), "fields": fields})
    key = lambda item: item["id"]  # noqa: E731
    return {"added": sorted(added, key=key), "removed": sorted(removed, key=key), "changed": sorted(changed, key=key)}
