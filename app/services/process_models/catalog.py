"""The model library: deployed processes and their versions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ...errors import NotFound
from ...models import Complaint, ProcessInstance, ProcessVersion, User
from ..runtime import Runtime


def list_models(rt: Runtime) -> list[dict[str, Any]]:
    """Every process with its versions, newest first, and how many instances run on each."""
    with rt.db.read() as s:
        running = dict(
            s.execute(
                select(ProcessInstance.process_version_id, func.count())
                .where(ProcessInstance.status == "running")
                .group_by(ProcessInstance.process_version_id)
            ).all()
        )
        rows = s.execute(
            select(ProcessVersion, User.username)
            .outerjoin(User, User.id == ProcessVersion.deployed_by_id)
            .order_by(ProcessVersion.process_id, ProcessVersion.version.desc())
        ).all()
    out: dict[str, dict[str, Any]] = {}
    for v, who in rows:
        entry = out.setdefault(v.process_id, {"process_id": v.process_id, "name": v.name, "versions": []})
        if v.is_current:  # the name of the version that runs, not of a newer one held back
            entry["name"] = v.name
        entry["versions"].append(
            {
                "version": v.version,
                "hash": v.hash,
                "note": v.note,
                "deployed_by": who,
                "deployed_at": v.deployed_at.isoformat(),
                "is_current": v.is_current,
                "source": v.source,
                "running_instances": running.get(v.id, 0),
                "files": sorted(v.files),
            }
        )
    for entry in out.values():
        entry["newer_file_version"] = _newer_file_version(entry["versions"])
    return list(out.values())


def _newer_file_version(versions: list[dict[str, Any]]) -> int | None:
    """A version deployed from processes/ after the current one, held back because an owner's is current."""
    current = next((v["version"] for v in versions if v["is_current"]), None)
    newest_file = next((v for v in versions if v["source"] == "files"), None)  # versions are newest first
    if current is None or newest_file is None or newest_file["is_current"] or newest_file["version"] < current:
        return None
    return newest_file["version"]


def version_file(rt: Runtime, process_id: str, version: int, name: str) -> str:
    """One file (diagram, form, DMN) of a deployed version, as it was uploaded."""
    with rt.db.read() as s:
        files = s.scalar(
            select(ProcessVersion.files).where(
                ProcessVersion.process_id == process_id, ProcessVersion.version == version
            )
        )
    if files is None:
        raise NotFound(
            f"process '{process_id}' has no version {version}",
            code="process.version_not_found",
            params={"process": process_id, "version": version},
        )
    if name not in files:
        raise NotFound(
            f"version {version} of '{process_id}' has no file '{name}'",
            code="process.file_not_found",
            params={"process": process_id, "version": version, "file": name},
        )
    return files[name]


def main_file(rt: Runtime, process_id: str, version: int | None = None) -> tuple[int, str, str]:
    """(version, file name, text) of a version's main diagram; the current version by default."""
    with rt.db.read() as s:
        q = select(ProcessVersion.version, ProcessVersion.bpmn_file, ProcessVersion.files).where(
            ProcessVersion.process_id == process_id
        )
        q = (
            q.where(ProcessVersion.version == version)
            if version is not None
            else q.where(ProcessVersion.is_current.is_(True))
        )
        row = s.execute(q.order_by(ProcessVersion.version.desc()).limit(1)).first()
    if row is None and version is None:
        raise NotFound(f"process '{process_id}' has no current version", code="process.not_deployed")
    if row is None:
        raise NotFound(
            f"process '{process_id}' has no version {version}",
            code="process.version_not_found",
            params={"process": process_id, "version": version},
        )
    return row.version, row.bpmn_file, row.files[row.bpmn_file]


def running_instances(rt: Runtime, process_id: str, limit: int = 200) -> list[dict[str, Any]]:
    """The running instances of a process with their version, newest first (for choosing what to migrate)."""
    with rt.db.read() as s:
        rows = s.execute(
            select(
                ProcessInstance.id,
                ProcessVersion.version,
                ProcessInstance.created_at,
                Complaint.number,
                Complaint.current_step,
            )
            .join(ProcessVersion, ProcessVersion.id == ProcessInstance.process_version_id)
            .outerjoin(Complaint, Complaint.instance_id == ProcessInstance.id)
            .where(ProcessInstance.process_id == process_id, ProcessInstance.status == "running")
            .order_by(ProcessInstance.id.desc())
            .limit(limit)
        ).all()
    return [
        {
            "id": r.id,
            "version": r.version,
            "created_at": r.created_at.isoformat(),
            "complaint": r.number,
            "step": r.current_step,
        }
        for r in rows
    ]
