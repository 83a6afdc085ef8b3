"""Move running instances to another version of their process, one or a selection, dry run first.

Each instance is checked on its own (app/engine/migration.py: SpiffWorkflow's spec diff, then the
migration run on a copy and verified); a dry run reports and changes nothing; a real run saves the
migrated state under the instance's optimistic lock, brings the inbox and timer rows in line,
and appends an audit event per instance (``instance.migrated`` or ``instance.migration_refused``).
"""

from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import select, update

from ...engine import MigrationRefused, check_migration, migrate
from ...errors import Conflict, Forbidden, Invalid, NotFound
from ...models import Complaint, HumanTask, ProcessInstance, ProcessVersion
from ..steps import projection
from ..audit.log import AuditLog
from ..steps.state import status_of
from ..steps.write import Step, write_step
from .store import load_instance
from ..runtime import Runtime
from ...domain.actors import Viewer

MAX_BATCH = 500


def _require_owner(viewer: Viewer) -> None:
    if not viewer.can("instance.migrate"):
        raise Forbidden("only process owners migrate instances", code="migration.not_owner")


def _version_id(rt: Runtime, process_id: str, version: int | None) -> tuple[int, int]:
    with rt.db.read() as s:
        q = select(ProcessVersion.id, ProcessVersion.version).where(ProcessVersion.process_id == process_id)
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
    return row.id, row.version


def _result(instance_id: int, from_version: int | None, to_version: int, dry_run: bool, **extra) -> dict[str, Any]:
    return {
        "instance_id": instance_id,
        "from_version": from_version,
        "to_version": to_version,
        "dry_run": dry_run,
        **extra,
    }


def migrate_instance(
    rt: Runtime, viewer: Viewer, instance_id: int, to_version: int | None = None, dry_run: bool = True
) -> dict[str, Any]:
    """Check (dry run) or move one instance to a version of its process (the current one by default)."""
    _require_owner(viewer)
    loaded = load_instance(rt, instance_id)
    from_version = loaded.model.version
    target_id, target_version = _version_id(rt, loaded.model.process_id, to_version)
    if loaded.status != "running":
        return _result(
            instance_id,
            from_version,
            target_version,
            dry_run,
            safe=False,
            migrated=False,
            reasons=[f"the instance is {loaded.status}, not running"],
        )
    if _suspended(rt, instance_id):
        return _result(
            instance_id,
            from_version,
            target_version,
            dry_run,
            safe=False,
            migrated=False,
            reasons=["the complaint is suspended; resume it first"],
        )
    if target_id == loaded.model.version_id:
        return _result(
            instance_id,
            from_version,
            target_version,
            dry_run,
            safe=False,
            migrated=False,
            reasons=[f"the instance already runs on version {target_version}"],
        )
    target = rt.model(target_id)
    if dry_run:
        check = check_migration(loaded.inst, target.bundle)
        return _result(instance_id, from_version, target_version, True, migrated=False, **check.as_dict())
    try:
        moved, check = migrate(loaded.inst, target.bundle)
    except MigrationRefused as exc:
        _audit_refusal(rt, viewer, instance_id, from_version, target_version, exc.reasons)
        return _result(
            instance_id, from_version, target_version, False, safe=False, migrated=False, reasons=exc.reasons
        )
    _save(rt, viewer, loaded, moved, target, check.as_dict())
    return _result(instance_id, from_version, target_version, False, migrated=True, **check.as_dict())


def _suspended(rt: Runtime, instance_id: int) -> bool:
    with rt.db.read() as s:
        return s.scalar(select(Complaint.suspended_at).where(Complaint.instance_id == instance_id)) is not None


