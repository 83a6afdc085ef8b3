"""A user's saved inbox views: a name and the tab and filters it opens with, kept per user."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ...domain.actors import Viewer
from ...errors import Invalid
from ...models import UserSetting
from ..runtime import Runtime
from .inbox import TABS

VIEWS = "inbox.views"
FIELDS = ("tab", "q", "category", "severity", "step")
MAX_VIEWS = 12
MAX_NAME = 40


def list_views(rt: Runtime, viewer: Viewer) -> list[dict[str, Any]]:
    """The viewer's views in the order they saved them: [{name, filters}]."""
    with rt.db.read() as s:
        return list(
            s.scalar(select(UserSetting.value).where(UserSetting.user_id == viewer.id, UserSetting.name == VIEWS)) or []
        )


def save_view(rt: Runtime, viewer: Viewer, name: Any, filters: dict[str, Any]) -> list[dict[str, Any]]:
    """Save (or replace, by name) a view of the inbox; the tab must exist, empty filters are dropped."""
    name = str(name or "").strip()
    if not name or len(name) > MAX_NAME:
        raise Invalid(
            "bad view name",
            [
                {
                    "field": "name",
                    "message": f"1 to {MAX_NAME} characters",
                    "code": "inbox.bad_view_name",
                    "params": {"n": MAX_NAME},
                }
            ],
        )
    kept = {k: str(v) for k, v in filters.items() if k in FIELDS and v}
    if kept.get("tab", "all") not in TABS:
        raise Invalid(
            "unknown tab", [{"field": "tab", "message": f"one of {', '.join(TABS)}", "code": "inbox.unknown_tab"}]
        )
    with rt.db.write() as s:
        row = s.get(UserSetting, (viewer.id, VIEWS))
        views = [v for v in (row.value if row else []) if v["name"] != name]
        if len(views) >= MAX_VIEWS:
            raise Invalid(
                "too many views",
                [
                    {
                        "field": "name",
                        "message": f"at most {MAX_VIEWS} views",
                        "code": "inbox.too_many_views",
                        "params": {"n": MAX_VIEWS},
                    }
                ],
            )
        views.append({"name": name, "filters": kept})
        if row is None:
            s.add(UserSetting(user_id=viewer.id, name=VIEWS, value=views))
        else:
            row.value = views  # a new list: the JSON column sees the change
        return views


def delete_view(rt: Runtime, viewer: Viewer, name: str) -> None:
    """Forget one of the viewer's views (nothing happens for a name they do not have)."""
    with rt.db.write() as s:
        row = s.get(UserSetting, (viewer.id, VIEWS))
        if row is not None:
            row.value = [v for v in row.value if v["name"] != name]
