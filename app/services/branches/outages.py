"""Major outages (重大故障): incidents, complaints linked to them, progress notices, one answer for all.

An incident names an area, a service and a start time. At registration, open incidents whose area appears
in the complaint's words are suggested to the agent (``registration_hints``); classifying the complaint as an
outage with the incident's number links it (app/services/steps/branch_effects.py), and its flow then waits in
``outage_wait`` (processes/special_outage.bpmn). A progress notice goes to every linked customer through the
outbox; resolving the incident answers every waiting complaint at once with the resolution (each complaint's
own transaction, so one that cannot go on does not hold the others back; resolving again answers the rest).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ...domain.clock import local_date
from ...domain.personal_data import mask_name
from ...errors import Conflict, Forbidden, Invalid, NotFound
from ...models import Complaint, HumanTask, OutageIncident, OutageNotice
from ..notifications import outbox as notifications
from ..audit.log import AuditLog
from ..instances.auto_complete import complete_for
from ..runtime.flow_config import flow_rules
from ..runtime import Runtime
from ..steps import idempotency
from ...domain.actors import Viewer

SERVICES = ("mobile", "broadband", "voice", "iptv", "other")
WAIT_STEP = "outage_wait"


@dataclass(frozen=True)
class Hints:
    """What registration adds for an outage match: start data for the diagram, the answer for the agent."""

    start_data: dict[str, Any] = field(default_factory=dict)
    matched: list[dict[str, Any]] = field(default_factory=list)


def _require_writer(viewer: Viewer) -> None:
    if not viewer.can("outage.manage"):
        raise Forbidden(
            "only the network department and supervisors manage outage incidents", code="outage.not_allowed"
        )


def _text(value: Any, name: str, limit: int, errors: list, required: bool = True) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        errors.append({"field": name, "message": "必填 / required", "code": "field.required"})
    elif len(text) > limit:
        errors.append(
            {"field": name, "message": f"at most {limit} characters", "code": "field.too_long", "params": {"n": limit}}
        )
    return text


def _instant(value: Any, name: str, errors: list, required: bool = True) -> datetime | None:
    if value in (None, "") and not required:
        return None
    try:
        at = datetime.fromisoformat(str(value))
        if at.tzinfo is None:
            raise ValueError("no time zone")
        return at
    except (TypeError, ValueError):
        errors.append(
            {
                "field": name,
                "message": "an ISO 8601 instant with its offset, e.g. 2026-03-02T08:00:00+08:00",
                "code": "field.bad_time",
            }
        )
        return None


def view(i: OutageIncident, linked: int | None = None) -> dict[str, Any]:
    return {
        "id": i.id,
        "number": i.number,
        "title": i.title,
        "area": i.area,
        "service": i.service,
        "started_at": i.started_at.isoformat(),
        "expected_fix_at": i.expected_fix_at.isoformat() if i.expected_fix_at else None,
        "status": i.status,
        "resolution": i.resolution,
        "resolved_at": i.resolved_at.isoformat() if i.resolved_at else None,
        "created_at": i.created_at.isoformat(),
        "linked_complaints": linked,
    }


def create_incident(rt: Runtime, viewer: Viewer, fields: Any) -> dict[str, Any]:
    """Open an incident (area, service, start time); its number is GZ + day + sequence."""
    _require_writer(viewer)
    fields = fields if isinstance(fields, dict) else {}
    errors: list = []
    title = _text(fields.get("title"), "title", 200, errors)
    area = _text(fields.get("area"), "area", 200, errors)
    service = fields.get("service")
    if service not in SERVICES:
        errors.append({"field": "service", "message": f"one of {', '.join(SERVICES)}", "code": "field.choose"})
    started = _instant(fields.get("started_at"), "started_at", errors)
    expected = _instant(fields.get("expected_fix_at"), "expected_fix_at", errors, required=False)
    if errors:
        raise Invalid("the incident is incomplete", errors)
    now = rt.clock.now()
    for _ in range(3):  # two hosts may hand out the same next number: the unique index decides, retry
        try:
            with rt.db.write() as s:
                day = local_date(now).strftime("%Y%m%d")
                count = (
                    s.scalar(
                        select(func.count()).select_from(OutageIncident).where(OutageIncident.number.like(f"GZ{day}%"))
                    )
                    or 0
                )
                row = OutageIncident(
                    number=f"GZ{day}{count + 1:03d}",
                    title=title,
                    area=area,
                    service=service,
                    started_at=started,
                    expected_fix_at=expected,
                    status="open",
                    created_by_id=viewer.id,
                    created_at=now,
                    updated_at=now,
                )
                s.add(row)
                s.flush()
                idempotency.record(s)  # an incident is no step of an instance: its key is written here
                return view(row, 0)
        except IntegrityError:
            continue
    raise Conflict("could not number the incident; try again", code="outage.number_clash")


def list_incidents(rt: Runtime, viewer: Viewer, status: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Incidents, open first then newest, each with how many complaints are linked."""
    linked = (
        select(Complaint.outage_incident_id, func.count().label("n"))
        .where(Complaint.outage_incident_id.is_not(None))
        .group_by(Complaint.outage_incident_id)
        .subquery()
    )
    q = select(OutageIncident, linked.c.n).outerjoin(linked, linked.c.outage_incident_id == OutageIncident.id)
    if status:
        q = q.where(OutageIncident.status == status)
    q = q.order_by(OutageIncident.status != "open", OutageIncident.started_at.desc()).limit(min(limit, 500))
    with rt.db.read() as s:
        return [view(i, n or 0) for i, n in s.execute(q)]


