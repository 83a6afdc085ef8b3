"""Improvement actions' pages (list with filters, new, detail and edit) and the periodicity page (hour × weekday
heat map with the baseline alerts beside it); both linked from the dashboard's head."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for

from ..errors import Conflict, Forbidden, Invalid
from ..domain.improvement import CATEGORIES, STATUSES
from ..services.reporting import baseline_alerts, dashboard as reports
from ..services.reporting import improvement_actions as actions
from ..services.reporting import improvement_reading as reading
from ..services.reporting.periodicity import periodicity as period_figures
from .access import capability_required, login_required, runtime, viewer
from .refusals import field_errors
from .i18n import N_

bp = Blueprint("improvement", __name__, url_prefix="/reports")
FIELDS = ("title", "category", "root_cause", "measure", "owner_id", "due_date", "window_days", "complaints")
HEAT_LEVELS = 5


def _errors(exc: Invalid) -> dict[str, str]:
    return field_errors(exc)


@bp.get("/improvement-actions")
@login_required
def index():
    """Actions by status, category, owner and overdue; report readers see all, an owner their own."""
    args = {k: request.args.get(k, "") for k in ("status", "category", "owner_id", "overdue") if request.args.get(k)}
    try:
        filters, errors = reading.parse_filters(args), {}
    except Invalid as exc:
        filters, errors = reading.parse_filters({}), _errors(exc)
    data = reading.list_actions(runtime(), viewer(), filters)
    return render_template(
        "improvement/index.html",
        data=data,
        args=args,
        errors=errors,
        statuses=STATUSES,
        categories=CATEGORIES,
        owners=reading.owner_choices(runtime()) if viewer().can("improvement.read") else [],
    )


@bp.route("/improvement-actions/new", methods=["GET", "POST"])
@capability_required("improvement.manage")
def new():
    """Record an action; a bad field is named and everything typed stays in the form."""
    values, errors, status = {"window_days": "30"}, {}, 200
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in FIELDS}
        try:
            created = actions.create_action(runtime(), viewer(), values)
            flash(N_("improvement.created"), "success")
            return redirect(url_for(".show", action_id=created["id"]))
        except Invalid as exc:
            errors, status = _errors(exc), 422
    return (
        render_template(
            "improvement/new.html",
            values=values,
            errors=errors,
            categories=CATEGORIES,
            owners=reading.owner_choices(runtime()),
        ),
        status,
    )


def _show(action_id: int, values: dict | None = None, errors: dict | None = None, status: int = 200):
    a = reading.get_action(runtime(), viewer(), action_id)
    form = values or {
        **{k: a[k] for k in FIELDS if k in a and k != "complaints"},
        "complaints": " ".join(a["complaints"]),
        "progress": a["progress"],
    }
    return (
        render_template(
            "improvement/show.html",
            a=a,
            values=form,
            errors=errors or {},
            categories=CATEGORIES,
            owners=reading.owner_choices(runtime()) if a["offers"]["edit"] else [],
        ),
        status,
    )


@bp.get("/improvement-actions/<int:action_id>")
@login_required
def show(action_id: int):
    """One action: record, clock, progress, status moves, before/after evaluation, history."""
    return _show(action_id)


@bp.post("/improvement-actions/<int:action_id>")
@login_required
def update(action_id: int):
    """Save the record (overseers) or the progress note (the owner); bad input comes back with everything typed."""
    part = request.form.get("part", "record")
    names = ("progress",) if part == "progress" else FIELDS
    values = {k: request.form.get(k, "") for k in names}
    try:
        actions.update_action(runtime(), viewer(), action_id, values, request.form.get("version"))
    except Invalid as exc:
        current = reading.get_action(runtime(), viewer(), action_id)
        form = {**{k: current.get(k, "") for k in FIELDS}, "complaints": " ".join(current["complaints"])}
        form |= {"progress": current["progress"]} | values
        return _show(action_id, form, _errors(exc), 422)
    except Conflict:
        flash(N_("improvement.conflict"), "error")
        return redirect(url_for(".show", action_id=action_id))
    except Forbidden:
        flash(N_("improvement.forbidden"), "error")
        return redirect(url_for(".show", action_id=action_id))
    flash(N_("improvement.saved"), "success")
    return redirect(url_for(".show", action_id=action_id))


@bp.post("/improvement-actions/<int:action_id>/status")
@login_required
def move(action_id: int):
    """Move the action to another status."""
    try:
        actions.move_action(
            runtime(),
            viewer(),
            action_id,
            request.form.get("status", ""),
            request.form.get("reason", ""),
            request.form.get("version"),
        )
        flash(N_("improvement.moved"), "success")
    except Invalid as exc:
        return _show(action_id, None, _errors(exc), 422)
    except Conflict:
        flash(N_("improvement.conflict"), "error")
    except Forbidden:
        flash(N_("improvement.forbidden"), "error")
    return redirect(url_for(".show", action_id=action_id))


def heat_class(n: int, top: int) -> str:
    """The CSS intensity class of a cell: 0 for none, 1..HEAT_LEVELS by its share of the busiest cell."""
    if n <= 0 or top <= 0:
        return "p0"
    return f"p{max(1, -(-n * HEAT_LEVELS // top))}"


@bp.get("/periodicity")
@capability_required("report.read")
def periodicity():
    """Volume by hour of day × weekday as a heat map; the categories departing from their baseline beside it."""
    today = reports.today(runtime())
    errors: dict[str, str] = {}
    try:
        f = reports.ReportFilter.parse(request.args, today)
    except Invalid as exc:
        f, errors = reports.ReportFilter.parse({}, today), _errors(exc)
    day = f.date_to
    if request.args.get("day"):
        try:
            day = date.fromisoformat(request.args["day"])
        except ValueError:
            errors["day"] = "a date like 2026-03-02"
    data = period_figures(runtime(), viewer(), f, day)
    grid = data["hour_weekday"]
    top = max((n for row in grid for n in row), default=0)
    return render_template(
        "improvement/periodicity.html",
        data=data,
        f=f,
        day=day,
        errors=errors,
        grid=grid,
        top=top,
        heat_class=heat_class,
        row_totals=[sum(row) for row in grid],
        hour_totals=[sum(row[h] for row in grid) for h in range(24)],
        recorded=baseline_alerts.recent_alerts(runtime(), today - timedelta(days=14)),
    )


def _owns_actions_unseen(v) -> bool:
    """An action's owner who does not read the reports: the list of their own actions gets its menu item.

    Report readers reach every action from the reports (its item lights up there)."""
    return not v.can("improvement.read") and reading.owns_any(runtime(), v)


def init_app(app: Flask) -> None:
    from .nav import NavItem, add_item

    app.register_blueprint(bp)
    add_item(
        app,
        NavItem(
            "improvement.index",
            N_("nav.improvement"),
            order=52,
            pages=("improvement.show",),
            shown=_owns_actions_unseen,
        ),
    )
