"""Need to know: who works a complaint (and so sees its customer), masks for everyone else, the logged reveal.

A viewer works a complaint when one of its tasks is in one of their groups, or they hold, held or
completed one, or they registered it. Everyone else who may open the complaint (overseers,
auditors) sees its personal data masked (domain.personal_data) and, if the policy entitles them
(`personal_data.reveal`), asks for the data with a reason; the reveal is written to the access log.
"""

from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import or_, select

from ...domain.personal_data import PERSONAL_FIELDS, mask_record
from ...errors import Forbidden, Invalid, NotFound
from ...models import Complaint, HumanTask
from ..audit.trail import record_access
from ..instances import store as instances
from ..runtime import Runtime
from ...domain.actors import Viewer
from .visibility import require_instance, visible_complaint

MAX_REASON = 500


def worked_instances(s, viewer: Viewer, instance_ids: Iterable[int | None]) -> set[int]:
    """Of these instances, those the viewer works (one query, in the caller's session)."""
    ids = sorted({i for i in instance_ids if i is not None})
    if not ids:
        return set()
    by_task = s.scalars(
        select(HumanTask.instance_id)
        .distinct()
        .where(
            HumanTask.instance_id.in_(ids),
            or_(
                HumanTask.candidate_group.in_(viewer.groups),
                HumanTask.assignee_id == viewer.id,
                HumanTask.completed_by_id == viewer.id,
            ),
        )
    )
    by_registration = s.scalars(
        select(Complaint.instance_id).where(Complaint.instance_id.in_(ids), Complaint.created_by_id == viewer.id)
    )
    return set(by_task) | set(by_registration)


def works_on(rt: Runtime, viewer: Viewer, instance_id: int | None) -> bool:
    """Whether the viewer works this instance's complaint."""
    if instance_id is None:
        return False
    with rt.db.read() as s:
        return instance_id in worked_instances(s, viewer, [instance_id])


def guard(record: dict[str, Any], shown: bool) -> dict[str, Any]:
    """The record as this viewer may see it: personal fields masked unless shown; says which."""
    out = record if shown else mask_record(record)
    return out | {"personal_data": "shown" if shown else "masked"}


def reveal(rt: Runtime, viewer: Viewer, complaint_id: int, reason: Any, via: str) -> dict[str, Any]:
    """The complaint's personal data for an entitled viewer, with a reason that goes to the access log."""
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise Invalid(
            "a reason is required",
            [{"field": "reason", "message": "必填 / required: why you need the data", "code": "field.required"}],
        )
    if len(text) > MAX_REASON:
        raise Invalid(
            "the reason is too long",
            [
                {
                    "field": "reason",
                    "message": f"at most {MAX_REASON} characters",
                    "code": "field.too_long",
                    "params": {"n": MAX_REASON},
                }
            ],
        )
    with rt.db.read() as s:
        c = visible_complaint(s, viewer, complaint_id)
        if c is None:
            raise NotFound(f"complaint {complaint_id} does not exist", code="complaint.not_found")
        works = c.instance_id in worked_instances(s, viewer, [c.instance_id])
        data = {f: getattr(c, f, None) for f in PERSONAL_FIELDS if hasattr(c, f)}
        instance_id = c.instance_id
    if not (works or viewer.can("personal_data.reveal")):
        raise Forbidden(
            "only supervisors, directors and managers reveal a customer's data", code="privacy.reveal_not_allowed"
        )
    record_access(
        rt,
        viewer,
        "personal_data.revealed",
        via,
        complaint_id=complaint_id,
        instance_id=instance_id,
        detail={"reason": text},
    )
    return {"complaint_id": complaint_id, **data}


def read_instance(rt: Runtime, viewer: Viewer, instance_id: int, via: str) -> dict[str, Any]:
    """An instance's status and data for a viewer who may see it, masked unless they work it; logged."""
    require_instance(rt, viewer, instance_id)
    shown = works_on(rt, viewer, instance_id)
    record_access(
        rt,
        viewer,
        "instance.viewed",
        via,
        instance_id=instance_id,
        detail={"personal_data": "shown" if shown else "masked"},
    )
    out = instances.describe_instance(rt, instance_id)
    return guard(out, shown)


def read_events(rt: Runtime, viewer: Viewer, instance_id: int, via: str) -> list[dict[str, Any]]:
    """An instance's audit trail for a viewer who may see it, the data in it masked unless they work it; logged."""
    require_instance(rt, viewer, instance_id)
    shown = works_on(rt, viewer, instance_id)
    record_access(
        rt,
        viewer,
        "instance.events_viewed",
        via,
        instance_id=instance_id,
        detail={"personal_data": "shown" if shown else "masked"},
    )
    events = instances.list_events(rt, instance_id)
    return events if shown else [mask_record(e) for e in events]
