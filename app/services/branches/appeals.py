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
from typing import Any, Callable

from sqlalchemy import select

from ...domain.clock import OPERATOR_ZONE
from ...domain.appeal_admissibility import EarlierComplaint, decide
from ...domain.appeal_admissibility import reason_text as prior_reason_text
from ...domain.clock import local_date
from ...domain.flow_rules import admissible, reason_text
from ...errors import Conflict, Forbidden, NotFound
from ...models import Appeal, Complaint
from ..notifications import outbox
from ..process_models import forms
from ..sla.complaint_clocks import replied_at
from ..runtime.text_config import text_settings
from ..runtime.flow_config import flow_rules
from ..instances.store import finish_start, insert_instance, run_start
from ..steps import idempotency
from ..runtime import Runtime
from ...domain.actors import Viewer
from ..accounts import need_to_know
from ..audit.trail import record_access

PROCESS_ID = "appeal_handling"
REGISTRATION_FORM = "appeal-register-schema.json"
HIGH_PRIORITY = "2"  # human_task.priority of every appeal task: they come first in every inbox


def _at(value: Any) -> datetime:
    at = datetime.fromisoformat(str(value))
    return at if at.tzinfo else at.replace(tzinfo=OPERATOR_ZONE)  # the form asks for an offset; be safe


def _similarity(a: str, b: str) -> float:
    # NumPy, SciPy and scikit-learn are imported on the first comparison, not when a worker starts
    # (about 86 MB of its memory; services/text_intelligence/similar.py does the same)
    from ...domain.text_intelligence.similarity import similarity

    return similarity(a, b)


def _similarity_among(matter: str, earlier: list[EarlierComplaint]) -> Callable[[str, str], float]:
    """``_similarity`` for the appeal's matter against the customer's earlier complaints, vectorised at once
    (up to 50 complaints: one call instead of one per complaint); any other pair is compared on its own."""
    if not earlier:
        return _similarity
    from ...domain.text_intelligence.similarity import similarities

    texts = list(dict.fromkeys(c.matter or "" for c in earlier))
    known = dict(zip(texts, similarities(matter, texts)))

    def same_text(a: str, b: str) -> float:
        return known[b] if a == matter and b in known else _similarity(a, b)

    return same_text


def register_appeal(rt: Runtime, viewer: Viewer, fields: Any) -> dict[str, Any]:
    """Record a work order from the appeal centre; start its handling when it is admissible."""
    if not viewer.can("appeal.register"):
        raise Forbidden("only agents and supervisors register appeals", code="appeal.not_allowed")
    model = rt.current_model(PROCESS_ID)
    now = rt.clock.now()
    data = forms.validate(model.form(REGISTRATION_FORM), fields)
    data.setdefault("received_at", now.isoformat())
    received, occurred = _at(data["received_at"]), _at(data["occurred_at"])
    rules = flow_rules(rt)
    with rt.db.read() as s:
        if s.scalar(select(Appeal.id).where(Appeal.case_number == data["case_number"])) is not None:
            raise Conflict(
                f"appeal {data['case_number']} is registered already",
                code="appeal.exists",
                params={"number": data["case_number"]},
            )
        earlier = _earlier_complaints(s, rt, data, received, rules.appeal_reply_days)
    prior = decide(
        earlier,
        category=data["category"],
        matter=data["matter"],
        received=received,
        same_text=_similarity_among(data["matter"], earlier),
        min_score=text_settings(rt).repeat_score,
    )
    if prior.code is not None:
        ok, code = False, prior.code
        reason = prior_reason_text(prior, rules.appeal_reply_days, lambda at: local_date(at).isoformat())
    else:
        ok, code = admissible(
            rules, received=received, occurred=occurred, fee_dispute=bool(data["fee_dispute"]), complained_first=True
        )
        reason = reason_text(rules, code)
    based_on = prior.complaint
    row = Appeal(
        case_number=data["case_number"],
        regulator_deadline=_at(data["regulator_deadline"]),
        received_at=received,
        customer_name=data["customer_name"],
        customer_phone=data["customer_phone"],
        complaint_id=based_on.id if based_on is not None else None,
        category=data["category"],
        fee_dispute=bool(data["fee_dispute"]),
        occurred_at=occurred,
        matter=data["matter"],
        demand=data.get("demand"),
        admissible=ok,
        inadmissible_reason=reason,
        status="open" if ok else "inadmissible",
        created_by_id=viewer.id,
        created_at=now,
    )
    if not ok:
        with rt.db.write() as s:
            s.add(row)
            s.flush()
            # the centre is owed a reasoned answer: it goes out with the record, or neither does
            outbox.enqueue(
                s,
                rt,
                "appeal_refused",
                f"appeal:{row.id}:refused",
                now,
                data={
                    "case_number": row.case_number,
                    "customer_name": row.customer_name,
                    "matter": row.matter,
                    "refusal_reason": reason,
                },
                to={"email": rt.settings.get("APPEAL_CENTRE_EMAIL") or ""},
            )
            idempotency.record(s)  # recorded, not started: no step, so the key is written here
            return appeal_view(row, based_on.number if based_on else None) | {"reason_code": code}
    start = data | {"priority": HIGH_PRIORITY, "complaint_number": based_on.number}
    inst, failure = run_start(rt, model, start)
    with rt.db.write() as s:
        instance = insert_instance(s, rt, model, inst, viewer.actor)
        row.instance_id = instance.id
        s.add(row)
        s.flush()
        incidents = finish_start(s, rt, instance, inst, viewer.actor, start, failure=failure)
        out = appeal_view(row, based_on.number)
        return out | {"incidents": incidents} if incidents else out


