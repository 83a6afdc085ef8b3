"""Idempotency keys: a POST retried with the same Idempotency-Key gets the first answer, once.

The key's row is written inside the transaction that makes the effect (the first write
transaction of the request that flushes new rows): a key exists exactly when its effect
committed, whatever happens to the process, the connection or the database afterwards. The
answer (status and JSON body) is added in a second short transaction; if that never happens,
a retry rebuilds the answer from the resource the effect created. A concurrent twin of the
request fails on the key's unique constraint, its own effect rolls back, and it answers what
the first one did.
"""
from __future__ import annotations

import contextvars
import hashlib
import json
import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update

from ...models import Complaint, HumanTask, ProcessInstance
from ...models.idempotency import IdempotencyKey
from ..audit.log import appended
from ..runtime import Runtime

log = logging.getLogger(__name__)
_PURGE_CHANCE = 0.01  # one stored answer in a hundred also deletes the expired keys


@dataclass
class Pending:
    """The key of the request being served, until its effect commits."""

    user_id: int
    key: str
    fingerprint: str
    method: str
    path: str
    resource: str | None
    created_at: datetime
    row_id: int | None = None
    committed: bool = False


@dataclass(frozen=True)
class Stored:
    fingerprint: str
    resource: str | None
    status_code: int | None
    response: Any


_pending: contextvars.ContextVar[Pending | None] = contextvars.ContextVar("idempotency_pending", default=None)
_WROTE, _ROW = "complaintflow_idem_wrote", "complaintflow_idem_row"


def fingerprint(method: str, route: str, args: dict[str, Any], body: bytes) -> str:
    """Hash what makes two requests the same: method, route, path arguments and the body (JSON canonicalized)."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    except (ValueError, UnicodeDecodeError):
        canonical = body
    head = json.dumps([method, route, sorted((k, str(v)) for k, v in args.items())]).encode()
    return hashlib.sha256(head + b"\0" + canonical).hexdigest()


def install(db) -> None:
    """Write pending keys inside the write transaction of the request they belong to."""
    db.listen_writes("after_flush", _note_flush)
    db.listen_writes("before_commit", _insert_key)
    db.listen_writes("after_commit", _committed)
    db.listen_writes("after_soft_rollback", _rolled_back)


def begin(pending: Pending) -> contextvars.Token:
    return _pending.set(pending)


def end(token: contextvars.Token) -> None:
    _pending.reset(token)


def note_created(resource: str) -> None:
    """A plain-SQL insert (which flushes nothing) created this, e.g. "instance:7": what a retry is answered from.

    Instances are only inserted that way (services/instances.insert_instance); complaints go through
    the ORM, and _note_flush names them.
    """
    p = _pending.get()
    if p is not None and p.row_id is None and p.resource is None:
        p.resource = resource


def _note_flush(session, _ctx) -> None:
    p = _pending.get()
    if p is None or p.row_id is not None:
        return
    for obj in session.new:
        if isinstance(obj, Complaint):
            p.resource = f"complaint:{obj.id}"  # over an instance's: a registration answers with the complaint
        elif isinstance(obj, IdempotencyKey):
            continue
        session.info[_WROTE] = True


def _insert_key(session) -> None:
    p = _pending.get()
    if p is None or p.row_id is not None:
        return
    if session.new or session.dirty or session.deleted:
        session.flush()  # before_commit runs before commit's own flush: see what this transaction creates
    wrote = session.info.pop(_WROTE, False)
    if not (wrote or appended(session)):  # every effect is audited; plain-SQL writes flush nothing
        return
    row = IdempotencyKey(user_id=p.user_id, key=p.key, fingerprint=p.fingerprint, method=p.method,
                         path=p.path[:512], resource=p.resource, created_at=p.created_at)
    session.add(row)
    session.flush()  # a twin that committed first makes this raise IntegrityError: the effect rolls back
    p.row_id = row.id
    session.info[_ROW] = p


def _committed(session) -> None:
    p = session.info.pop(_ROW, None)
    if p is not None:
        p.committed = True


def _rolled_back(session, previous_transaction) -> None:
    if previous_transaction.nested:
        return
    session.info.pop(_WROTE, None)
    p = session.info.pop(_ROW, None)
    if p is not None:
        p.row_id = None  # the key's row went with the rollback


def lookup(rt: Runtime, user_id: int, key: str) -> Stored | None:
    """The stored key of this user, if any."""
    with rt.db.read() as s:
        row = s.scalars(select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)).first()
        if row is None:
            return None
        if row.created_at < rt.clock.now() - timedelta(hours=rt.settings.get("IDEMPOTENCY_HOURS", 24)):
            return None  # expired: the key may be used again
        return Stored(row.fingerprint, row.resource, row.status_code, row.response)


def store_answer(rt: Runtime, p: Pending, status: int, body: Any) -> None:
    """Keep the answer for retries; a failure here only means a retry rebuilds it."""
    try:
        with rt.db.write() as s:
            s.execute(update(IdempotencyKey).where(IdempotencyKey.id == p.row_id)
                      .values(status_code=status, response=body))
            if random.random() < _PURGE_CHANCE:
                cutoff = rt.clock.now() - timedelta(hours=rt.settings.get("IDEMPOTENCY_HOURS", 24))
                s.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff))
    except Exception as exc:  # noqa: BLE001 - the effect is committed; the client gets its answer anyway
        log.warning("could not store the answer of idempotency key %s: %s", p.key, exc)


def rebuild(rt: Runtime, resource: str | None) -> tuple[Any, int]:
    """The answer of a committed request whose stored answer was lost, from what it created."""
    from ..instances.store import describe_instance
    from ..tasks.work import task_summary

    kind, _, ident = (resource or "").partition(":")
    with rt.db.read() as s:
        if kind == "complaint":
            c = s.get(Complaint, int(ident))
            return {"id": c.id, "number": c.number, "process_instance_id": c.instance_id, "status": c.status}, 201
        if kind == "task":
            t = s.get(HumanTask, ident)
            inst = s.get(ProcessInstance, t.instance_id)
            ready = s.scalars(select(HumanTask).where(HumanTask.instance_id == t.instance_id, HumanTask.state == "ready")
                              .order_by(HumanTask.created_at)).all()
            return {"instance_id": t.instance_id, "status": "completed" if inst.status == "completed" else "running",
                    "next_tasks": [task_summary(rt, r) for r in ready]}, 200
    if kind == "instance":
        return describe_instance(rt, int(ident)), 201
    raise LookupError(f"cannot answer again for {resource!r}")