def _save(rt: Runtime, viewer: Viewer, loaded, moved, target, details: dict[str, Any]) -> None:
    now = rt.clock.now()
    with rt.db.write() as s:
        result = s.execute(
            update(ProcessInstance)
            .where(
                ProcessInstance.id == loaded.row_id,
                ProcessInstance.version == loaded.version,
                ProcessInstance.status == "running",
            )
            .values(
                state=moved.dump(),
                version=loaded.version + 1,
                status=status_of(moved),
                process_version_id=target.version_id,
                updated_at=now,
                completed_at=now if moved.completed else None,
            )
        )
        if result.rowcount != 1:
            raise Conflict("the instance was changed by someone else; check it again", code="task.changed")
        # the ready tasks keep their ids; their name, lane and form follow the new version
        for view in moved.ready_tasks():
            s.execute(
                update(HumanTask)
                .where(HumanTask.id == view.id, HumanTask.state == "ready")
                .values(name=view.name, lane=view.lane, form=view.form)
            )

        def audit(log: AuditLog, changes: projection.Changes) -> None:
            log.append(
                "instance.migrated",
                at=now,
                actor=viewer.name,
                actor_id=viewer.id,
                before={"process_version": loaded.model.version},
                after={
                    "process_version": target.version,
                    "changed": details["changed"],
                    "ready": details["ready_after"],
                    "timers_kept": details["timers_kept"],
                },
            )
            for row in changes.created_tasks:
                log.append(
                    "task.ready",
                    at=now,
                    actor=viewer.name,
                    actor_id=viewer.id,
                    task_id=row.id,
                    element_id=row.element_id,
                    element_name=row.name,
                    after={"candidate_group": row.candidate_group},
                )
            if moved.completed:
                log.append("instance.completed", at=now, actor=viewer.name, actor_id=viewer.id)

        write_step(s, rt, Step(loaded.row_id, moved, now), audit)  # the UPDATE above wrote the state


def _audit_refusal(
    rt: Runtime, viewer: Viewer, instance_id: int, from_version: int, to_version: int, reasons: list[str]
) -> None:
    with rt.db.write() as s:
        AuditLog(s, instance_id).append(
            "instance.migration_refused",
            at=rt.clock.now(),
            actor=viewer.name,
            actor_id=viewer.id,
            reason="; ".join(reasons)[:2000],
            before={"process_version": from_version},
            after={"process_version": to_version},
        )


def running_on_other_versions(rt: Runtime, process_id: str, to_version_id: int) -> list[int]:
    """Ids of the running instances of a process that are not on the given version."""
    with rt.db.read() as s:
        return list(
            s.scalars(
                select(ProcessInstance.id)
                .where(
                    ProcessInstance.process_id == process_id,
                    ProcessInstance.status == "running",
                    ProcessInstance.process_version_id != to_version_id,
                )
                .order_by(ProcessInstance.id)
            )
        )


def migrate_many(
    rt: Runtime,
    viewer: Viewer,
    process_id: str,
    to_version: int | None = None,
    instance_ids: Iterable[int] | None = None,
    dry_run: bool = True,
) -> dict[str, Any]:
    """Check or migrate a selection (default: every running instance of the process on another version)."""
    _require_owner(viewer)
    target_id, target_version = _version_id(rt, process_id, to_version)
    ids = list(instance_ids) if instance_ids is not None else running_on_other_versions(rt, process_id, target_id)
    if len(ids) > MAX_BATCH:
        raise Invalid(
            "too many instances",
            [
                {
                    "field": "instance_ids",
                    "message": f"at most {MAX_BATCH} at a time",
                    "code": "migration.too_many",
                    "params": {"n": MAX_BATCH},
                }
            ],
        )
    items = []
    for instance_id in ids:
        try:
            with rt.db.read() as s:
                owner = s.scalar(select(ProcessInstance.process_id).where(ProcessInstance.id == instance_id))
            if owner is None:
                raise NotFound(f"process instance {instance_id} does not exist", code="instance.not_found")
            if owner != process_id:
                items.append(
                    _result(
                        instance_id,
                        None,
                        target_version,
                        dry_run,
                        safe=False,
                        migrated=False,
                        reasons=[f"the instance runs process '{owner}', not '{process_id}'"],
                    )
                )
                continue
            items.append(migrate_instance(rt, viewer, instance_id, target_version, dry_run))
        except (NotFound, Conflict) as exc:
            items.append(
                _result(instance_id, None, target_version, dry_run, safe=False, migrated=False, reasons=[exc.detail])
            )
    return {
        "process_id": process_id,
        "to_version": target_version,
        "dry_run": dry_run,
        "items": items,
        "migrated": sum(1 for i in items if i.get("migrated")),
        "safe": sum(1 for i in items if i.get("safe")),
    }
