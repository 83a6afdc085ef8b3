"""Managers' pages: instance search (saved searches, export), the instance page, the dashboard, the regulator's view."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, flash, redirect, render_template, request, stream_with_context, url_for

from ..domain.reporting import QUARTER
from ..errors import Invalid, ServiceError
from ..services.reporting.people import team_figures
from ..services.reporting.satisfaction import rating_dimensions
from ..services.reporting import (
    exports,
    instance_audit,
    dashboard as reports,
    regulator as regulator_report,
    saved_searches,
    search,
)
from ..services.audit import trail
from ..services.instances import service_incidents
from ..services.steps import print_log
from ..services.reporting.search import InstanceQuery
from .access import capability_required, runtime, viewer
from .nav import NavItem, add_item
from .refusals import field_errors
from .i18n import N_

bp = Blueprint("reports", __name__, url_prefix="/reports")
FILTERS = (
    "number",
    "phone",
    "status",
    "category",
    "channel",
    "severity",
    "department",
    "assignee",
    "sla",
    "version",
    "created_from",
    "created_to",
    "closed_from",
    "closed_to",
    "sort",
    "order",
)


def _query() -> tuple[InstanceQuery | None, dict[str, str], dict[str, str]]:
    args = {k: request.args.get(k, "") for k in (*FILTERS, "after") if request.args.get(k)}
    try:
        return InstanceQuery.parse(args), args, {}
    except Invalid as exc:
        return None, args, field_errors(exc)


@bp.get("/instances")
@capability_required("report.read")
def instances():
    """Search every instance by its complaint's fields, SLA state, version and dates."""
    q, args, errors = _query()
    page = (
        search.search_instances(runtime(), viewer(), q, via="web")
        if q
        else {"items": [], "total": 0, "total_capped": False, "next": None}
    )
    params = {k: v for k, v in args.items() if k != "after"}
    return render_template(
        "reports/instances.html",
        page=page,
        args=args,
        params=params,
        errors=errors,
        saved=saved_searches.list_saved(runtime(), viewer()),
    )


@bp.get("/instances/export.<fmt>")
@capability_required("report.read")
def export(fmt: str):
    """The whole result as CSV or Excel, streamed; recorded in the access log."""
    q, _, errors = _query()
    if q is None or fmt not in exports.MEDIA:
        return redirect(url_for(".instances", **request.args))
    body = exports.export(runtime(), viewer(), q, fmt, "web")
    name = f"complaints-{runtime().clock.now():%Y%m%d-%H%M%S}.{fmt}"
    return Response(
        stream_with_context(body),
        headers={
            "Content-Type": exports.MEDIA[fmt],
            "Cache-Control": "no-store",
            "Content-Disposition": f'attachment; filename="{name}"',
        },
    )


@bp.post("/instances/saved")
@capability_required("report.read")
def save():
    """Save the current filters under a name."""
    params = {k: v for k, v in request.form.items() if k in FILTERS and v}
    try:
        saved_searches.save_search(runtime(), viewer(), request.form.get("name", ""), params)
        flash(N_("audit.saved"), "success")
    except ServiceError:
        flash(N_("audit.save_failed"), "error")
    return redirect(url_for(".instances", **params))


@bp.post("/instances/saved/<int:search_id>/delete")
@capability_required("report.read")
def delete_saved(search_id: int):
    """Delete one of my saved searches."""
    saved_searches.delete_search(runtime(), viewer(), search_id)
    return redirect(url_for(".instances"))


@bp.get("/instances/<int:instance_id>")
@capability_required("report.read")
def instance(instance_id: int):
    """One instance end to end: the marked diagram, the steps, the timeline, the record, the clocks."""
    data = instance_audit.instance_audit(runtime(), viewer(), instance_id, via="web")
    check = trail.verify_instance(runtime(), instance_id) if request.args.get("verify") else None
    # Timers name the step they guard by its id: show the step's name, as the steps table does.
    step_names = {s["element_id"]: s["name"] for s in data.get("tasks", []) if s.get("name")}
    v = viewer()
    incidents = (
        service_incidents.list_incidents(runtime(), v, instance_id, status=None)
        if v.can(service_incidents.CAPABILITY)
        else None
    )
    log = print_log.read_log(runtime(), v, instance_id) if v.can(print_log.CAPABILITY) else None
    return render_template(
        "reports/instance.html", d=data, check=check, step_names=step_names, incidents=incidents, log=log
    )


