"""Refuse sign-in for a username after too many wrong passwords, counted in the database.

The count lives in the ``sign_in_failure`` table, not in a process, so the limit is the same
whichever host a load balancer sends the next try to. Unknown usernames are counted like known
ones, so the limit does not reveal which usernames exist. A correct password clears the count.
"""
from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import delete, func, select

from ...errors import TooManyRequests
from ...models import SignInFailure
from ..runtime import Runtime

_PURGE_CHANCE = 0.02


def _window(rt: Runtime) -> timedelta:
    return timedelta(minutes=rt.settings.get("SIGN_IN_WINDOW_MINUTES", 15))


def refuse_if_locked(rt: Runtime, username: str) -> int:
    """Raise TooManyRequests while the username has SIGN_IN_MAX_FAILURES failures within the window; else their count."""
    limit = rt.settings.get("SIGN_IN_MAX_FAILURES", 10)
    if limit <= 0:
        return 0
    now = rt.clock.now()
    with rt.db.read() as s:
        count, oldest = s.execute(select(func.count(), func.min(SignInFailure.at))
                                  .where(SignInFailure.username == username[:64],
                                         SignInFailure.at > now - _window(rt))).one()
    if count >= limit:
        wait = max(1, int((oldest + _window(rt) - now).total_seconds()) + 1)
        raise TooManyRequests("too many wrong passwords for this username; try again later", retry_after=wait)
    return count


def record_failure(rt: Runtime, username: str) -> None:
    now = rt.clock.now()
    with rt.db.write() as s:
        s.add(SignInFailure(username=username[:64], at=now))
        if random.random() < _PURGE_CHANCE:
            s.execute(delete(SignInFailure).where(SignInFailure.at <= now - _window(rt)))


def clear(rt: Runtime, username: str) -> None:
    with rt.db.write() as s:
        s.execute(delete(SignInFailure).where(SignInFailure.username == username[:64]))
