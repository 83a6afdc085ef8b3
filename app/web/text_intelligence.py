"""Text features in the browser: the intake panel's JSON, the classifier page (figures, training, history
import with progress), burst suggestions for supervisors, topics for the dashboard."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for

from ..errors import Invalid
from ..services.text_intelligence import admin, bursts, intake, topics
from ..services.text_intelligence.history_import import recent
from .access import capability_required, login_required, runtime, viewer
from .refusals import error_text, field_error_text
from .i18n import N_, local_time, t

bp = Blueprint("text", __name__, url_prefix="/text")
# The history file's columns (domain/text_intelligence/history_file.COLUMNS) as its import report names them.
IMPORT_COLUMNS = {
    "file": N_("ti.column.file"),
    "text": N_("ti.column.text"),
    "label": N_("ti.column.label"),
    "channel": N_("ti.column.channel"),
    "phone": N_("ti.column.phone"),
    "created_at": N_("ti.column.created_at"),
    "department": N_("ti.column.department"),
    "outcome": N_("ti.column.outcome"),
    "severity": N_("ti.column.severity"),
}


@bp.post("/analyse")
@login_required
def analyse():
    """Suggestions, similar complaints and the repeat for the text typed so far (JSON for the panel)."""
    body = request.get_json(silent=True) or {}
    found = intake.analyse(
        runtime(), viewer(), body.get("text", ""), body.get("phone"), body.get("complaint_id"), via="web"
    )
    # the day each earlier complaint was made, in the user's time zone (created_at is UTC: its first ten
    # characters are the day before for a complaint made in Beijing before 08:00)
    for item in [*found.get("similar", []), *([found["repeat"]] if found.get("repeat") else [])]:
        item["created_on"] = local_time(item.get("created_at"), "yyyy-MM-dd")
    return jsonify(found)


@bp.get("/classifier")
@capability_required("text.classifier.read")
def classifier():
    """The current model's figures, its versions, training now, and history imports."""
    versions = admin.model_versions(runtime(), viewer())
    current = next((v for v in versions if v["is_current"]), None)
    imports = recent(runtime()) if viewer().can("text.classifier.manage") else []
    return render_template(
        "text_intelligence/classifier.html",
        current=current,
        versions=versions,
        imports=imports,
        error_text=field_error_text,  # a row's refusal in the reader's language (its code; an older import's text)
        columns=IMPORT_COLUMNS,
        may_own=viewer().can("text.classifier.manage"),
        watch=request.args.get("import", type=int),
    )


@bp.post("/classifier/train")
@capability_required("text.classifier.manage")
def train():
    """Train a new version now (seconds to a minute)."""
    result = admin.train_now(runtime(), viewer())
    flash(t("ti.trained", version=result["version"], texts=result["trained_texts"]), "success")
    return redirect(url_for("text.classifier"))


@bp.post("/imports")
@capability_required("text.classifier.manage")
def start_import():
    """Start importing a history file; the page then shows its progress and report."""
    try:
        import_id = admin.import_upload_in_background(
            runtime(), viewer(), request.files.get("file"), request.form.get("label_map"), request.form.get("taxonomy")
        )
    except Invalid as exc:
        flash(error_text(exc), "error")
        return redirect(url_for("text.classifier"))
    return redirect(url_for("text.classifier", **{"import": import_id}))


@bp.get("/imports/<int:import_id>")
@capability_required("text.classifier.manage")
def import_status(import_id: int):
    """An import's progress and report (JSON, polled by the page)."""
    return jsonify(admin.import_status(runtime(), viewer(), import_id))


@bp.get("/bursts")
@capability_required("text.bursts.read")
def bursts_index():
    """Suggested outage incidents: many similar complaints from one area in a short window."""
    items = bursts.list_suggestions(runtime(), viewer(), request.args.get("status") or "suggested")
    return render_template(
        "text_intelligence/bursts.html",
        items=items,
        may_decide=viewer().can("outage.manage"),
        status_filter=request.args.get("status") or "suggested",
    )


@bp.post("/bursts/<int:burst_id>/confirm")
@capability_required("outage.manage")
def confirm_burst(burst_id: int):
    """Open the incident and link the complaints, in one action."""
    result = bursts.confirm(runtime(), viewer(), burst_id, {})
    flash(t("ti.burst_confirmed", number=result["incident"]["number"], count=len(result["linked"])), "success")
    return redirect(url_for("outages.show", incident_id=result["incident"]["id"]))


@bp.post("/bursts/<int:burst_id>/dismiss")
@capability_required("outage.manage")
def dismiss_burst(burst_id: int):
    """Not an outage."""
    bursts.dismiss(runtime(), viewer(), burst_id)
    return redirect(url_for("text.bursts_index"))


@bp.get("/topics")
@capability_required("text.topics.read")
def period_topics():
    """The period's topics (JSON for the dashboard)."""
    return jsonify(topics.period_topics(runtime(), viewer(), request.args.get("from"), request.args.get("to")))


def init_app(app) -> None:
    from .nav import NavItem, add_item

    app.register_blueprint(bp)
    # who see the intake panel on a task page: those who classify, dispatch or oversee
    app.jinja_env.globals["ti_panel_for"] = lambda v: bool(v is not None and v.can("text.intake"))
    add_item(app, NavItem("text.classifier", "nav.classifier", "text.classifier.read", order=45))
    add_item(app, NavItem("text.bursts_index", "nav.bursts", "outage.manage", order=35))
