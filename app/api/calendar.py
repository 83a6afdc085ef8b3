"""The working-day calendar: overrides, a year's official schedule, the years still needing one."""

from __future__ import annotations

from flask import jsonify

from ..errors import Invalid
from ..services.sla import calendar_admin
from . import bp, json_body, runtime, viewer
from .tasks import _int_arg


@bp.get("/calendar/overrides")
def list_calendar_overrides():
    """Overrides (optionally of one year), official years, and the years needing a schedule."""
    year = _int_arg("year")
    if year is not None and not 2000 <= year <= 9999:
        raise Invalid("bad year", [{"field": "year", "message": "a year from 2000 to 9999"}])
    return jsonify(calendar_admin.overview(runtime(), year))


@bp.post("/calendar/overrides")
def set_calendar_override():
    """Declare one day a working day or a day off (process owners)."""
    body = json_body()
    return jsonify(
        calendar_admin.set_override(runtime(), viewer(), body.get("day"), body.get("is_workday"), body.get("name", ""))
    ), 201


@bp.delete("/calendar/overrides/<day>")
def remove_calendar_override(day: str):
    """Remove one day's override (process owners)."""
    calendar_admin.remove_override(runtime(), viewer(), day)
    return "", 204


@bp.post("/calendar/schedules")
def import_calendar_schedule():
    """Enter a year's official schedule from the State Council notice text; recompute provisional deadlines."""
    body = json_body()
    return jsonify(
        calendar_admin.import_schedule(
            runtime(), viewer(), body.get("year"), body.get("text"), body.get("form", "auto")
        )
    ), 201


@bp.post("/calendar/recompute")
def recompute_calendar_deadlines():
    """Recompute every open provisional deadline with the calendar as it is now (process owners)."""
    return jsonify(calendar_admin.recompute_provisional(runtime(), viewer()))


@bp.get("/calendar/status")
def calendar_status():
    """The years (this and next) whose official schedule is missing and the open provisional deadlines."""
    return jsonify(calendar_admin.status(runtime()))
