"""People as the workspace shows them: a user's profile, the directory for transfers, locales, time zones."""

from __future__ import annotations

import functools
from typing import Any
from zoneinfo import available_timezones

from sqlalchemy import select, update

from ...errors import Invalid, NotFound
from ...models import Group, User, UserSetting
from ..runtime import Runtime

LOCALES = ("zh-CN", "en")
TIME_ZONE = "display.time_zone"  # the user_setting row: the IANA zone the pages show times in


def profile(rt: Runtime, user_id: int) -> dict[str, Any]:
    """Display name, locale and groups of one user."""
    with rt.db.read() as s:
        user = s.get(User, user_id)
        if user is None:
            raise NotFound(f"user {user_id} does not exist", code="user.not_found")
        return {
            "id": user.id,
            "username": user.username,
            "display_name": user.display_name,
            "locale": user.locale,
            "time_zone": zone.value if (zone := s.get(UserSetting, (user_id, TIME_ZONE))) else None,
            "groups": sorted(user.group_codes),
        }


def set_locale(rt: Runtime, user_id: int, locale: str) -> None:
    """Remember a user's language for their next sign-in."""
    if locale not in LOCALES:
        raise Invalid(
            "unknown locale",
            [{"field": "locale", "message": f"one of {', '.join(LOCALES)}", "code": "settings.unknown_locale"}],
        )
    with rt.db.write() as s:
        s.execute(update(User).where(User.id == user_id).values(locale=locale))


@functools.cache
def time_zones() -> frozenset[str]:
    """The IANA zone names a user may choose (tzdata's list, read once)."""
    return frozenset(available_timezones())


def set_time_zone(rt: Runtime, user_id: int, zone: str) -> None:
    """Remember the zone a user reads times in (display only: deadlines keep the operator's zone)."""
    if zone not in time_zones():
        raise Invalid(
            "unknown time zone",
            [
                {
                    "field": "time_zone",
                    "message": "an IANA zone name, e.g. Asia/Shanghai",
                    "code": "settings.unknown_time_zone",
                }
            ],
        )
    with rt.db.write() as s:
        row = s.get(UserSetting, (user_id, TIME_ZONE))
        if row is None:
            s.add(UserSetting(user_id=user_id, name=TIME_ZONE, value=zone))
        else:
            row.value = zone


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
