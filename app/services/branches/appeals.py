"""Appeals (申诉): work orders from the regulator's appeal centre, checked for admissibility, then handled.

``register_appeal`` takes the centre's case number and deadline with the customer and the matter (the form
processes/../forms/appeal-register-schema.json, from the deployed appeal_handling version), checks the rules
of config/flow.toml (the customer complained to us first; a fee dispute is at most 5 months old, any other
matter at most 2 years), and either records the appeal as inadmissible with the reason, or starts the
high-priority appeal_handling process. Closing needs the settlement with the withdrawal proof uploaded, or the
investigation report (the forms require them; branch_effects checks the proof file exists).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from ...domain.clock import OPERATOR_ZONE
from ...domain.flow_rules import admissible, reason_text
from ...errors import Conflict, Forbidden, NotFound
from ...models import Appeal, Complaint
from ..process_models import forms
from ..runtime.flow_config import flow_rules
from ..instances.store import finish_start, insert_instance, run_start
from ..runtime import Runtime
from ..tasks.work import Viewer
from ..accounts import need_to_know
from ..audit.trail import record_access

PROCESS_ID = "appeal_handling"
REGISTRATION_FORM = "appeal-register-schema.json"
HIGH_PRIORITY = "2"  # human_task.priority of every appeal task: they come first in every inbox


def _at(value: Any) -> datetime:
    at = datetime.fromisoformat(str(value))
    return at if at.tzinfo else at.replace(tzinfo=OPERATOR_ZONE)  # the form asks for an offset; be safe


def register_appeal(rt: Runtime, viewer: Viewer, fields: Any) -> dict[str, Any]:
    """Record a work order from the appeal centre; start its handling when it is admissible."""
    if not viewer.can("appeal.register"):
        raise Forbidden("only agents and supervisors register appeals")
    model = rt.current_model(PROCESS_ID)
    now = rt.clock.now()
    data = forms.validate(model.form(REGISTRATION_FORM), fields)
    data.setdefault("received_at", now.isoformat())
    received, occurred = _at(data["received_at"]), _at(data["occurred_at"])
    with rt.db.read() as s:
        if s.scalar(select(Appeal.id).where(Appeal.case_number == data["case_number"])) is not None:
            raise Conflict(f"appeal {data['case_number']} is registered already")
        earlier = _earlier_complaint(s, data, received)
    rules = flow_rules(rt)
    ok, code = admissible(rules, received=received, occurred=occurred, fee_dispute=bool(data["fee_dispute"]),
                          complained_first=earlier is not None)
    row = Appeal(case_number=data["case_number"], regulator_deadline=_at(data["regulator_deadline"]), received_at=received,
                 customer_name=data["customer_name"], customer_phone=data["customer_phone"],
                 complaint_id=earlier.id if earlier is not None else None, category=data["category"],
                 fee_dispute=bool(data["fee_dispute"]), occurred_at=occurred, matter=data["matter"], demand=data.get("demand"),
                 admissible=ok, inadmissible_reason=reason_text(rules, code), status="open" if ok else "inadmissible",
                 created_by_id=viewer.id, created_at=now)
    if not ok:
        with rt.db.write() as s:
            s.add(row)
            s.flush()
            return appeal_view(row, earlier.number if earlier else None) | {"reason_code": code}
    start = data | {"priority": HIGH_PRIORITY, "complaint_number": earlier.number}
    inst = run_start(rt, model, start)
    with rt.db.write() as s:
        instance = insert_instance(s, rt, model, inst, viewer.actor)
        row.instance_id = instance.id
        s.add(row)
        s.flush()
        finish_start(s, rt, instance, inst, viewer.actor, start)
        return appeal_view(row, earlier.number)


def _earlier_complaint(s, data: dict[str, Any], received: datetime) -> Complaint | None:
    """The customer's complaint to us before the appeal: the number given (same phone), else the latest by phone."""
    q = select(Complaint).where(Complaint.customer_phone == data["customer_phone"], Complaint.created_at <= received)
    if data.get("complaint_number"):
        q = q.where(Complaint.number == data["complaint_number"])
    return s.scalars(q.order_by(Complaint.created_at.desc()).limit(1)).first()


def appeal_view(a: Appeal, complaint_number: str | None = None) -> dict[str, Any]:
    return {"id": a.id, "case_number": a.case_number, "regulator_deadline": a.regulator_deadline.isoformat(),
            "received_at": a.received_at.isoformat(), "customer_name": a.customer_name, "customer_phone": a.customer_phone,
            "complaint_id": a.complaint_id, "complaint_number": complaint_number, "category": a.category,
            "fee_dispute": a.fee_dispute, "occurred_at": a.occurred_at.isoformat(), "matter": a.matter, "demand": a.demand,
            "admissible": a.admissible, "inadmissible_reason": a.inadmissible_reason, "status": a.status,
            "outcome": a.outcome, "process_instance_id": a.instance_id, "created_at": a.created_at.isoformat(),
            "closed_at": a.closed_at.isoformat() if a.closed_at else None}


def _require_reader(viewer: Viewer) -> None:
    if not viewer.can("appeal.read"):
        raise Forbidden("appeals are for agents, supervisors, directors and managers")


def list_appeals(rt: Runtime, viewer: Viewer, status: str | None = None, limit: int = 100,
                 via: str = "api") -> list[dict[str, Any]]:
    """Appeals, nearest regulator deadline first among open ones, then the rest newest first.

    The customer is masked unless the viewer works the appeal (need to know); a list that shows one is logged."""
    _require_reader(viewer)
    q = select(Appeal, Complaint.number).outerjoin(Complaint, Complaint.id == Appeal.complaint_id)
    if status:
        q = q.where(Appeal.status == status)
    q = q.order_by(Appeal.status != "open", Appeal.regulator_deadline, Appeal.id.desc()).limit(min(limit, 500))
    with rt.db.read() as s:
        rows = s.execute(q).all()
        worked = need_to_know.worked_instances(s, viewer, [a.instance_id for a, _ in rows])
    items = [need_to_know.guard(appeal_view(a, number), a.instance_id in worked) for a, number in rows]
    shown = [a.id for a, _ in rows if a.instance_id in worked]
    if shown:
        record_access(rt, viewer, "appeals.listed", via, detail={"shown": shown})
    return items


def get_appeal(rt: Runtime, viewer: Viewer, appeal_id: int, via: str = "api") -> dict[str, Any]:
    """One appeal, its customer masked unless the viewer works it; the reading is logged."""
    _require_reader(viewer)
    with rt.db.read() as s:
        got = s.execute(select(Appeal, Complaint.number).outerjoin(Complaint, Complaint.id == Appeal.complaint_id)
                        .where(Appeal.id == appeal_id)).first()
        if got is None:
            raise NotFound(f"appeal {appeal_id} does not exist")
        shown = got[0].instance_id in need_to_know.worked_instances(s, viewer, [got[0].instance_id])
        out = need_to_know.guard(appeal_view(*got), shown)
    record_access(rt, viewer, "appeal.viewed", via, complaint_id=got[0].complaint_id, instance_id=got[0].instance_id,
                  detail={"appeal_id": appeal_id, "personal_data": out["personal_data"]})
    return out
