"""Users, groups, passwords and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import lru_cache
from typing import Iterable

from sqlalchemy import delete, select
from werkzeug.security import check_password_hash, generate_password_hash

from ...domain.groups import GROUPS
from ...errors import Invalid, Unauthorized
from ...models import ApiToken, Group, User
from ...plain_sql import Sql, read_time
from ..runtime import Runtime
from ...domain.actors import Viewer

# The PASSWORD_HASH setting's values as werkzeug methods. scrypt is slow on purpose; the test
# suite signs in thousands of times and asks for one PBKDF2 round (config refuses it outside tests).
_METHODS = {"scrypt": "scrypt", "fast-for-tests": "pbkdf2:sha256:1"}


@lru_cache(maxsize=None)
def _dummy_hash(method: str) -> str:
    """Checked against when the username is unknown, so timing does not reveal which usernames exist."""
    return generate_password_hash("complaintflow-dummy", method=_METHODS[method])


def viewer_of(user: User) -> Viewer:
    return Viewer(user.id, user.username, frozenset(user.group_codes))


def ensure_groups(rt: Runtime) -> None:
    """Create the standard groups that do not exist yet."""
    with rt.db.write() as s:
        have = set(s.scalars(select(Group.code)))
        for g in GROUPS:
            if g.code not in have:
                s.add(Group(code=g.code, name_zh=g.name_zh, name_en=g.name_en, kind=g.kind))


def hash_password(password: str, method: str = "scrypt") -> str:
    """Hash a password (scrypt unless the PASSWORD_HASH setting says otherwise); refuse ones too short."""
    if len(password) < 8:
        raise Invalid(
            "password too short",
            [
                {
                    "field": "password",
                    "message": "at least 8 characters",
                    "code": "user.password_short",
                    "params": {"n": 8},
                }
            ],
        )
    return generate_password_hash(password, method=_METHODS[method])


def create_user(
    rt: Runtime,
    username: str,
    password: str | None,
    display_name: str,
    groups: Iterable[str],
    locale: str = "zh-CN",
    password_hash: str | None = None,
) -> int:
    """Create a user in the given groups; the groups must exist."""
    password_hash = password_hash or hash_password(password or "", rt.settings["PASSWORD_HASH"])
    with rt.db.write() as s:
        if s.scalar(select(User.id).where(User.username == username)) is not None:
            raise Invalid(
                "username taken",
                [
                    {
                        "field": "username",
                        "message": f"'{username}' already exists",
                        "code": "user.username_taken",
                        "params": {"name": username},
                    }
                ],
            )
        wanted = list(groups)
        found = list(s.scalars(select(Group).where(Group.code.in_(wanted))))
        unknown = set(wanted) - {g.code for g in found}
        if unknown:
            raise Invalid(
                "unknown group",
                [
                    {
                        "field": "groups",
                        "message": f"unknown: {', '.join(sorted(unknown))}",
                        "code": "user.unknown_groups",
                        "params": {"names": ", ".join(sorted(unknown))},
                    }
                ],
            )
        user = User(
            username=username,
            display_name=display_name,
            password_hash=password_hash,
            active=True,
            locale=locale,
            created_at=rt.clock.now(),
            groups=found,
        )
        s.add(user)
        s.flush()
        return user.id


def authenticate(rt: Runtime, username: str, password: str, address: str | None = None) -> Viewer:
    """Return the viewer for a username and password, or raise Unauthorized (TooManyRequests while slowed).

    ``address`` is where the try comes from (the client's IP): sign_in_limits counts per address too.
    """
    from . import sign_in_limits

    sign_in_limits.refuse_if_slowed(rt, username, address)
    try:
        viewer = _check_password(rt, username, password)
    except Unauthorized:
        sign_in_limits.record_failure(rt, username, address)
        raise
    sign_in_limits.record_success(rt, username, address)
    return viewer


def _check_password(rt: Runtime, username: str, password: str) -> Viewer:
    with rt.db.read() as s:
        user = s.scalars(select(User).where(User.username == username)).first()
        if user is None or not user.active:
            check_password_hash(_dummy_hash(rt.settings["PASSWORD_HASH"]), password or "")
            raise Unauthorized("wrong username or password", code="auth.wrong_password")
        if not check_password_hash(user.password_hash, password or ""):
            raise Unauthorized("wrong username or password", code="auth.wrong_password")
        return viewer_of(user)


def issue_token(rt: Runtime, viewer: Viewer) -> dict[str, str]:
    """Create an API token for a signed-in user; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    now = rt.clock.now()
    expires = now + timedelta(hours=rt.settings["TOKEN_TTL_HOURS"])
    with rt.db.write() as s:
        s.add(ApiToken(user_id=viewer.id, token_hash=_digest(token), created_at=now, expires_at=expires))
    return {"token": token, "expires_at": expires.isoformat()}


# Every API call runs this: one statement of plain SQL (app/plain_sql.py) instead of three ORM loads.
_TOKEN_VIEWER = Sql(
    "SELECT u.id, u.username, t.expires_at, g.code FROM api_token t JOIN app_user u ON u.id = t.user_id"
    " LEFT JOIN user_group ug ON ug.user_id = u.id LEFT JOIN user_group_def g ON g.id = ug.group_id"
    " WHERE t.token_hash = :digest AND u.active = TRUE"
)


def viewer_for_token(rt: Runtime, token: str) -> Viewer:
    """The user a bearer token belongs to, or Unauthorized.

    Read from the database on every call: a token revoked, a user deactivated or moved to other
    groups by another worker or host is refused (or seen so) at once. Only what is made from the
    rows read (the expiry parsed, the Viewer built) is remembered per worker, keyed by those rows.
    """
    with rt.db.plain() as db:
        rows = db.rows(_TOKEN_VIEWER, {"digest": _digest(token)})
    if not rows:
        raise Unauthorized("the token is unknown or expired", code="auth.token_invalid")
    key = tuple(rows)
    made = _MADE.get(key)
    if made is None:
        made = (read_time(rows[0][2]), Viewer(rows[0][0], rows[0][1], frozenset(r[3] for r in rows if r[3])))
        if len(_MADE) >= _MADE_MAX:
            _MADE.clear()  # a worker sees a few thousand live tokens at most; start again rather than grow
        _MADE[key] = made
    if made[0] <= rt.clock.now():
        raise Unauthorized("the token is unknown or expired", code="auth.token_invalid")
    return made[1]


# (user id, username, expiry, group) rows of a token -> (the expiry parsed, the Viewer): both immutable.
_MADE: dict[tuple, tuple] = {}
_MADE_MAX = 4096


def revoke_token(rt: Runtime, token: str) -> bool:
    """Revoke one bearer token (the client signs out); False when it was unknown already."""
    with rt.db.write() as s:
        return bool(s.execute(delete(ApiToken).where(ApiToken.token_hash == _digest(token))).rowcount)


def revoke_tokens(rt: Runtime, user_id: int) -> int:
    """Revoke every bearer token of a user (they signed out of the pages); return how many."""
    with rt.db.write() as s:
        return s.execute(delete(ApiToken).where(ApiToken.user_id == user_id)).rowcount or 0


def viewer_by_id(rt: Runtime, user_id: int) -> Viewer | None:
    with rt.db.read() as s:
        user = s.get(User, user_id)
        return viewer_of(user) if user is not None and user.active else None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
