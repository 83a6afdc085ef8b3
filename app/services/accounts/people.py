"""People as the workspace shows them: a user's profile, the directory for transfers, locales."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from ...errors import Invalid, NotFound
from ...models import Group, User
from ..runtime import Runtime

LOCALES = ("zh-CN", "en")


def profile(rt: Runtime, user_id: int) -> dict[str, Any]:
    """Display name, locale and groups of one user."""
    with rt.db.read() as s:
        user = s.get(User, user_id)
        if user is None:
            raise NotFound(f"user {user_id} does not exist")
        return {
            "id": user.id,
            "username": user.username,
            "display_name": user.display_name,
            "locale": user.locale,
            "groups": sorted(user.group_codes),
        }


def set_locale(rt: Runtime, user_id: int, locale: str) -> None:
    """Remember a user's language for their next sign-in."""
    if locale not in LOCALES:
        raise Invalid("unknown locale", [{"field": "locale", "message": f"one of {', '.join(LOCALES)}"}])
    with rt.db.write() as s:
        s.execute(update(User).where(User.id == user_id).values(locale=locale))


def directory(rt: Runtime) -> dict[str, list[dict[str, Any]]]:
    """Active users and the groups, for choosing whom to transfer a task to."""
    with rt.db.read() as s:
        users = [
            {"id": u.id, "username": u.username, "display_name": u.display_name, "groups": sorted(u.group_codes)}
            for u in s.scalars(select(User).where(User.active.is_(True)).order_by(User.username))
        ]
        groups = [
            {"code": g.code, "name_zh": g.name_zh, "name_en": g.name_en, "kind": g.kind}
            for g in s.scalars(select(Group).order_by(Group.id))
        ]
    return {"users": users, "groups": groups}
