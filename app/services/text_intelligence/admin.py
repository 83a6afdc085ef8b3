"""The process owner's use cases: classifier versions and training, history imports."""

from __future__ import annotations

from typing import Any

from ...errors import Forbidden, Invalid
from ..runtime import Runtime
from ...domain.actors import Viewer
from . import history_import, model_registry
from .history_import import MAX_BYTES, parse_label_map, require_owner


def model_versions(rt: Runtime, viewer: Viewer) -> list[dict[str, Any]]:
    """The classifier's versions, newest first (the current one marked), with their evaluation."""
    if not viewer.can("text.classifier.read"):
        raise Forbidden(
            "only process owners, managers and supervisors read the classifier's figures", code="classifier.not_reader"
        )
    return model_registry.versions(rt)


def train_now(rt: Runtime, viewer: Viewer) -> dict[str, Any]:
    """Train and store a new version now."""
    require_owner(viewer)
    return model_registry.train_version(rt, viewer.name)


def _read_upload(f) -> tuple[str, bytes]:
    if f is None or not getattr(f, "filename", ""):
        raise Invalid(
            "a file is required", [{"field": "file", "message": "a .csv or .xlsx file", "code": "upload.csv_or_xlsx"}]
        )
    if not f.filename.lower().endswith((".csv", ".xlsx")):
        raise Invalid(
            "only CSV and XLSX files",
            [{"field": "file", "message": "a .csv or .xlsx file", "code": "upload.csv_or_xlsx"}],
        )
    content = f.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise Invalid(
            "the file is too large",
            [
                {
                    "field": "file",
                    "message": f"at most {MAX_BYTES // 1024 // 1024} MB",
                    "code": "upload.too_large",
                    "params": {"mb": MAX_BYTES // 1024 // 1024},
                }
            ],
        )
    return f.filename, content


def import_upload(rt: Runtime, viewer: Viewer, f, label_map: Any, taxonomy: Any, preview: Any = None) -> dict[str, Any]:
    """Import an uploaded file now (the API: the answer is the finished import with its report)."""
    require_owner(viewer)
    name, content = _read_upload(f)
    import_id = history_import.start(rt, viewer, name, parse_label_map(label_map), taxonomy or "ours")
    return history_import.run(rt, import_id, name, content)


def import_upload_in_background(rt: Runtime, viewer: Viewer, f, label_map: Any, taxonomy: Any) -> int:
    """Start importing an uploaded file in this process and return its id (the page polls its progress)."""
    require_owner(viewer)
    name, content = _read_upload(f)
    import_id = history_import.start(rt, viewer, name, parse_label_map(label_map), taxonomy or "ours")
    history_import.run_in_background(rt, import_id, name, content)
    return import_id


def import_status(rt: Runtime, viewer: Viewer, import_id: int) -> dict[str, Any]:
    require_owner(viewer)
    return history_import.status(rt, import_id)
