"""Evidence files (photos, recordings): opened by id by those who may see the complaint."""

from __future__ import annotations

from flask import Blueprint, send_file

from ..services.complaints import evidence
from .access import login_required, runtime, viewer

bp = Blueprint("evidence", __name__, url_prefix="/evidence")


@bp.get("/<evidence_id>")
@login_required
def download(evidence_id: str):
    """One evidence file, with the type found from its content; never run as HTML by the browser."""
    path, meta = evidence.open_evidence(runtime(), viewer(), evidence_id)
    inline = meta["mime"].startswith(("image/", "audio/", "video/")) or meta["mime"] == "application/pdf"
    response = send_file(path, mimetype=meta["mime"], as_attachment=not inline, download_name=meta["name"], max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
