"""Trust in the trail: re-check hash chains (one instance or all) and log who read personal data.

`audit.verify_chain` checks one instance; `verify_all` streams every event of every instance in
(instance, seq) order through the same check, so a million events need no more memory than one
event. The access log (AccessLog, append-only like the trail) records each reading of a
complaint's personal data and each export of search results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable, Mapping

from sqlalchemy import func, select

from ...domain.clock import local_midnight
from ...domain.typed_days import typed_day
from ...errors import Forbidden, Invalid, NotFound
from ...models import AccessLog, AuditEvent, Complaint, ProcessInstance
from .log import GENESIS, ChainCheck, _fields, event_hash
from ..runtime import Runtime
from ...domain.actors import Viewer


MAX_ID = 2**31 - 1  # ids are 32-bit columns
VIAS = ("web", "api", "cli")


@dataclass
class BrokenChain:
    instance_id: int
    check: ChainCheck
    event_type: str | None = None
    event_at: str | None = None


@dataclass
class Verification:
    instances: int = 0
    events: int = 0
    broken: list[BrokenChain] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.broken


class _Chain:
    """The running check of one instance's chain, fed its events in seq order."""

    def __init__(self, instance_id: int):
        self.instance_id, self.prev, self.count, self.result = instance_id, GENESIS, 0, None
        self.bad_event: AuditEvent | None = None

    def feed(self, e: AuditEvent) -> None:
        if self.result is not None:
            return
        self.count += 1
        expected = self.count
        if e.seq != expected:
            self.result = ChainCheck(False, self.count, expected, f"event {expected} is missing")
        elif e.prev_hash != self.prev:
            self.result = ChainCheck(False, self.count, e.seq, "its link to the previous event is broken")
        elif event_hash(self.prev, _fields(e)) != e.hash:
            self.result = ChainCheck(False, self.count, e.seq, "its content was changed after it was written")
        if self.result is not None:
            self.bad_event = e
        else:
            self.prev = e.hash

    def finish(self) -> ChainCheck:
        return self.result or ChainCheck(True, self.count)


def check_events(instance_id: int, events: Iterable[AuditEvent]) -> tuple[ChainCheck, AuditEvent | None]:
    """Check one instance's events (seq order); the result and the first bad event, if any."""
    chain = _Chain(instance_id)
    for e in events:
        chain.feed(e)
    return chain.finish(), chain.bad_event


def verify_instance(rt: Runtime, instance_id: int) -> dict[str, Any]:
    """Re-check one instance's chain; name the first broken event (seq, type, time) if any."""
    with rt.db.read() as s:
        if s.get(ProcessInstance, instance_id) is None:
            raise NotFound(f"process instance {instance_id} does not exist", code="instance.not_found")
        events = s.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.seq))
        check, bad = check_events(instance_id, events)
        return check_view(instance_id, check, bad)


def check_view(instance_id: int, check: ChainCheck, bad: AuditEvent | None) -> dict[str, Any]:
    return {
        "instance_id": instance_id,
        "ok": check.ok,
        "checked": check.checked,
        "first_broken_seq": check.first_broken_seq,
        "reason": check.reason or None,
        "event_type": bad.type if bad is not None and check.first_broken_seq == bad.seq else None,
        "event_at": bad.at.isoformat() if bad is not None and check.first_broken_seq == bad.seq else None,
    }


def verify_all(rt: Runtime, progress: Callable[[int], None] | None = None, batch: int = 5000) -> Verification:
    """Re-check every instance's chain, streaming events in (instance, seq) order."""
    out = Verification()
    with rt.db.read() as s:
        total = s.scalar(select(func.count()).select_from(ProcessInstance)) or 0
        q = select(AuditEvent).order_by(AuditEvent.instance_id, AuditEvent.seq).execution_options(yield_per=batch)
        chain: _Chain | None = None
        for e in s.scalars(q):
            if chain is None or e.instance_id != chain.instance_id:
                if chain is not None:
                    _close(out, chain, progress)
                chain = _Chain(e.instance_id)
            chain.feed(e)
            out.events += 1
        if chain is not None:
            _close(out, chain, progress)
        # Instances whose whole trail is gone: every instance writes instance.started at once.
        empty = s.scalars(
            select(ProcessInstance.id).where(
                ~select(AuditEvent.id).where(AuditEvent.instance_id == ProcessInstance.id).exists()
            )
        )
        for iid in empty:
            out.instances += 1
            out.broken.append(BrokenChain(iid, ChainCheck(False, 0, 1, "event 1 is missing")))
    out.instances = max(out.instances, total)
    return out


def _close(out: Verification, chain: _Chain, progress) -> None:
    out.instances += 1
    check = chain.finish()
    if not check.ok:
        bad = chain.bad_event
        same = bad is not None and bad.seq == check.first_broken_seq
        out.broken.append(
            BrokenChain(chain.instance_id, check, bad.type if same else None, bad.at.isoformat() if same else None)
        )
    if progress is not None:
        progress(1)


