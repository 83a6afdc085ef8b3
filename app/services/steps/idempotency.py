"""Idempotency keys: a POST retried with the same Idempotency-Key gets the first answer, once.

The key's row is written inside the transaction that makes the effect (``record``, called by the
write path and by the few idempotent writes that are not a step): a key exists exactly when its effect
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
from sqlalchemy.orm import Session

from ...models.idempotency import IdempotencyKey
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
    row_id: int | None = None  # set once the key's row is written (the request's effect is then committed)


@dataclass(frozen=True)
class Stored:
    fingerprint: str
    resource: str | None
    status_code: int | None
    response: Any


_pending: contextvars.ContextVar[Pending | None] = contextvars.ContextVar("idempotency_pending", default=None)


def fingerprint(method: str, route: str, args: dict[str, Any], body: bytes) -> str:
    """Hash what makes two requests the same: method, route, path arguments and the body (JSON canonicalized)."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    except (ValueError, UnicodeDecodeError):
        canonical = body
    head = json.dumps([method, route, sorted((k, str(v)) for k, v in args.items())]).encode()
    return hashlib.sha256(head + b"\0" + canonical).hexdigest()


def begin(pending: Pending) -> contextvars.Token:
    return _pending.set(pending)


def end(token: contextvars.Token) -> None:
    _pending.reset(token)


def record(s: Session, resource: str | None = None) -> None:
    """Write the key of the request being served, if any, in the transaction of its effect (the write path's last write).

    resource names what the effect made ("complaint:3", "instance:7") unless the request named it already
    ("task:<id>"); a retry whose stored answer was lost is answered from it. A twin request that committed
    first makes the flush raise IntegrityError: this effect rolls back with it.
    """
    p = _pending.get()
    if p is None or p.row_id is not None:
        return  # no key, or this request's key was written by an earlier write of the same request
    if p.resource is None:
        p.resource = resource
    row = IdempotencyKey(
        user_id=p.user_id,
        key=p.key,
        fingerprint=p.fingerprint,
        method=p.method,
        path=p.path[:512],
        resource=p.resource,
        created_at=p.created_at,
    )
    s.add(row)
    s.flush()
    p.row_id = row.id


def lookup(rt: Runtime, user_id: int, key: str) -> Stored | None:
    """The stored key of this user, if any."""
    with rt.db.read() as s:
        row = s.scalars(
            select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
        ).first()
        if row is None:
            return None
        if row.created_at < rt.clock.now() - timedelta(hours=rt.settings.get("IDEMPOTENCY_HOURS", 24)):
            return None  # expired: the key may be used again
        return Stored(row.fingerprint, row.resource, row.status_code, row.response)


def store_answer(rt: Runtime, p: Pending, status: int, body: Any) -> None:
    """Keep the answer for retries; a failure here only means a retry rebuilds it."""
    try:
        with rt.db.write() as s:
            s.execute(
                update(IdempotencyKey).where(IdempotencyKey.id == p.row_id).values(status_code=status, response=body)
            )
            if random.random() < _PURGE_CHANCE:
                cutoff = rt.clock.now() - timedelta(hours=rt.settings.get("IDEMPOTENCY_HOURS", 24))
                s.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff))
    except Exception as exc:  # noqa: BLE001 - the effect is committed; the client gets its answer anyway
        log.warning("could not store the answer of idempotency key %s: %s", p.key, exc)
