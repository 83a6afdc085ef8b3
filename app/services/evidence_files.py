"""Where evidence files and their JSON records live under UPLOAD_DIR, and reading and writing a record.

The storage alone, with no permission: the evidence use cases (complaints/evidence.py) decide who
stores, attaches and reads a file; the write path reads a record to check a withdrawal proof.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from ..errors import NotFound
from .runtime import Runtime

ID = re.compile(r"^[0-9a-f]{32}$")


def root(rt: Runtime) -> Path:
    return Path(rt.settings["UPLOAD_DIR"])


def paths(rt: Runtime, evidence_id: str) -> tuple[Path, Path]:
    if not ID.match(evidence_id or ""):
        raise NotFound("no such evidence file", code="evidence_file.not_found")
    folder = root(rt) / evidence_id[:2]
    return folder / evidence_id, folder / f"{evidence_id}.json"


def read_meta(rt: Runtime, evidence_id: str) -> dict[str, Any]:
    _, meta = paths(rt, evidence_id)
    try:
        return json.loads(meta.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotFound("no such evidence file", code="evidence_file.not_found") from None


def write_meta(path: Path, meta: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)
