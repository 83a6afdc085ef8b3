"""Browser sessions kept on the server: sign-out, idle time and the absolute limit end them for good.

The signed cookie carries a random session id and nothing that grants access by itself; the
database keeps its SHA-256. A cookie copied before sign-out (or after its limits) names a row
that no longer exists or has run out, so it is refused on every host at once.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from datetime import timedelta

from sqlalchemy import delete, select, update

from ...models import WebSession
from ..runtime import Runtime

# last_seen_at is written at most this often per session: idle time is measured to the minute
# without turning every page view into a write.
TOUCH_EVERY = timedelta(minutes=1)
_PURGE_CHANCE = 0.05


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _limits(rt: Runtime) -> tuple[timedelta, timedelta]:
    return (
        timedelta(minutes=rt.settings.get("SESSION_IDLE_MINUTES", 120)),
        timedelta(hours=rt.settings.get("SESSION_HOURS", 10)),
    )


def start(rt: Runtime, user_id: int) -> str:
    """Open a session for a user who just proved their password; return the id for the cookie."""
    token = secrets.token_urlsafe(32)
    now = rt.clock.now()
    idle, absolute = _limits(rt)
    with rt.db.write() as s:
        s.add(WebSession(token_hash=_digest(token), user_id=user_id, created_at=now, last_seen_at=now))
        if random.random() < _PURGE_CHANCE:
            s.execute(
                delete(WebSession).where(
                    (WebSession.last_seen_at <= now - idle) | (WebSession.created_at <= now - absolute)
                )
            )
    return token


def resolve(rt: Runtime, token: str | None) -> tuple[int | None, str | None]:
    """(user id, None) for a live session; (None, why) when it is unknown, idle too long or too old."""
    if not token:
        return None, "unknown"
    now = rt.clock.now()
    idle, absolute = _limits(rt)
    with rt.db.read() as s:
        row = s.execute(
            select(WebSession.id, WebSession.user_id, WebSession.created_at, WebSession.last_seen_at).where(
                WebSession.token_hash == _digest(token)
            )
        ).first()
    if row is None:
        return None, "unknown"
    why = "expired" if now - row.created_at > absolute else "idle" if now - row.last_seen_at > idle else None
    if why:
        end(rt, token)
        return None, why
    if now - row.last_seen_at >= TOUCH_EVERY:
        with rt.db.write() as s:
            s.execute(update(WebSession).where(WebSession.id == row.id).values(last_seen_at=now))
    return row.user_id, None


def end(rt: Runtime, token: str | None) -> None:
    """End one session (sign-out): its id is refused from now on."""
    if token:
        with rt.db.write() as s:
            s.execute(delete(WebSession).where(WebSession.token_hash == _digest(token)))