@bp.post("/instances/<int:instance_id>/incidents/<int:incident_id>/retry")
@capability_required(service_incidents.CAPABILITY)
def retry_incident(instance_id: int, incident_id: int):
    """Run a failed service task again; the page says whether it passed or failed again."""
    got = service_incidents.retry_incident(runtime(), viewer(), incident_id)
    if got["status"] == "resolved":
        flash(N_("incident.retried_ok"), "success")
    else:
        flash(N_("incident.retried_failed"), "error")
    return redirect(url_for(".instance", instance_id=instance_id) + "#incidents")


@bp.get("")
@capability_required("report.read")
def index():
    """The dashboard: volume, distributions, steps, outcomes, now; filtered by period, category, department."""
    today = reports.today(runtime())
    try:
        f = reports.ReportFilter.parse(request.args, today)
        errors = {}
    except Invalid as exc:
        f, errors = reports.ReportFilter.parse({}, today), field_errors(exc)
    data = reports.dashboard(runtime(), viewer(), f)
    return render_template(
        "reports/dashboard.html", data=data, f=f, errors=errors, diagram=instance_audit.current_diagram_xml(runtime())
    )


@bp.get("/team")
@capability_required("report.people")
def team():
    """Per agent and per department: handled, on time, satisfaction, repeat, reopen (team leaders only)."""
    today = reports.today(runtime())
    try:
        f = reports.ReportFilter.parse(request.args, today)
    except Invalid:
        flash(N_("reports.bad_period"), "error")
        f = reports.ReportFilter.parse({}, today)
    return render_template(
        "reports/team.html",
        data=team_figures(runtime(), viewer(), f),
        ratings=rating_dimensions(runtime(), viewer(), f),
        f=f,
    )


@bp.get("/regulator")
@capability_required("report.read")
def regulator():
    """Complaints per million subscribers by the regulator's categories, and replies within the limit."""
    first, last = regulator_report.recent_quarters(reports.today(runtime()))
    first, last = request.args.get("from") or first, request.args.get("to") or last
    if not (QUARTER.match(first) and QUARTER.match(last)):
        flash(N_("reports.bad_quarter"), "error")
        first, last = regulator_report.recent_quarters(reports.today(runtime()))
    return render_template(
        "reports/regulator.html",
        view=regulator_report.regulator_view(runtime(), viewer(), first, last),
        first=first,
        last=last,
    )


ACCESS_FILTERS = ("number", "user", "action", "via", "from", "to")
ACCESS_ACTIONS = (
    "complaint.viewed",
    "complaints.listed",
    "task.viewed",
    "instance.viewed",
    "instance.events_viewed",
    "personal_data.revealed",
    "customer.looked_up",
    "inbox.searched",
    "search.by_phone",
    "search.exported",
    "appeal.viewed",
    "appeals.listed",
    "evidence.opened",
)
ACCESS_PAGE = 100


@bp.get("/access-log")
@capability_required("access_log.read")
def access_log():
    """Who read which customer's personal data: filter by complaint number, user, action, channel and days."""
    args = {k: request.args.get(k, "").strip() for k in (*ACCESS_FILTERS, "before") if request.args.get(k, "").strip()}
    try:
        where, errors = trail.AccessFilter.parse(args), {}
    except Invalid as exc:
        where, errors = None, field_errors(exc)
    rows = trail.list_access(runtime(), limit=ACCESS_PAGE, where=where) if where is not None else []
    params = {k: v for k, v in args.items() if k != "before"}
    older = rows[-1]["id"] if len(rows) == ACCESS_PAGE else None
    return render_template(
        "reports/access_log.html",
        rows=rows,
        args=args,
        params=params,
        errors=errors,
        actions=ACCESS_ACTIONS,
        older=older,
    )


def _short(text: str) -> str:
    """网络质量（信号、通话、宽带速率） -> 网络质量: dense tables and filters want the name only."""
    return text.split("（")[0].split(" (")[0]


def short_options(field: str) -> list[dict]:
    from .labels import options

    return [o | {"label": _short(o["label"])} for o in options(field)]


def short_label(field: str, value) -> str:
    from .labels import label

    return _short(label(field, value))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    add_item(app, NavItem("reports.instances", N_("nav.audit"), "report.read", order=45, pages=("reports.instance",)))
    add_item(app, NavItem("reports.access_log", N_("nav.access_log"), "access_log.read", order=47))
    app.jinja_env.globals.update(short_options=short_options, short_label=short_label)
