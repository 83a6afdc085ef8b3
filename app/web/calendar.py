"""The working-day calendar in the pages: the warning banner while a year's holiday schedule is missing."""
from __future__ import annotations

from flask import Flask, current_app, g

from ..services import calendar_admin


def calendar_warning() -> dict | None:
    """The years missing an official schedule, for a viewer who keeps the calendar or is escalated to."""
    viewer = getattr(g, "viewer", None)
    if viewer is None or not viewer.can("calendar.warned"):
        return None
    try:
        missing = calendar_admin.years_needing_schedule(current_app.extensions["complaintflow"])
    except Exception:  # noqa: BLE001 - a warning never breaks the page it decorates
        return None
    if not missing:
        return None
    page = "calendar.index" if "calendar.index" in current_app.view_functions else None
    return {"years": "、".join(map(str, missing)), "page": page,
            "may_enter": viewer.can("calendar.edit")}


def init_app(app: Flask) -> None:
    app.jinja_env.globals["calendar_warning"] = calendar_warning
