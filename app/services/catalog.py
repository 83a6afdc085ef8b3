"""The model library: deployed processes and their versions."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ..models import ProcessInstance, ProcessVersion, User
from .runtime import Runtime


def list_models(rt: Runtime) -> list[dict[str, Any]]:
    """Every process with its versions, newest first, and how many instances run on each."""
    with rt.db.read() as s:
        running = dict(s.execute(
            select(ProcessInstance.process_version_id, func.count())
            .where(ProcessInstance.status == "running").group_by(ProcessInstance.process_version_id)
        ).all())
        rows = s.execute(
            select(ProcessVersion, User.username).outerjoin(User, User.id == ProcessVersion.deployed_by_id)
            .order_by(ProcessVersion.process_id, ProcessVersion.version.desc())
        ).all()
    out: dict[str, dict[str, Any]] = {}
    for v, who in rows:
        entry = out.setdefault(v.process_id, {"process_id": v.process_id, "name": v.name, "versions": []})
        entry["versions"].append({
            "version": v.version, "hash": v.hash, "note": v.note, "deployed_by": who,
            "deployed_at": v.deployed_at.isoformat(), "is_current": v.is_current,
            "running_instances": running.get(v.id, 0), "files": sorted(v.files),
        })
    return list(out.values())
