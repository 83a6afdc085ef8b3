"""Slow down password guessing without letting a stranger lock anyone out.

Three counts of wrong passwords within SIGN_IN_WINDOW_MINUTES, kept in the database so that they
hold whichever host a load balancer sends the next try to:

- per username and address: SIGN_IN_MAX_FAILURES free tries, then each try waits 1, 2, 4... s
  (up to SIGN_IN_MAX_DELAY_SECONDS) after the last failure;
- per username, from addresses it never signed in from: the same, across every address, so a
  guesser spreading over many addresses is slowed as one;
- per address, over every username: SIGN_IN_ADDRESS_FAILURES free tries, then the same delays,
  so trying many usernames from one place is slowed.

An address where the user has signed in with the right password before is exempt from the last
two: strangers' failures elsewhere never slow the user at their own desk. A try that must still
wait is refused (429 with Retry-After) before the password is checked and is not counted.
Unknown usernames are counted like known ones, so the limits do not reveal which exist.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from ...domain.client_addresses import limit_key
from ...domain.sign_in_delays import seconds_left
from ...errors import TooManyRequests
from ...models import SignInAddress, SignInFailure
from ..runtime import Runtime

_PURGE_CHANCE = 0.02


def _window(rt: Runtime) -> timedelta:
    return timedelta(minutes=rt.settings.get("SIGN_IN_WINDOW_MINUTES", 15))


def _key(username: str) -> str:
    return username[:64]


def _addr(address: str | None) -> str:
    return limit_key(address)


def refuse_if_slowed(rt: Runtime, username: str, address: str | None) -> None:
    """Raise TooManyRequests (retry_after seconds) while this try must still wait."""
    free = rt.settings.get("SIGN_IN_MAX_FAILURES", 10)
    free_address = rt.settings.get("SIGN_IN_ADDRESS_FAILURES", 20)
    cap = rt.settings.get("SIGN_IN_MAX_DELAY_SECONDS", 300)
    if free <= 0:
        return
    now = rt.clock.now()
    since = now - _window(rt)
    user, addr = _key(username), _addr(address)
    counted = select(func.count(), func.max(SignInFailure.at)).where(SignInFailure.at > since)
    with rt.db.read() as s:
        checks = [
            (*s.execute(counted.where(SignInFailure.username == user, SignInFailure.address == addr)).one(), free)
        ]
        known = (
            s.scalar(select(SignInAddress.id).where(SignInAddress.username == user, SignInAddress.address == addr))
            is not None
        )
        if not known:
            checks.append((*s.execute(counted.where(SignInFailure.username == user)).one(), free))
            checks.append((*s.execute(counted.where(SignInFailure.address == addr)).one(), free_address))
    wait = max(seconds_left(count, limit, cap, last, now) for count, last, limit in checks)
    if wait > 0:
        raise TooManyRequests(
            "too many wrong passwords; wait before trying again",
            code="auth.slowed",
            params={"seconds": wait},
            retry_after=wait,
        )


def record_failure(rt: Runtime, username: str, address: str | None) -> None:
    now = rt.clock.now()
    with rt.db.write() as s:
        s.add(SignInFailure(username=_key(username), address=_addr(address), at=now))
        if random.random() < _PURGE_CHANCE:
            s.execute(delete(SignInFailure).where(SignInFailure.at <= now - _window(rt)))


def record_success(rt: Runtime, username: str, address: str | None) -> None:
    """Forget this address's failures for the user and remember the address as theirs."""
    now = rt.clock.now()
    user, addr = _key(username), _addr(address)
    try:
        with rt.db.write() as s:
            s.execute(delete(SignInFailure).where(SignInFailure.username == user, SignInFailure.address == addr))
            row = s.scalars(
                select(SignInAddress).where(SignInAddress.username == user, SignInAddress.address == addr)
            ).first()
            if row is None:
                s.add(SignInAddress(username=user, address=addr, at=now))
            else:
                row.at = now
    except IntegrityError:  # two first sign-ins from one address at once: the other one remembered it
        pass
