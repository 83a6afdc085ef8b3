"""/vendor/<package>/<path>: browser libraries served from node_modules, whitelisted (no CDN).

Only the listed folders of the listed packages are reachable; everything else is 404. Add a
package here (and to package.json) when a page needs it.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory

from ..config import ROOT

bp = Blueprint("vendor", __name__, url_prefix="/vendor")

# package -> folders inside it that may be served
PACKAGES: dict[str, tuple[str, ...]] = {
    "bpmn-js": ("dist/",),
    "echarts": ("dist/",),
}


def node_modules() -> Path:
    return Path(current_app.config.get("NODE_MODULES_DIR") or ROOT / "node_modules")


@bp.get("/<package>/<path:filename>")
def asset(package: str, filename: str):
    """One file of a whitelisted package (cached for a day: versions are pinned in package-lock.json)."""
    allowed = PACKAGES.get(package)
    if allowed is None or not filename.startswith(allowed) or ".." in filename.split("/"):
        abort(404)
    return send_from_directory(node_modules() / package, filename, max_age=86400)
