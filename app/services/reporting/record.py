"""The whole record of a complaint: every field each step submitted, as the audit trail holds it.

The complaint row keeps what search, reports and exports need; the record a manager audits or a
customer is read back (registration: account, place, amount, demand, evidence, whether the customer
tried to solve it; handling: cause, responsibility, solution, compensation, promised date; the
reply and the survey; the summary) is what the steps submitted. The trail's `task.completed`
events hold exactly that, chained and tamper-evident, so the record is read from them: one
section per completed step, fields in the form's order, each with its form node for the label.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from sqlalchemy import select

from ...domain.personal_data import PERSONAL_FIELDS, mask_record
from ...models import AuditEvent, HumanTask, ProcessInstance
from ..runtime import Runtime

# Bookkeeping fields a step's form carries that are no part of the record a person reads.
HIDDEN = frozenset({"read_back_confirmed"})


@lru_cache(maxsize=256)
def _schema(text: str) -> dict[str, Any]:
    return json.loads(text)


def _order(schema: dict[str, Any], ui: dict[str, Any] | None) -> list[str]:
    order = list((ui or {}).get("ui:order") or [])
    return [f for f in order if f != "*"] + [f for f in schema.get("properties", {}) if f not in order]


def record_sections(rt: Runtime, s, instance_id: int) -> list[dict[str, Any]]:
    """[{element_id, name, at, actor, fields: [{name, node, value}]}] for every completed step, in order."""
    version_id = s.scalar(select(ProcessInstance.process_version_id).where(ProcessInstance.id == instance_id))
    if version_id is None:
        return []
    model = rt.model(version_id)
    forms = dict(s.execute(select(HumanTask.id, HumanTask.form).where(HumanTask.instance_id == instance_id)).all())
    sections = []
    for e in s.scalars(
        select(AuditEvent)
        .where(AuditEvent.instance_id == instance_id, AuditEvent.type == "task.completed")
        .order_by(AuditEvent.seq)
    ):
        data = e.data_after if isinstance(e.data_after, dict) else {}
        form = forms.get(e.task_id)
        text = model.form(form) if form else None
        schema = _schema(text) if text else {"properties": {}}
        ui_name = form.replace("-schema.json", "-uischema.json") if form else None
        ui_text = model.form(ui_name) if ui_name else None
        props = schema.get("properties", {})
        names = [n for n in _order(schema, _schema(ui_text) if ui_text else None) if n in data]
        names += [n for n in data if n not in names]
        fields = [
            {"name": n, "node": props.get(n, {}), "value": data[n]}
            for n in names
            if n not in HIDDEN and data[n] not in (None, "", [])
        ]
        if fields:
            sections.append(
                {
                    "element_id": e.element_id,
                    "name": e.element_name,
                    "at": e.at.isoformat(),
                    "actor": e.actor,
                    "actor_id": e.actor_id,
                    "fields": fields,
                }
            )
    return sections


def masked_sections(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The record for a viewer who does not work the complaint: personal fields masked (domain.personal_data)."""
    return [
        sec
        | {
            "fields": [
                f | {"value": mask_record({f["name"]: f["value"]})[f["name"]]} if f["name"] in PERSONAL_FIELDS else f
                for f in sec["fields"]
            ]
        }
        for sec in sections
    ]


def record(rt: Runtime, instance_id: int) -> list[dict[str, Any]]:
    """The record of one instance (the caller has checked the viewer may see it)."""
    with rt.db.read() as s:
        return record_sections(rt, s, instance_id)