def get_incident(rt: Runtime, viewer: Viewer, incident_id: int) -> dict[str, Any]:
    """An incident with its linked complaints (phone masked) and its notices."""
    with rt.db.read() as s:
        i = s.get(OutageIncident, incident_id)
        if i is None:
            raise NotFound(f"outage incident {incident_id} does not exist", code="outage.not_found")
        complaints = s.execute(
            select(Complaint, HumanTask.id)
            .outerjoin(
                HumanTask,
                (HumanTask.instance_id == Complaint.instance_id)
                & (HumanTask.element_id == WAIT_STEP)
                & (HumanTask.state == "ready"),
            )
            .where(Complaint.outage_incident_id == incident_id)
            .order_by(Complaint.created_at)
        ).all()
        notices = s.scalars(
            select(OutageNotice).where(OutageNotice.incident_id == incident_id).order_by(OutageNotice.posted_at)
        ).all()
        out = view(i, len(complaints))
        # every signed-in user may follow an incident: its customers are masked (need to know)
        out["complaints"] = [
            {
                "id": c.id,
                "number": c.number,
                "customer_name": mask_name(c.customer_name),
                "customer_phone_masked": _mask(c.customer_phone),
                "status": c.status,
                "current_step": c.current_step,
                "waiting_for_fix": task_id is not None,
                "created_at": c.created_at.isoformat(),
            }
            for c, task_id in complaints
        ]
        out["notices"] = [
            {
                "id": n.id,
                "kind": n.kind,
                "text": n.text,
                "recipients": n.recipients,
                "posted_at": n.posted_at.isoformat(),
            }
            for n in notices
        ]
        return out


def registration_hints(rt: Runtime, data: dict[str, Any]) -> Hints:
    """Open incidents whose area appears in the complaint's words (matter, place) and that started lately."""
    words = " ".join(str(data.get(k) or "") for k in ("matter", "place"))
    if not words.strip():
        return Hints()
    now = rt.clock.now()
    since = now - timedelta(hours=flow_rules(rt).outage_match_hours)
    with rt.db.read() as s:
        found = [
            i
            for i in s.scalars(
                select(OutageIncident).where(
                    OutageIncident.status == "open",
                    OutageIncident.started_at >= since,
                    OutageIncident.started_at <= now,
                )
            )
            if i.area and i.area in words
        ]
    if not found:
        return Hints()
    found.sort(key=lambda i: i.started_at, reverse=True)
    first = found[0]
    return Hints(
        {"outage_suggestion": f"{first.number}（{first.title}，{first.area}）", "incident_id": first.number},
        [
            {
                "id": i.id,
                "number": i.number,
                "title": i.title,
                "area": i.area,
                "service": i.service,
                "started_at": i.started_at.isoformat(),
            }
            for i in found
        ],
    )


