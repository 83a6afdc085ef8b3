"""Import historical work orders from CSV or XLSX: checked whole, stored in batches, visible all at once.

The file is checked first (domain/text_intelligence/history_file.py); one bad row refuses the file and the
import keeps the report naming every bad row. A good file's rows are written in batches of
``BATCH``, each its own short transaction that also moves the progress counter (so a page can draw a
progress bar and other writers are never held up for long); they are invisible to training until the
last transaction marks the import ``imported``. Should the import fail in between, its rows are
deleted and it is marked ``refused``: a file goes in whole or not at all.
"""

from __future__ import annotations

import json
import threading
from typing import Any, Callable

from sqlalchemy import delete, insert, select

from ...domain.text_intelligence.history_file import check
from ...errors import Forbidden, Invalid, NotFound
from ...models import HistoryImport, HistoryRecord
from ..runtime import Runtime
from ...domain.actors import Viewer

BATCH = 1000
MAX_BYTES = 50 * 1024 * 1024


def require_owner(viewer: Viewer) -> None:
    if not viewer.can("text.classifier.manage"):
        raise Forbidden(
            "only process owners and directors manage the classifier and its history", code="classifier.not_manager"
        )


def parse_label_map(raw: Any) -> dict[str, str]:
    """The operator's mapping from the file's labels to ours, as a JSON object or 'theirs=ours' lines."""
    if raw in (None, ""):
        return {}
    if isinstance(raw, dict):
        pairs = raw
    else:
        text = str(raw).strip()
        if text.startswith("{"):
            try:
                pairs = json.loads(text)
            except ValueError:
                raise Invalid(
                    "label_map is not valid JSON",
                    [{"field": "label_map", "message": "a JSON object", "code": "classifier.bad_label_map"}],
                ) from None
        else:
            pairs = {}
            for n, line in enumerate(text.splitlines(), start=1):
                if line.strip():
                    theirs, sep, ours = line.partition("=")
                    if not sep:
                        raise Invalid(
                            "label_map line without '='",
                            [
                                {
                                    "field": "label_map",
                                    "message": f"line {n}: theirs=ours",
                                    "code": "classifier.bad_label_line",
                                    "params": {"n": n},
                                }
                            ],
                        )
                    pairs[theirs.strip()] = ours.strip()
    if not isinstance(pairs, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in pairs.items()):
        raise Invalid(
            "label_map maps labels to labels",
            [{"field": "label_map", "message": "strings to strings", "code": "classifier.bad_label_map"}],
        )
    return pairs


def start(rt: Runtime, viewer: Viewer, file_name: str, label_map: dict[str, str], taxonomy: str) -> int:
    """Create the import's row (status running) and return its id."""
    require_owner(viewer)
    if taxonomy not in ("ours", "own"):
        raise Invalid(
            "taxonomy is ours or own", [{"field": "taxonomy", "message": "ours | own", "code": "field.choose"}]
        )
    with rt.db.write() as s:
        row = HistoryImport(
            file_name=file_name[:200],
            status="running",
            rows_total=0,
            rows_done=0,
            errors=[],
            label_map=label_map,
            taxonomy=taxonomy,
            created_by_id=viewer.id,
            created_at=rt.clock.now(),
        )
        s.add(row)
        s.flush()
        return row.id


def run(
    rt: Runtime, import_id: int, file_name: str, content: bytes, progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    """Check the file and store it whole, or refuse it with the report; return the import's status."""
    with rt.db.read() as s:
        imp = s.get(HistoryImport, import_id)
        label_map, taxonomy = dict(imp.label_map or {}), imp.taxonomy
    checked = check(file_name, content, label_map, taxonomy)
    if checked.errors:
        _finish(rt, import_id, "refused", checked.errors[:1000], len(checked.rows) + len(checked.errors), 0)
        return status(rt, import_id)
    total = len(checked.rows)
    try:
        with rt.db.write() as s:
            s.get(HistoryImport, import_id).rows_total = total
        for start_at in range(0, total, BATCH):
            batch = checked.rows[start_at : start_at + BATCH]
            with rt.db.write() as s:
                s.execute(insert(HistoryRecord), [r | {"import_id": import_id} for r in batch])
                s.get(HistoryImport, import_id).rows_done = start_at + len(batch)
            if progress:
                progress(start_at + len(batch), total)
        _finish(rt, import_id, "imported", [], total, total)
    except Exception as exc:
        with rt.db.write() as s:
            s.execute(delete(HistoryRecord).where(HistoryRecord.import_id == import_id))
        _finish(
            rt,
            import_id,
            "refused",
            [{"row": None, "field": "file", "message": f"not stored: {exc}", "code": "classifier.not_stored"}],
            total,
            0,
        )
        raise
    return status(rt, import_id)


def _finish(rt: Runtime, import_id: int, state: str, errors: list, total: int, done: int) -> None:
    with rt.db.write() as s:
        imp = s.get(HistoryImport, import_id)
        imp.status, imp.errors, imp.rows_total, imp.rows_done, imp.finished_at = (
            state,
            errors,
            total,
            done,
            rt.clock.now(),
        )


def run_in_background(rt: Runtime, import_id: int, file_name: str, content: bytes) -> threading.Thread:
    """Run the import in a thread of this process, so a page can show its progress meanwhile."""

    def work():
        try:
            run(rt, import_id, file_name, content)
        except Exception:  # noqa: BLE001 - already recorded on the import as refused
            pass

    thread = threading.Thread(target=work, name=f"history-import-{import_id}", daemon=True)
    thread.start()
    return thread


def status(rt: Runtime, import_id: int) -> dict[str, Any]:
    """An import's state, progress and validation report."""
    with rt.db.read() as s:
        imp = s.get(HistoryImport, import_id)
        if imp is None:
            raise NotFound(f"history import {import_id} does not exist", code="classifier.import_not_found")
        return {
            "id": imp.id,
            "file_name": imp.file_name,
            "status": imp.status,
            "rows_total": imp.rows_total,
            "rows_done": imp.rows_done,
            "errors": imp.errors,
            "label_map": imp.label_map,
            "taxonomy": imp.taxonomy,
            "created_at": imp.created_at.isoformat(),
            "finished_at": imp.finished_at.isoformat() if imp.finished_at else None,
        }


def recent(rt: Runtime, limit: int = 10) -> list[dict[str, Any]]:
    with rt.db.read() as s:
        ids = list(s.scalars(select(HistoryImport.id).order_by(HistoryImport.id.desc()).limit(limit)))
    return [status(rt, i) for i in ids]