def _earlier_complaints(
    s, rt: Runtime, data: dict[str, Any], received: datetime, reply_days: int
) -> list[EarlierComplaint]:
    """The customer's complaints to us before the appeal (the number given, same phone; else the latest 50 by phone)."""
    q = select(Complaint).where(Complaint.customer_phone == data["customer_phone"], Complaint.created_at <= received)
    if data.get("complaint_number"):
        q = q.where(Complaint.number == data["complaint_number"])
    rows = list(s.scalars(q.order_by(Complaint.created_at.desc()).limit(50)))
    answered = replied_at(s, [c.instance_id for c in rows])
    calendar = rt.calendar
    return [
        EarlierComplaint(
            c.id,
            c.number,
            c.category,
            c.matter or "",
            c.created_at,
            calendar.civil_code_period_end(c.created_at, reply_days).at,
            answered.get(c.instance_id),
            c.satisfaction == "unsatisfied",
        )
        for c in rows
    ]


def appeal_view(a: Appeal, complaint_number: str | None = None) -> dict[str, Any]:
    return {
        "id": a.id,
        "case_number": a.case_number,
        "regulator_deadline": a.regulator_deadline.isoformat(),
        "received_at": a.received_at.isoformat(),
        "customer_name": a.customer_name,
        "customer_phone": a.customer_phone,
        "complaint_id": a.complaint_id,
        "complaint_number": complaint_number,
        "category": a.category,
        "fee_dispute": a.fee_dispute,
        "occurred_at": a.occurred_at.isoformat(),
        "matter": a.matter,
        "demand": a.demand,
        "admissible": a.admissible,
        "inadmissible_reason": a.inadmissible_reason,
        "status": a.status,
        "outcome": a.outcome,
        "process_instance_id": a.instance_id,
        "created_at": a.created_at.isoformat(),
        "closed_at": a.closed_at.isoformat() if a.closed_at else None,
    }


def _require_reader(viewer: Viewer) -> None:
    if not viewer.can("appeal.read"):
        raise Forbidden("appeals are for agents, supervisors, directors and managers", code="appeal.not_reader")


def list_appeals(
    rt: Runtime, viewer: Viewer, status: str | None = None, limit: int = 100, via: str = "api"
) -> list[dict[str, Any]]:
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
        got = s.execute(
            select(Appeal, Complaint.number)
            .outerjoin(Complaint, Complaint.id == Appeal.complaint_id)
            .where(Appeal.id == appeal_id)
        ).first()
        if got is None:
            raise NotFound(f"appeal {appeal_id} does not exist", code="appeal.not_found")
        shown = got[0].instance_id in need_to_know.worked_instances(s, viewer, [got[0].instance_id])
        out = need_to_know.guard(appeal_view(*got), shown)
    record_access(
        rt,
        viewer,
        "appeal.viewed",
        via,
        complaint_id=got[0].complaint_id,
        instance_id=got[0].instance_id,
        detail={"appeal_id": appeal_id, "personal_data": out["personal_data"]},
    )
    return out
