"""Evidence files (photos, recordings, documents): stored safely, typed by content, found by id.

A file is stored under UPLOAD_DIR with a random name (never the client's), beside a small JSON
record of its original name, type, size, uploader and, once attached, the instance it belongs to.
Its type is decided from its first bytes, not from its name or the browser's claim; anything not
on the list is refused, as is anything over MAX_UPLOAD_MB. Task data refers to a file by its id.
Only its uploader (before it is attached) and those who may view its instance may read it.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Iterable

from ...errors import Invalid, NotFound
from ..runtime import Runtime
from .. import evidence_files as files
from ...domain.actors import Viewer
from ..accounts import need_to_know
from ..accounts.visibility import may_view_instance
from ..audit.trail import record_access

CHUNK = 64 * 1024


@dataclass(frozen=True)
class Kind:
    mime: str
    label: str


def sniff(head: bytes) -> Kind | None:
    """The file's kind from its first bytes (magic numbers), or None when not accepted."""
    if head.startswith(b"\xff\xd8\xff"):
        return Kind("image/jpeg", "jpg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Kind("image/png", "png")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return Kind("image/gif", "gif")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Kind("image/webp", "webp")
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return Kind("audio/wav", "wav")
    if head.startswith(b"%PDF-"):
        return Kind("application/pdf", "pdf")
    if head.startswith(b"#!AMR"):
        return Kind("audio/amr", "amr")
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return Kind("audio/mpeg", "mp3")
    if head.startswith(b"OggS"):
        return Kind("audio/ogg", "ogg")
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"M4A ", b"M4B "):
            return Kind("audio/mp4", "m4a")
        if brand in (b"heic", b"heix", b"mif1"):
            return Kind("image/heic", "heic")
        return Kind("video/mp4", "mp4")
    return None


def store(rt: Runtime, viewer: Viewer, filename: str, stream: IO[bytes], field: str = "evidence") -> dict[str, Any]:
    """Check and keep one uploaded file; return its record (id, name, mime, size)."""
    limit = rt.settings["MAX_UPLOAD_MB"] * 1024 * 1024
    root = files.root(rt)
    root.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=root, prefix=".upload-")
    size, head = 0, b""
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                if len(head) < 16:
                    head += chunk[: 16 - len(head)]
                size += len(chunk)
                if size > limit:
                    raise Invalid(
                        "file too large",
                        [{"field": field, "message": f"{filename}: larger than {rt.settings['MAX_UPLOAD_MB']} MB"}],
                    )
                out.write(chunk)
        if size == 0:
            raise Invalid("empty file", [{"field": field, "message": f"{filename}: the file is empty"}])
        kind = sniff(head)
        if kind is None:
            raise Invalid(
                "file type not accepted",
                [
                    {
                        "field": field,
                        "message": f"{filename}: only photos (JPEG, PNG, GIF, WebP, HEIC), recordings (MP3, WAV, AMR, M4A, OGG), MP4 video and PDF are accepted",
                    }
                ],
            )
        evidence_id = secrets.token_hex(16)
        blob, meta = files.paths(rt, evidence_id)
        blob.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp_name, blob)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    record = {
        "id": evidence_id,
        "name": _display_name(filename, kind),
        "mime": kind.mime,
        "size": size,
        "uploaded_by": viewer.id,
        "uploaded_at": rt.clock.now().isoformat(),
        "instance_id": None,
    }
    files.write_meta(meta, record)
    return _public(record)


def _display_name(filename: str, kind: Kind) -> str:
    """The client's file name, for display only: path parts dropped, length bounded."""
    name = re.split(r"[\\/]", filename or "")[-1].strip()[:120]
    return name or f"evidence.{kind.label}"


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: record[k] for k in ("id", "name", "mime", "size")}


def check_ids(rt: Runtime, viewer: Viewer, ids: Iterable[str], instance_id: int | None = None) -> list[str]:
    """Return the ids that the viewer may not reference (unknown, or someone else's elsewhere)."""
    bad = []
    for evidence_id in ids:
        try:
            meta = files.read_meta(rt, evidence_id)
        except NotFound:
            bad.append(evidence_id)
            continue
        mine_unattached = meta["instance_id"] is None and meta["uploaded_by"] == viewer.id
        if not (mine_unattached or (instance_id is not None and meta["instance_id"] == instance_id)):
            bad.append(evidence_id)
    return bad


def attach(rt: Runtime, viewer: Viewer, ids: Iterable[str], instance_id: int) -> None:
    """Bind the viewer's unattached uploads to an instance, so that its readers may open them."""
    for evidence_id in ids:
        _, meta_path = files.paths(rt, evidence_id)
        meta = files.read_meta(rt, evidence_id)
        if meta["instance_id"] is None and meta["uploaded_by"] == viewer.id:
            meta["instance_id"] = instance_id
            files.write_meta(meta_path, meta)


def describe(rt: Runtime, ids: Iterable[str]) -> list[dict[str, Any]]:
    """Name, type and size of each known id (unknown ids are listed by id alone)."""
    out = []
    for evidence_id in ids:
        try:
            out.append(_public(files.read_meta(rt, evidence_id)))
        except NotFound:
            out.append({"id": str(evidence_id), "name": str(evidence_id), "mime": "", "size": None})
    return out


def open_evidence(rt: Runtime, viewer: Viewer, evidence_id: str, via: str = "web") -> tuple[Path, dict[str, Any]]:
    """The file's path and record, if the viewer may read it; else NotFound (never confirm it exists).

    A photo or a recording cannot be masked: those who do not work the complaint open it only when the
    policy entitles them to reveal personal data, and every opening goes to the access log."""
    meta = files.read_meta(rt, evidence_id)
    iid = meta["instance_id"]
    allowed = (iid is None and meta["uploaded_by"] == viewer.id) or (
        iid is not None
        and may_view_instance(rt, viewer, iid)
        and (viewer.can("personal_data.reveal") or need_to_know.works_on(rt, viewer, iid))
    )
    if not allowed:
        raise NotFound("no such evidence file")
    if iid is not None:
        record_access(
            rt,
            viewer,
            "evidence.opened",
            via,
            instance_id=iid,
            detail={"evidence_id": str(evidence_id), "name": meta.get("name")},
        )
    blob, _ = files.paths(rt, evidence_id)
    return blob, _public(meta)
