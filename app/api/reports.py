"""Managers' API: instance search and export, an instance's audit view and chain check, saved
searches, the dashboard, the regulator's view and the access log."""

from __future__ import annotations

from datetime import date

from flask import Response, jsonify, request, stream_with_context

from ..domain.reporting import QUARTER
from ..errors import Invalid, NotFound
from ..services.reporting import (
    exports,
    instance_audit,
    dashboard as reports,
    regulator as regulator_report,
    saved_searches,
    search,
)
from ..services.audit import trail
from ..services.reporting.people import team_figures
from ..services.reporting.periodicity import periodicity as period_figures
from ..services.reporting.satisfaction import progress_figures, rating_dimensions
from ..services.reporting.satisfaction_factors import satisfaction_factors as factors_report
from ..services.reporting.search import InstanceQuery
from ..services.accounts.visibility import require_instance
from . import bp, json_body, runtime, viewer
from .tasks import _int_arg


@bp.get("/process-instances")
def search_instances():
    """Search instances with their complaints; keyset-paged (pass `next` back as `after`)."""
    return jsonify(search.search_instances(runtime(), viewer(), InstanceQuery.parse(request.args)))


@bp.get("/process-instances/export")
def export_instances():
    """The whole result of a search as CSV or Excel, streamed; recorded in the access log."""
    fmt = request.args.get("format", "csv")
    body = exports.export(runtime(), viewer(), InstanceQuery.parse(request.args), fmt, "api")
    return export_response(body, fmt, runtime().clock.now())


def export_response(body, fmt: str, now) -> Response:
    name = f"complaints-{now.strftime('%Y%m%d-%H%M%S')}.{fmt}"
    return Response(
        stream_with_context(body),
        mimetype=exports.MEDIA[fmt].split(";")[0],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Content-Type": exports.MEDIA[fmt],
            "Cache-Control": "no-store",
        },
    )


def _id(value: int, what: str) -> int:
    if value > search.MAX_INT:  # past the integer columns: no such row (and no database error)
        raise NotFound(f"{what} {value} does not exist")
    return value


@bp.get("/process-instances/<int:instance_id>/audit")
def instance_audit_view(instance_id: int):
    """Everything an auditor sees of an instance; recorded in the access log."""
    _id(instance_id, "process instance")
    return jsonify(instance_audit.instance_audit(runtime(), viewer(), instance_id, via="api"))


@bp.get("/process-instances/<int:instance_id>/chain")
def verify_chain(instance_id: int):
    """Re-check the instance's hash chain; name the first broken event."""
    _id(instance_id, "process instance")
    require_instance(runtime(), viewer(), instance_id)
    return jsonify(trail.verify_instance(runtime(), instance_id))


@bp.get("/saved-searches")
def list_saved_searches():
    """The caller's saved searches."""
    return jsonify({"items": saved_searches.list_saved(runtime(), viewer())})


@bp.post("/saved-searches")
def save_search():
    """Save (or replace by name) a search's filters."""
    body = json_body()
    return jsonify(saved_searches.save_search(runtime(), viewer(), body.get("name"), body.get("params"))), 201


@bp.delete("/saved-searches/<int:search_id>")
def delete_saved_search(search_id: int):
    """Delete one of the caller's saved searches."""
    _id(search_id, "saved search")
    saved_searches.delete_search(runtime(), viewer(), search_id)
    return "", 204


@bp.get("/reports/dashboard")
def dashboard():
    """Every dashboard figure for a period (from, to) and optional category and department."""
    f = reports.ReportFilter.parse(request.args, reports.today(runtime()))
    return jsonify(reports.dashboard(runtime(), viewer(), f))


@bp.get("/reports/people")
def people():
    """Per agent and per department: handled, on time, satisfaction, repeat, reopen (team leaders only)."""
    f = reports.ReportFilter.parse(request.args, reports.today(runtime()))
    return jsonify(team_figures(runtime(), viewer(), f))


@bp.get("/reports/satisfaction")
def satisfaction():
    """The survey's four ratings by department, category, channel, owning agent and month (team leaders only)."""
    f = reports.ReportFilter.parse(request.args, reports.today(runtime()))
    return jsonify(rating_dimensions(runtime(), viewer(), f, request.args.get("channel") or None))


@bp.get("/reports/satisfaction/factors")
def satisfaction_factors():
    """Satisfaction by band of handling time, step breaches, transfers/returns and reopenings, with Spearman's rho
    and n per factor (null below the minimum sample); filters as the four ratings (team leaders only)."""
    f = reports.ReportFilter.parse(request.args, reports.today(runtime()))
    return jsonify(factors_report(runtime(), viewer(), f, request.args.get("channel") or None))


@bp.get("/reports/satisfaction/in-progress")
def satisfaction_in_progress():
    """The in-progress sample's surveys sent in the period, apart from the closing survey: asked, answered,
    satisfied, flagged low and the four ratings, per department and in all (team leaders only)."""
    f = reports.ReportFilter.parse(request.args, reports.today(runtime()))
    return jsonify(progress_figures(runtime(), viewer(), f, request.args.get("channel") or None))


@bp.get("/reports/periodicity")
def periodicity():
    """Volume by hour × weekday for the period; categories whose volume on `day` (default: the period's last day)
    departs from the same weekday of the four weeks before."""
    f = reports.ReportFilter.parse(request.args, reports.today(runtime()))
    raw = request.args.get("day")
    try:
        day = date.fromisoformat(raw) if raw else f.date_to
    except ValueError:
        raise Invalid("bad day", [{"field": "day", "message": "a date like 2026-03-02"}]) from None
    return jsonify(period_figures(runtime(), viewer(), f, day))


@bp.get("/reports/regulator")
def regulator():
    """Complaints per million subscribers by regulator category, and replies within the limit, per quarter."""
    first, last = regulator_report.recent_quarters(reports.today(runtime()))
    first, last = request.args.get("from") or first, request.args.get("to") or last
    for name, value in (("from", first), ("to", last)):
        if not QUARTER.match(value):
            raise Invalid("bad quarter", [{"field": name, "message": "a quarter like 2026-Q1"}])
    return jsonify(regulator_report.regulator_view(runtime(), viewer(), first, last))


@bp.get("/access-log")
def access_log():
    """Who read which complaint's personal data, newest first (managers); filtered by complaint_id, number,
    user_id, user, action, via, from/to (local days), paged by `before` (the last row's id)."""
    trail.require_access_reader(viewer())
    where = trail.AccessFilter.parse(request.args)
    return jsonify({"items": trail.list_access(runtime(), limit=_int_arg("limit") or 50, where=where)})
