"""Complaints: registration by agents (any channel), search by number or phone, the complaint page."""

from __future__ import annotations

import re

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for

from ..domain.whole_numbers import whole_number
from ..domain.ownership import may_reassign
from ..errors import Conflict, Forbidden, Invalid
from ..services.accounts import need_to_know, people
from ..services.complaints import ownership
from ..services.complaints import register as complaints
from ..services.tasks import workspace
from . import schema_form
from .access import login_required, capability_required, runtime, viewer
from .refusals import error_text, field_error_text, field_errors, field_errors_text
from .i18n import N_, user_time_zone, local_time, t

PHONE = re.compile(r"^(?:(?:\+86)?1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?)$")  # as the receive form

bp = Blueprint("complaints", __name__, url_prefix="/complaints")
PAGE = 50


@bp.get("")
@login_required
def index():
    """Search complaints by number, phone or name; newest first."""
    a = request.args
    offset = whole_number(a.get("offset", "0")) or 0
    result = complaints.list_complaints(
        runtime(),
        viewer(),
        q=a.get("q") or None,
        status=a.get("status") or None,
        category=a.get("category") or None,
        channel=a.get("channel") or None,
        limit=PAGE,
        offset=offset,
        via="web",
    )
    filters = {k: a.get(k) for k in ("q", "status", "category", "channel") if a.get(k)}
    return render_template("complaints/index.html", result=result, filters=filters, offset=offset, page_size=PAGE)


@bp.get("/<int:complaint_id>")
@login_required
def show(complaint_id: int):
    """One complaint: its record, its steps, its history, the customer's other complaints."""
    page = workspace.complaint_page(runtime(), viewer(), complaint_id, via="web")
    return render_template("complaints/show.html", page=page, may_urge=viewer().can("task.urge"), agents=_agents(page))


def _agents(page):
    """The agents a supervisor may hand this complaint to (首问负责制), or None when the viewer may not."""
    if not may_reassign(viewer().groups) or page["complaint"]["status"] == "closed":
        return None
    return [u for u in people.directory(runtime())["users"] if "agent" in u["groups"]]


@bp.get("/<int:complaint_id>/print")
@login_required
def printable(complaint_id: int):
    """The whole record on one printable page (print stylesheet; masked unless worked; the reading is logged)."""
    page = workspace.complaint_page(runtime(), viewer(), complaint_id, via="web")
    return render_template("complaints/print.html", page=page)


@bp.post("/<int:complaint_id>/owner")
@login_required
def reassign_owner(complaint_id: int):
    """A supervisor hands the complaint to another agent (首问负责制), with a reason."""
    try:
        ownership.reassign_owner(
            runtime(), viewer(), complaint_id, request.form.get("to_user"), request.form.get("reason")
        )
    except Invalid as exc:
        flash(t("task.action_invalid", detail=field_errors_text(exc)), "error")
    except (Conflict, Forbidden) as exc:
        flash(t("task.action_refused", detail=error_text(exc)), "error")
    else:
        flash(N_("complaint.owner_changed"), "success")
    return redirect(url_for("complaints.show", complaint_id=complaint_id))


@bp.post("/<int:complaint_id>/reveal")
@login_required
def reveal(complaint_id: int):
    """Show the customer's personal data to an entitled viewer who gives a reason (written to the access log)."""
    try:
        revealed = need_to_know.reveal(runtime(), viewer(), complaint_id, request.form.get("reason"), "web")
    except Invalid as exc:
        flash(t("privacy.reason_required", detail=field_error_text(exc.errors[0])), "error")
        return redirect(url_for("complaints.show", complaint_id=complaint_id))
    page = workspace.complaint_page(runtime(), viewer(), complaint_id, via=None)  # the reveal is the logged read
    return render_template(
        "complaints/show.html", page=page, may_urge=viewer().can("task.urge"), revealed=revealed, agents=_agents(page)
    )


def _render_form(errors=None, raw=None, status=200):
    schema, ui = workspace.registration_form(runtime())
    now = runtime().clock.now().astimezone(user_time_zone()).replace(second=0, microsecond=0)
    defaults = {"channel": "phone", "received_at": now.isoformat()}
    fields = schema_form.build_fields(schema, ui, defaults, errors, raw)
    return render_template("complaints/register.html", schema=schema, fields=fields, errors=errors or {}), status


@bp.route("/new", methods=["GET", "POST"])
@capability_required("complaint.register")
def register():
    """Register a complaint taken from any channel; then open its first step."""
    if request.method == "GET":
        return _render_form()
    schema, ui = workspace.registration_form(runtime())
    data = schema_form.parse_submission(schema, ui, request.form)
    errors = schema_form.field_errors(schema, data)
    if errors:
        return _render_form(errors, request.form, 422)
    try:
        accepted = {k[3:]: v for k, v in request.form.items() if k.startswith("ti_") and v}  # the intake panel's F8
        result = workspace.register_and_first_task(runtime(), viewer(), data, accepted)
    except Invalid as exc:
        return _render_form(field_errors(exc), request.form, 422)
    # a complete live intake is classified already: it is with the dispatcher, not in the agent's inbox
    flash(
        t("register.live_done", number=result["number"])
        if result["live_intake"]
        else t("complaint.registered_as", number=result["number"]),
        "success",
    )
    for incident in result["matched_outages"]:  # the agent can tell the customer it is known, right away
        flash(
            t("complaint.outage_matched", number=incident["number"], title=incident["title"], area=incident["area"]),
            "warning",
        )
    if result["first_task_id"]:
        return redirect(url_for("tasks.show", task_id=result["first_task_id"]))
    return redirect(url_for("complaints.show", complaint_id=result["id"]))


@bp.get("/lookup")
@capability_required("complaint.register")
def lookup():
    """The customer's recent complaints by their complete phone number, as JSON for the form.

    Only a complete number is looked up: a prefix would list other customers' complaints.
    """
    phone = request.args.get("phone", "").strip()
    if not PHONE.match(phone):
        return jsonify({"items": [], "repeat": False})
    items = workspace.lookup_customer(runtime(), viewer(), phone, via="web")
    now = runtime().clock.now().isoformat()
    # The day in the user's time zone: a complaint registered at 07:20 in Beijing is 23:20 UTC the day before.
    return jsonify(
        {
            "items": [
                i
                | {
                    "url": url_for("complaints.show", complaint_id=i["id"]),
                    "created_on": local_time(i["created_at"], "yyyy-MM-dd"),
                }
                for i in items
            ],
            # a repeat is of the same category: the form's, once the agent has chosen one
            "repeat": workspace.is_repeat(
                runtime(), {"created_at": now, "category": request.args.get("category") or None}, items
            ),
        }
    )
