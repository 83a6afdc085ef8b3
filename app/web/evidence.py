"""Evidence files (photos, recordings, PDF): shown in the page or downloaded, by those who may see the complaint.

Both routes go through the same checked and logged opening (services/complaints/evidence.open_evidence).
What is shown inline is only what the page previews (a photo, a recording, a video, a PDF) and only while
its bytes still are the type recorded at upload; anything else is a download. The file's own response
carries a policy of its own: it may be framed by this origin only (the PDF viewer), runs nothing, and is
never sniffed into another type.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, send_file

from ..services.complaints import evidence
from .access import login_required, runtime, viewer
from .i18n import t

bp = Blueprint("evidence", __name__, url_prefix="/evidence")

PREVIEWED = ("image/", "audio/", "video/", "application/pdf")
# A PDF opens in the browser's viewer inside the page's <iframe>; the viewer is a plugin, so the file's
# own response allows objects from here and nothing else (no script, no style, no other origin).
FILE_POLICY = "default-src 'none'; img-src 'self'; media-src 'self'; object-src 'self'; frame-ancestors 'self'"


def _send(evidence_id: str, how: str):
    path, meta = evidence.open_evidence(runtime(), viewer(), evidence_id, how=how)
    inline = how == "view" and meta["content_ok"] and meta["mime"].startswith(PREVIEWED)
    mime = meta["mime"] if meta["content_ok"] else "application/octet-stream"
    response = send_file(path, mimetype=mime, as_attachment=not inline, download_name=meta["name"], max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = FILE_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@bp.get("/<evidence_id>")
@login_required
def view(evidence_id: str):
    """The file shown in the page (a photo, a player, the PDF viewer); other types are downloaded."""
    return _send(evidence_id, "view")


@bp.get("/<evidence_id>/download")
@login_required
def download(evidence_id: str):
    """The file saved under its original name, whatever its type."""
    return _send(evidence_id, "download")


def refusal_text(error: dict[str, Any]) -> str:
    """A refused upload in the reader's language (the service's code and parameters; else its message)."""
    code = error.get("code") or ""
    if not code.startswith("evidence."):
        return error.get("message", "")
    return t(f"evidence.err.{code.removeprefix('evidence.')}", **(error.get("params") or {}))
