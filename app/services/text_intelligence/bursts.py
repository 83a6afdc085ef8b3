"""Bursts: many similar complaints from one area in a short window suggest an outage incident.

The scheduled job (and ``detect``) reads the complaints of the last ``burst.window_minutes``, groups them
by the area their text names (domain/text_intelligence/areas.py), and within an area finds the complaint
with the most others similar to it (``burst.min_score``). When that group reaches ``burst.threshold`` and
no open incident already covers the area, supervisors get a suggested incident listing the complaints
(a suggestion still open for the area gains the new ones). Confirming opens the incident through the
outage feature (services/branches/outages.py: its number, its notices, its matching of later registrations by
area) and links the listed complaints to it, in one action; dismissing closes the suggestion.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from ...domain.text_intelligence.areas import area
from ...errors import Conflict, Forbidden, NotFound
from ...models import BurstSuggestion, Complaint, OutageIncident
from ..branches import outages
from ..audit.log import AuditLog
from ..runtime import Runtime
from ..reporting.search import mask_phone
from ...domain.actors import Viewer
from .settings import text_settings


def _service(texts: list[str]) -> str:
    joined = "".join(texts)
    counts = {
        "broadband": sum(joined.count(w) for w in ("宽带", "断网", "光猫", "上不了网")),
        "mobile": sum(joined.count(w) for w in ("信号", "4G", "5G", "4g", "5g", "手机")),
        "voice": sum(joined.count(w) for w in ("固话", "拨号音", "电话打不")),
        "iptv": sum(joined.count(w) for w in ("IPTV", "iptv", "电视")),
    }
    best = max(counts, key=counts.get)
    return best if counts[best] else "other"


def detect(rt: Runtime) -> list[int]:
    """Find bursts in the window; create or extend suggestions; return the ids of those touched."""
    cfg = text_settings(rt)
    now = rt.clock.now()
    since = now - timedelta(minutes=cfg.burst_window_minutes)
    with rt.db.read() as s:
        rows = s.execute(
            select(Complaint.id, Complaint.matter).where(
                Complaint.created_at >= since, Complaint.outage_incident_id.is_(None)
            )
        ).all()
        open_areas = [a for (a,) in s.execute(select(OutageIncident.area).where(OutageIncident.status == "open"))]
        pending = {b.area: b for b in s.scalars(select(BurstSuggestion).where(BurstSuggestion.status == "suggested"))}
    by_area: dict[str, list[tuple[int, str]]] = {}
    for cid, matter in rows:
        a = area(matter or "")
        if a:
            by_area.setdefault(a, []).append((cid, matter))
    touched = []
    for a, items in by_area.items():
        if len(items) < cfg.burst_threshold or any(o and (o in a or a in o) for o in open_areas):
            continue
        from ...domain.text_intelligence.similarity import vectors  # the text libraries: on first use

        x = vectors([m for _, m in items])
        sims = (x @ x.T).toarray()
        neighbours = (sims >= cfg.burst_min_score).sum(axis=1)
        centre = int(neighbours.argmax())
        group = [items[i] for i in range(len(items)) if sims[centre, i] >= cfg.burst_min_score]
        if len(group) < cfg.burst_threshold:
            continue
        ids = sorted(cid for cid, _ in group)
        with rt.db.write() as s:
            existing = pending.get(a)
            if existing is not None:
                row = s.get(BurstSuggestion, existing.id)
                row.complaint_ids = sorted(set(row.complaint_ids) | set(ids))
            else:
                row = BurstSuggestion(
                    area=a,
                    terms=[_service([m for _, m in group])],
                    complaint_ids=ids,
                    status="suggested",
                    window_start=since,
                    created_at=now,
                )
                s.add(row)
            s.flush()
            touched.append(row.id)
    return touched


def _view(s, b: BurstSuggestion) -> dict[str, Any]:
    complaints = list(
        s.scalars(select(Complaint).where(Complaint.id.in_(b.complaint_ids)).order_by(Complaint.created_at))
    )
    return {
        "id": b.id,
        "area": b.area,
        "service": (b.terms or ["other"])[0],
        "status": b.status,
        "incident_id": b.incident_id,
        "created_at": b.created_at.isoformat(),
        "size": len(b.complaint_ids),
        "complaints": [
            {
                "id": c.id,
                "number": c.number,
                "customer_name": c.customer_name,
                "customer_phone_masked": mask_phone(c.customer_phone),
                "matter": (c.matter or "")[:140],
                "created_at": c.created_at.isoformat(),
            }
            for c in complaints
        ],
    }


def list_suggestions(rt: Runtime, viewer: Viewer, status: str = "suggested") -> list[dict[str, Any]]:
    """Burst suggestions in a status, newest first, each with its complaints."""
    if not viewer.can("text.bursts.read"):
        raise Forbidden("only supervisors, the network side, managers and agents see bursts", code="burst.not_reader")
    with rt.db.read() as s:
        rows = s.scalars(
            select(BurstSuggestion)
            .where(BurstSuggestion.status == status)
            .order_by(BurstSuggestion.created_at.desc())
            .limit(50)
        )
        return [_view(s, b) for b in rows]


def _pending(s, burst_id: int) -> BurstSuggestion:
    b = s.get(BurstSuggestion, burst_id)
    if b is None:
        raise NotFound(f"burst suggestion {burst_id} does not exist", code="burst.not_found")
    if b.status != "suggested":
        raise Conflict(f"burst suggestion {burst_id} is already {b.status}", code="burst.decided")
    return b


def confirm(rt: Runtime, viewer: Viewer, burst_id: int, fields: dict[str, Any]) -> dict[str, Any]:
    """Open the suggested outage incident and link the burst's complaints to it."""
    if not viewer.can("outage.manage"):
        raise Forbidden("only the network department and supervisors open outage incidents", code="outage.not_allowed")
    with rt.db.read() as s:
        b = _pending(s, burst_id)
        first = s.scalar(
            select(Complaint.created_at)
            .where(Complaint.id.in_(b.complaint_ids))
            .order_by(Complaint.created_at)
            .limit(1)
        )
        proposal = {
            "title": f"{b.area} 疑似故障（{len(b.complaint_ids)} 件相似投诉）",
            "area": b.area,
            "service": (b.terms or ["other"])[0],
            "started_at": (first or rt.clock.now()).isoformat(),
        }
    incident = outages.create_incident(
        rt, viewer, proposal | {k: v for k, v in (fields or {}).items() if k in proposal}
    )
    now = rt.clock.now()
    with rt.db.write() as s:
        b = _pending(s, burst_id)
        linked = []
        for c in s.scalars(
            select(Complaint).where(Complaint.id.in_(b.complaint_ids), Complaint.outage_incident_id.is_(None))
        ):
            c.outage_incident_id = incident["id"]
            linked.append(c.id)
            if c.instance_id is not None:
                AuditLog(s, c.instance_id).append(
                    "outage.linked",
                    at=now,
                    actor=viewer.name,
                    actor_id=viewer.id,
                    after={"incident": incident["number"], "from_burst": burst_id},
                )
        b.status, b.incident_id, b.decided_by_id, b.decided_at = "confirmed", incident["id"], viewer.id, now
    return {"incident": incident, "linked": linked}


def dismiss(rt: Runtime, viewer: Viewer, burst_id: int) -> dict[str, Any]:
    """Close the suggestion: not an outage."""
    if not viewer.can("outage.manage"):
        raise Forbidden("only the network department and supervisors decide on bursts", code="burst.not_decider")
    with rt.db.write() as s:
        b = _pending(s, burst_id)
        b.status, b.decided_by_id, b.decided_at = "dismissed", viewer.id, rt.clock.now()
        return {"id": b.id, "status": b.status}
