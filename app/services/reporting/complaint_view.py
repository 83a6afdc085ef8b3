"""A complaint as the API, its page and the auditor's view show it, with its SLA fields."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ...models import Complaint
from ..sla.complaint_clocks import complaint_sla


def complaint_view(c: Complaint, now: datetime | None = None, replied: datetime | None = None) -> dict[str, Any]:
    """A complaint as the API shows it; with now, its SLA fields (deadline, seconds left, state, clocks)."""
    sla = complaint_sla(c, now, replied) if now is not None else {}
    return sla | {
        "id": c.id,
        "number": c.number,
        "process_instance_id": c.instance_id,
        "customer_name": c.customer_name,
        "customer_phone": c.customer_phone,
        "account": c.account,
        "channel": c.channel,
        "category": c.category,
        "severity": c.severity,
        "special_type": c.special_type,
        "department": c.department,
        "matter": c.matter,
        "demand": c.demand,
        "amount": str(c.amount) if c.amount is not None else None,
        "status": c.status,
        "current_step": c.current_step,
        "satisfaction": c.satisfaction,
        "created_at": c.created_at.isoformat(),
        "updated_at": c.updated_at.isoformat(),
        "closed_at": c.closed_at.isoformat() if c.closed_at else None,
        # the branches: repeats, the outage it belongs to, responsibility and compensation
        "is_repeat": bool(c.is_repeat),
        "repeat_of_id": c.repeat_of_id,
        "reopen_count": c.reopen_count or 0,
        "transfer_count": c.transfer_count or 0,  # 转派
        "return_count": c.return_count or 0,  # 退单
        "outage_incident_id": c.outage_incident_id,
        "responsibility": c.responsibility,
        "compensation_type": c.compensation_type,
        "compensation_amount": str(c.compensation_amount) if c.compensation_amount is not None else None,
        "compensation_status": c.compensation_status,
        "owner_id": c.owner_id,  # 首问责任人
        "promised_at": c.promised_at.isoformat() if c.promised_at else None,
        "promise_kept": c.promise_kept,
    }
