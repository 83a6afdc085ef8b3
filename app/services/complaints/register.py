"""Register complaints (each starts a complaint-handling instance) and read them back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, text

from ...domain import ownership
from ...domain.intake import CLASSIFICATION
from ...domain.clock import local_date
from ...domain.money import yuan
from ...errors import Forbidden, NotFound
from ...models import Complaint
from ..accounts import need_to_know
from ..accounts.visibility import visible_complaint, visible_complaints
from ..audit.trail import record_access
from ..process_models import forms
from ..steps import rollups as report_rollups
from ..steps.state import prepare_save
from ..reporting.complaint_view import complaint_view
from ..sla.complaint_clocks import replied_at, set_clocks
from ..instances.store import finish_start, insert_instance, run_start
from ..branches.outages import registration_hints
from ..runtime import Runtime
from ...domain.actors import Viewer
from ..text_intelligence import intake as text_intake
from ..text_intelligence import suggestions as text_suggestions

PROCESS_ID = "complaint_handling"
REGISTRATION_FORM = "intake-schema.json"  # one page: record, classification and read-back (live channels)


def next_number(s, at: datetime) -> str:
    """Hand out the day's next complaint number, TS + yyyymmdd + 6 digits, inside the transaction."""
    day = local_date(at).strftime("%Y%m%d")
    last = s.execute(
        text(
            "INSERT INTO number_sequence (day, last) VALUES (:day, 1) "
            "ON CONFLICT (day) DO UPDATE SET last = number_sequence.last + 1 RETURNING last"
        ),
        {"day": day},
    ).scalar_one()
    return f"TS{day}{last:06d}"


def register_complaint(
    rt: Runtime, viewer: Viewer, fields: Any, accepted: dict[str, str] | None = None
) -> dict[str, Any]:
    """Register a complaint for a customer: only agents (first responders) do."""
    if not viewer.can("complaint.register"):
        raise Forbidden("only agents (first responders) register complaints", code="register.not_allowed")
    return record_complaint(rt, viewer, fields, accepted)


def record_complaint(
    rt: Runtime, viewer: Viewer, fields: Any, accepted: dict[str, str] | None = None
) -> dict[str, Any]:
    """Validate the registration fields, number the complaint and start its handling (the caller checked who).

    ``accepted``: the suggestions the agent accepted at intake (category, severity, special type); they
    pre-fill the classify step, where the agent still confirms them. The answer carries what the text
    suggests, the similar complaints and the repeat it may be.
    """
    model = rt.current_model(PROCESS_ID)
    data = forms.validate(model.form(REGISTRATION_FORM), fields)
    hints = registration_hints(rt, data)  # open outage incidents the complaint's words point to
    reading = text_intake.read_registration(rt, data.get("matter", ""), data.get("customer_phone"))
    prefill = text_intake.classify_prefill(accepted)
    # what the agent entered wins over an accepted suggestion (a live intake classifies on the page itself)
    inst, failure = run_start(rt, model, prefill | hints.start_data | data)
    now = rt.clock.now()
    prepared = prepare_save(inst)  # outside the write lock
    with rt.db.write() as s:
        row = insert_instance(s, rt, model, inst, viewer.actor, prepared)
        complaint = Complaint(
            number=next_number(s, now),
            instance_id=row.id,
            customer_name=data.get("customer_name", ""),
            customer_phone=data.get("customer_phone", ""),
            account=data.get("account"),
            channel=data.get("channel", "phone"),
            category=data.get("category"),
            severity=data.get("severity") or "general",
            special_type=data.get("special_type"),
            matter=data.get("matter", ""),
            demand=data.get("demand"),
            amount=yuan(data.get("amount")),
            status="open",
            created_by_id=viewer.id,
            created_at=now,
            updated_at=now,
            owner_id=viewer.id if ownership.may_own(viewer.groups) else None,
        )
        set_clocks(rt, complaint, now)
        s.add(complaint)
        s.flush()
        report_rollups.complaint_registered(s, complaint)
        # what the intake itself classified is the decision the suggestion is measured against (an override if it differs)
        decided = (accepted or {}) | {k: data[k] for k in CLASSIFICATION if data.get(k)}
        text_suggestions.record_suggestion(
            s, complaint.id, complaint.matter, reading["suggestions"], decided, viewer.id, now
        )
        # a connector that kept failing is an incident on the kept instance: the complaint is registered
        incidents = finish_start(
            s,
            rt,
            row,
            inst,
            viewer.actor,
            data | {"number": complaint.number},
            resource=f"complaint:{complaint.id}",
            failure=failure,
        )
        out = {
            "id": complaint.id,
            "number": complaint.number,
            "process_instance_id": row.id,
            "status": complaint.status,
            "matched_outages": hints.matched,
        } | reading
        return out | {"incidents": incidents} if incidents else out