# -- who read personal data -----------------------------------------------------------------------


def record_access(
    rt: Runtime,
    viewer: Viewer,
    action: str,
    via: str,
    *,
    complaint_id: int | None = None,
    instance_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one access-log row in its own short transaction."""
    with rt.db.write() as s:
        if complaint_id is None and instance_id is not None:
            complaint_id = s.scalar(select(Complaint.id).where(Complaint.instance_id == instance_id))
        s.add(
            AccessLog(
                at=rt.clock.now(),
                user_id=viewer.id,
                actor=viewer.name,
                action=action,
                via=via,
                complaint_id=complaint_id,
                instance_id=instance_id,
                detail=detail,
            )
        )


def access_view(a: AccessLog, number: str | None = None) -> dict[str, Any]:
    return {
        "id": a.id,
        "at": a.at.isoformat(),
        "actor": a.actor,
        "user_id": a.user_id,
        "action": a.action,
        "via": a.via,
        "complaint_id": a.complaint_id,
        "complaint_number": number,
        "instance_id": a.instance_id,
        "detail": a.detail,
    }


@dataclass(frozen=True)
class AccessFilter:
    """The access log's filters (all optional): whose reading, of which complaint, what, how, when."""

    complaint_id: int | None = None
    number: str | None = None  # a complaint number: the same as its complaint_id
    user_id: int | None = None
    actor: str | None = None  # a username
    action: str | None = None
    via: str | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    before_id: int | None = None  # keyset paging: rows older than this one

    @classmethod
    def parse(cls, args: Mapping[str, str]) -> "AccessFilter":
        """From query-string values; Invalid names every bad field. from/to are the operator's local days."""
        errors: list[dict[str, str]] = []
        out: dict[str, Any] = {}
        for name, key in (("complaint_id", "complaint_id"), ("user_id", "user_id"), ("before_id", "before")):
            raw = (args.get(key) or "").strip()
            if raw:
                if raw.isascii() and raw.isdigit() and int(raw) <= MAX_ID:
                    out[name] = int(raw)
                else:
                    errors.append(
                        {"field": key, "message": f"an integer from 0 to {MAX_ID}", "code": "field.bad_number"}
                    )
        for name, key in (("number", "number"), ("actor", "user"), ("action", "action")):
            raw = (args.get(key) or "").strip()
            if len(raw) > 64:
                errors.append(
                    {"field": key, "message": "at most 64 characters", "code": "field.too_long", "params": {"n": 64}}
                )
            elif raw:
                out[name] = raw
        via = (args.get("via") or "").strip()
        if via and via not in VIAS:
            errors.append({"field": "via", "message": "one of " + ", ".join(VIAS), "code": "field.choose"})
        elif via:
            out["via"] = via
        for name, key, shift in (("since", "from", 0), ("until", "to", 1)):
            raw = (args.get(key) or "").strip()
            if raw:
                day = typed_day(raw)
                if day is None:
                    errors.append(
                        {
                            "field": key,
                            "message": "a date like 2026-03-02, from 2000 to 2099",
                            "code": "report.bad_date",
                        }
                    )
                else:
                    out[name] = local_midnight(day + timedelta(days=shift))
        if errors:
            raise Invalid("bad access-log filter", errors)
        return cls(**out)


def require_access_reader(viewer: Viewer) -> None:
    if not viewer.can("access_log.read"):
        raise Forbidden("the access log is for managers, supervisors and directors", code="access_log.not_allowed")


def list_access(
    rt: Runtime,
    *,
    complaint_id: int | None = None,
    user_id: int | None = None,
    limit: int = 50,
    where: AccessFilter | None = None,
) -> list[dict[str, Any]]:
    """The access log, newest first, filtered (one complaint, one user, an action, a channel, a period)."""
    f = where or AccessFilter()
    q = select(AccessLog, Complaint.number).outerjoin(Complaint, Complaint.id == AccessLog.complaint_id)
    complaint_id = complaint_id if complaint_id is not None else f.complaint_id
    user_id = user_id if user_id is not None else f.user_id
    if complaint_id is not None:
        q = q.where(AccessLog.complaint_id == complaint_id)
    if f.number:
        q = q.where(Complaint.number == f.number)
    if user_id is not None:
        q = q.where(AccessLog.user_id == user_id)
    if f.actor:
        q = q.where(AccessLog.actor == f.actor)
    if f.action:
        q = q.where(AccessLog.action == f.action)
    if f.via:
        q = q.where(AccessLog.via == f.via)
    if f.since is not None:
        q = q.where(AccessLog.at >= f.since)
    if f.until is not None:
        q = q.where(AccessLog.at < f.until)
    if f.before_id is not None:
        q = q.where(AccessLog.id < f.before_id)
    with rt.db.read() as s:
        rows = s.execute(q.order_by(AccessLog.id.desc()).limit(max(1, min(limit, 500))))
        return [access_view(a, number) for a, number in rows]