def post_notice(rt: Runtime, viewer: Viewer, incident_id: int, text: Any) -> dict[str, Any]:
    """Post a progress notice: every linked open complaint's customer gets it, and its trail records it."""
    _require_writer(viewer)
    errors: list = []
    body = _text(text, "text", 500, errors)
    if errors:
        raise Invalid("the notice is empty", errors)
    now = rt.clock.now()
    with rt.db.write() as s:
        i = s.get(OutageIncident, incident_id)
        if i is None:
            raise NotFound(f"outage incident {incident_id} does not exist", code="outage.not_found")
        if i.status != "open":
            raise Conflict("the incident is resolved; its answer went out already", code="outage.resolved")
        notice = OutageNotice(incident_id=i.id, kind="progress", text=body, posted_by_id=viewer.id, posted_at=now)
        s.add(notice)
        s.flush()
        complaints = s.scalars(
            select(Complaint).where(Complaint.outage_incident_id == i.id, Complaint.status == "open")
        ).all()
        for c in complaints:
            notifications.enqueue(
                s,
                rt,
                "outage_progress",
                f"outage:{i.id}:notice:{notice.id}:{c.id}",
                now,
                complaint=c,
                instance_id=c.instance_id,
                extra={"incident_title": i.title, "incident_number": i.number, "notice": body},
            )
            if c.instance_id is not None:
                AuditLog(s, c.instance_id).append(
                    "outage.notice",
                    at=now,
                    actor=viewer.name,
                    actor_id=viewer.id,
                    reason=body,
                    after={"incident": i.number},
                )
        notice.recipients = len(complaints)
        i.updated_at = now
        return {
            "id": notice.id,
            "incident_id": i.id,
            "text": body,
            "recipients": notice.recipients,
            "posted_at": now.isoformat(),
        }


def resolve_incident(rt: Runtime, viewer: Viewer, incident_id: int, resolution: Any) -> dict[str, Any]:
    """Mark the incident fixed and answer every complaint waiting on it with the resolution, at once."""
    _require_writer(viewer)
    now = rt.clock.now()
    with rt.db.write() as s:
        i = s.get(OutageIncident, incident_id)
        if i is None:
            raise NotFound(f"outage incident {incident_id} does not exist", code="outage.not_found")
        errors: list = []
        text = _text(resolution, "resolution", 2000, errors, required=i.status == "open")
        if errors:
            raise Invalid("say how the outage was fixed", errors)
        if i.status == "open":
            i.status, i.resolution, i.resolved_at, i.updated_at = "resolved", text, now, now
            s.add(OutageNotice(incident_id=i.id, kind="resolved", text=text, posted_by_id=viewer.id, posted_at=now))
        text, number, title = i.resolution, i.number, i.title
        waiting = list(
            s.scalars(
                select(Complaint.instance_id)
                .join(HumanTask, HumanTask.instance_id == Complaint.instance_id)
                .where(
                    Complaint.outage_incident_id == i.id, HumanTask.element_id == WAIT_STEP, HumanTask.state == "ready"
                )
            )
        )
    answered, failed = [], []
    data = {"outage_resolution": text, "outage_resolved_at": now.isoformat()}
    for instance_id in waiting:
        for attempt in range(2):  # an agent may be saving the same complaint: one retry on the version check
            try:
                done = complete_for(
                    rt, viewer.actor, instance_id, (WAIT_STEP,), data, reason=f"故障单 {number} 统一答复"
                )
                if done is not None:
                    answered.append(instance_id)
                break
            except Conflict as exc:
                if attempt:
                    failed.append({"instance_id": instance_id, "error": exc.detail})
            except Exception as exc:  # noqa: BLE001 - one complaint that cannot go on must not stop the others
                failed.append({"instance_id": instance_id, "error": str(exc)})
                break
    with rt.db.write() as s:
        notice = s.scalars(
            select(OutageNotice)
            .where(OutageNotice.incident_id == incident_id, OutageNotice.kind == "resolved")
            .order_by(OutageNotice.id.desc())
            .limit(1)
        ).first()
        if notice is not None:
            notice.recipients = (notice.recipients or 0) + len(answered)
    return {
        "id": incident_id,
        "number": number,
        "title": title,
        "status": "resolved",
        "answered": len(answered),
        "failed": failed,
    }


def _mask(phone: str | None) -> str:
    digits = (phone or "").replace("-", "")
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 8 else (digits[:1] + "****" if digits else "")
