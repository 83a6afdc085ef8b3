"""Staff pages of the branches: outage incidents (link, notify, answer all) and appeals (the appeal desk)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..errors import Invalid
from ..services.branches import appeals, outages
from ..services.process_models import forms
from ..services.tasks import work as tasks
from . import schema_form
from .access import login_required, capability_required, runtime, viewer
from .refusals import error_text, field_errors
from .i18n import user_time_zone, t

outages_bp = Blueprint("outages", __name__, url_prefix="/outages")
appeals_bp = Blueprint("appeals", __name__, url_prefix="/appeals")


def _instant(text: str) -> str:
    """A datetime-local value (China time) as an ISO instant; the service names a bad one."""
    from datetime import datetime

    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        return text
    return (at if at.tzinfo else at.replace(tzinfo=user_time_zone())).isoformat()


def _errors(exc: Invalid) -> dict[str, str]:
    return field_errors(exc)


# -- outages -------------------------------------------------------------------------------------------------------
@outages_bp.route("", methods=["GET", "POST"], endpoint="index")
@login_required
def outages_index():
    """Open and resolved incidents; the network department and supervisors open new ones here."""
    errors, values, status = {}, {}, 200
    if request.method == "POST":
        values = {
            k: request.form.get(k, "").strip() for k in ("title", "area", "service", "started_at", "expected_fix_at")
        }
        body = dict(
            values,
            started_at=_instant(values["started_at"]),
            expected_fix_at=_instant(values["expected_fix_at"]) if values["expected_fix_at"] else None,
        )
        try:
            created = outages.create_incident(runtime(), viewer(), body)
            flash(t("outage.created", number=created["number"]), "success")
            return redirect(url_for("outages.show", incident_id=created["id"]))
        except Invalid as exc:
            errors, status = _errors(exc), 422
    items = outages.list_incidents(runtime(), viewer(), request.args.get("status") or None)
    may_write = viewer().can("outage.manage")
    return render_template(
        "outages/index.html", items=items, may_write=may_write, errors=errors, values=values, services=outages.SERVICES
    ), status


@outages_bp.route("/<int:incident_id>", methods=["GET", "POST"], endpoint="show")
@login_required
def outage_show(incident_id: int):
    """One incident: its linked complaints, its notices; post progress, or answer every complaint at once."""
    rt, v = runtime(), viewer()
    if request.method == "POST":
        try:
            if request.form.get("action") == "resolve":
                done = outages.resolve_incident(rt, v, incident_id, request.form.get("resolution"))
                flash(t("outage.resolved", n=done["answered"]), "success" if not done["failed"] else "error")
            else:
                sent = outages.post_notice(rt, v, incident_id, request.form.get("text"))
                flash(t("outage.notice_sent", n=sent["recipients"]), "success")
        except Invalid as exc:
            flash(error_text(exc), "error")
        return redirect(url_for("outages.show", incident_id=incident_id))
    incident = outages.get_incident(rt, v, incident_id)
    return render_template("outages/show.html", incident=incident, may_write=v.can("outage.manage"))


# -- appeals -------------------------------------------------------------------------------------------------------
def _appeal_form():
    model = runtime().current_model(appeals.PROCESS_ID)
    schema = forms.load(model.form(appeals.REGISTRATION_FORM))
    ui = forms.load(model.form("appeal-register-uischema.json")) or {}
    return schema, ui


@appeals_bp.route("", methods=["GET", "POST"], endpoint="index")
@capability_required("appeal.read")
def appeals_index():
    """Appeals by the nearest regulator deadline; the appeal desk registers a work order from the appeal centre."""
    rt, v = runtime(), viewer()
    schema, ui = _appeal_form()
    errors, raw, status = {}, None, 200
    if request.method == "POST":
        data = schema_form.parse_submission(schema, ui, request.form)
        errors = schema_form.field_errors(schema, data)
        if not errors:
            try:
                created = appeals.register_appeal(rt, v, data)
                if created["admissible"]:
                    flash(t("appeal.accepted", case=created["case_number"]), "success")
                else:
                    flash(
                        t("appeal.rejected", case=created["case_number"], reason=created["inadmissible_reason"]),
                        "error",
                    )
                return redirect(url_for("appeals.show", appeal_id=created["id"]))
            except Invalid as exc:
                errors = _errors(exc)
        raw, status = request.form, 422
    fields = (
        schema_form.build_fields(
            schema,
            ui,
            {"received_at": rt.clock.now().astimezone(user_time_zone()).replace(second=0, microsecond=0).isoformat()},
            errors,
            raw,
        )
        if v.can("appeal.register")
        else []
    )
    items = appeals.list_appeals(rt, v, request.args.get("status") or None, via="web")
    return render_template(
        "appeals/index.html", items=items, fields=fields, errors=errors, status_filter=request.args.get("status", "")
    ), status


@appeals_bp.get("/<int:appeal_id>", endpoint="show")
@capability_required("appeal.read")
def appeal_show(appeal_id: int):
    """One appeal with the tasks its handling waits on."""
    appeal = appeals.get_appeal(runtime(), viewer(), appeal_id, via="web")
    ready = (
        tasks.list_tasks(runtime(), viewer(), instance_id=appeal["process_instance_id"])
        if appeal["process_instance_id"]
        else []
    )
    return render_template("appeals/show.html", appeal=appeal, ready=ready)


def init_app(app) -> None:
    """Register the staff pages, the customer's own page and their navigation items."""
    from . import customer
    from .nav import NavItem, add_item

    for blueprint in (outages_bp, appeals_bp, customer.bp):
        app.register_blueprint(blueprint)
    add_item(app, NavItem("outages.index", "nav.outages", order=34))
    add_item(app, NavItem("appeals.index", "nav.appeals", "appeal.read", order=36))
