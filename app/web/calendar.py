"""工作日历: the year at a glance, the override table, the notice import and the recompute; the banner.

Process owners change the calendar; supervisors, directors and managers read it. While this or
next year's official schedule is missing, every page warns the holders of "calendar.warned" (domain.policy).
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, flash, g, redirect, render_template, request, url_for

from ..domain.whole_numbers import whole_number
from ..errors import Invalid
from ..services.sla import calendar_admin, calendar_year
from .access import capability_required, runtime, viewer
from .refusals import error_text, field_error_text
from .i18n import N_, t
from .nav import NavItem, add_item

bp = Blueprint("calendar", __name__, url_prefix="/calendar")
NOTICE_FORMS = ("text", "csv", "json")


def calendar_warning() -> dict | None:
    """The years missing an official schedule, for a viewer who keeps the calendar or is escalated to."""
    v = getattr(g, "viewer", None)
    if v is None or not v.can("calendar.warned"):
        return None
    try:
        missing = calendar_admin.years_needing_schedule(current_app.extensions["complaintflow"])
    except Exception:  # noqa: BLE001 - a warning never breaks the page it decorates
        return None
    if not missing or request.blueprint == "calendar":
        return None
    return {
        "years": "、".join(map(str, missing)),
        "page": "calendar.index",
        "year": missing[0],
        "may_enter": v.can("calendar.edit"),
    }


def _year() -> int:
    value = request.values.get("year", "")
    year = whole_number(value, 2000, 2100)
    if year is not None:
        return year
    missing = calendar_admin.years_needing_schedule(runtime())
    return missing[0] if missing else runtime().clock.now().year


def _page(year: int, status: int = 200, errors: list[dict] | None = None, notice: dict | None = None):
    may_edit = viewer().can("calendar.edit")
    return render_template(
        "calendar/index.html",
        view=calendar_year.year_at_a_glance(runtime(), year),
        overrides=calendar_admin.overview(runtime(), year)["items"],
        may_edit=may_edit,
        errors=errors or [],
        notice=notice or {"form": "text", "text": ""},
        forms=NOTICE_FORMS,
    ), status


@bp.get("")
@capability_required("calendar.read")
def index():
    """The year at a glance, its overrides, and (for owners) the import of its notice."""
    return _page(_year())


@bp.post("/import")
@capability_required("calendar.edit")
def import_notice():
    """Enter the year's State Council notice; an incomplete one is refused with what is missing, text kept."""
    year = _year()
    notice = {"form": request.form.get("form", "text"), "text": request.form.get("text", "")}
    try:
        done = calendar_admin.import_schedule(runtime(), viewer(), year, notice["text"], notice["form"])
    except Invalid as exc:
        # each problem in the reader's language; a library's words (a date's, the JSON parser's) folded below it
        said = [
            {"text": field_error_text(e), "technical": (e.get("params") or {}).get("detail", "")} for e in exc.errors
        ]
        return _page(year, 422, said or [{"text": error_text(exc), "technical": ""}], notice)
    moved = done["recomputed"]
    flash(
        t(
            "calendar.imported",
            year=year,
            days=done["days"],
            timers=moved["timers_moved"],
            deadlines=moved["deadlines_moved"],
        ),
        "success",
    )
    return redirect(url_for("calendar.index", year=year))


@bp.post("/overrides")
@capability_required("calendar.edit")
def set_override():
    """Declare one day a working day or a day off."""
    try:
        done = calendar_admin.set_override(
            runtime(),
            viewer(),
            request.form.get("day"),
            request.form.get("is_workday") == "true",
            request.form.get("name", ""),
        )
        flash(t("calendar.override_set", day=done["day"]), "success")
    except Invalid as exc:
        flash(error_text(exc), "error")
    return redirect(url_for("calendar.index", year=_year()))


@bp.post("/overrides/<day>/delete")
@capability_required("calendar.edit")
def remove_override(day: str):
    """Remove one day's override: the official table or the estimate applies again."""
    calendar_admin.remove_override(runtime(), viewer(), day)
    flash(t("calendar.override_removed", day=day), "success")
    return redirect(url_for("calendar.index", year=_year()))


@bp.post("/recompute")
@capability_required("calendar.edit")
def recompute():
    """Recompute every open provisional deadline with the calendar as it is now; say what moved."""
    done = calendar_admin.recompute_provisional(runtime(), viewer())
    flash(
        t(
            "calendar.recomputed",
            timers=done["timers_moved"],
            deadlines=done["deadlines_moved"],
            still=done["still_provisional"],
        ),
        "success",
    )
    return redirect(url_for("calendar.index", year=_year()))


def init_app(app: Flask) -> None:
    app.jinja_env.globals["calendar_warning"] = calendar_warning
    app.register_blueprint(bp)
    add_item(app, NavItem("calendar.index", N_("nav.calendar"), "calendar.read", order=45))