def list_complaints(
    rt: Runtime,
    viewer: Viewer,
    *,
    q: str | None = None,
    status: str | None = None,
    category: str | None = None,
    channel: str | None = None,
    limit: int = 50,
    offset: int = 0,
    via: str = "api",
) -> dict[str, Any]:
    """Search complaints by number, phone or name, with filters; newest first.

    Personal data is masked in the complaints the viewer does not work; a search by a customer's
    phone or name, and every list that shows personal data, is written to the access log."""
    query = visible_complaints(select(Complaint), viewer)
    if q:
        like = f"%{q.strip()}%"
        query = query.where(
            or_(Complaint.number == q.strip(), Complaint.customer_phone.like(like), Complaint.customer_name.like(like))
        )
    for column, value in ((Complaint.status, status), (Complaint.category, category), (Complaint.channel, channel)):
        if value:
            query = query.where(column == value)
    with rt.db.read() as s:
        total = s.scalar(select(func.count()).select_from(query.subquery()))
        rows = list(
            s.scalars(
                query.order_by(Complaint.created_at.desc(), Complaint.id.desc()).limit(min(limit, 500)).offset(offset)
            )
        )
        replied = replied_at(s, [c.instance_id for c in rows if c.instance_id is not None])
        worked = need_to_know.worked_instances(s, viewer, [c.instance_id for c in rows])
        now = rt.clock.now()
        items = [
            need_to_know.guard(complaint_view(c, now, replied.get(c.instance_id)), c.instance_id in worked)
            for c in rows
        ]
    shown = [c.id for c in rows if c.instance_id in worked]
    if shown or (q and q.strip()):
        record_access(
            rt, viewer, "complaints.listed", via, detail={"q": q.strip() if q else None, "shown": shown, "total": total}
        )
    return {"total": total, "items": items}


def get_complaint(rt: Runtime, viewer: Viewer, complaint_id: int, via: str | None = "api") -> dict[str, Any]:
    """One complaint, its personal data masked unless the viewer works it; the read is logged (via None: the
    caller logs the read it is part of)."""
    with rt.db.read() as s:
        c = visible_complaint(s, viewer, complaint_id)
        if c is None:
            raise NotFound(f"complaint {complaint_id} does not exist", code="complaint.not_found")
        replied = replied_at(s, [c.instance_id] if c.instance_id is not None else [])
        shown = c.instance_id in need_to_know.worked_instances(s, viewer, [c.instance_id])
        out = need_to_know.guard(complaint_view(c, rt.clock.now(), replied.get(c.instance_id)), shown)
    if via is not None:
        record_access(
            rt,
            viewer,
            "complaint.viewed",
            via,
            complaint_id=complaint_id,
            instance_id=out["process_instance_id"],
            detail={"personal_data": out["personal_data"]},
        )
    return out


def customer_phone_of(rt: Runtime, complaint_id: int) -> str | None:
    """The complaint's phone, for matching the customer's other complaints server-side (never shown by itself)."""
    with rt.db.read() as s:
        return s.scalar(select(Complaint.customer_phone).where(Complaint.id == complaint_id))
