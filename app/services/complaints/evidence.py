"""Evidence files (photos, recordings, documents): stored safely, typed by content, found by id.

A file is stored under UPLOAD_DIR with a random name (never the client's), beside a small JSON
record of its original name, type, size, uploader and, once attached, the instance it belongs to.
Its type is decided from its first bytes, not from its name or the browser's claim; anything not
on the list is refused, as is anything over MAX_UPLOAD_MB, and more than MAX_EVIDENCE_FILES at once.
Task data refers to a file by its id; a file the customer sent (source "customer") is shown so.
Who may read one is the policy's need-to-know rule (domain/policy.may_open_evidence); every view
and every download goes to the access log, and a file whose bytes no longer match its recorded type
is only ever downloaded, never shown.

Refusals carry a code and its parameters (``evidence.too_large`` name/mb, ``evidence.empty`` name,
``evidence.type_refused`` name, ``evidence.too_many`` n) for the pages to put in words.
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
from ...domain import policy
from ..accounts import need_to_know
from ..accounts.visibility import may_view_instance
from ..audit.log import AuditLog
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


def _refusal(field: str, code: str, message: str, **params: Any) -> dict[str, Any]:
    return {"field": field, "message": message, "code": code, "params": params}


def store(
    rt: Runtime,
    viewer: Viewer,
    filename: str,
    stream: IO[bytes],
    field: str = "evidence",
    source: str = "staff",
) -> dict[str, Any]:
    """Check and keep one uploaded file; return its record (id, name, mime, size, from_customer)."""
    mb = rt.settings["MAX_UPLOAD_MB"]
    limit = mb * 1024 * 1024
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
                        [
                            _refusal(
                                field, "evidence.too_large", f"{filename}: larger than {mb} MB", name=filename, mb=mb
                            )
                        ],
                    )
                out.write(chunk)
        if size == 0:
            raise Invalid(
                "empty file", [_refusal(field, "evidence.empty", f"{filename}: the file is empty", name=filename)]
            )
        kind = sniff(head)
        if kind is None:
            raise Invalid(
                "file type not accepted",
                [
                    _refusal(
                        field,
                        "evidence.type_refused",
                        f"{filename}: only photos (JPEG, PNG, GIF, WebP, HEIC), recordings (MP3, WAV, AMR, M4A, OGG), MP4 video and PDF are accepted",
                        name=filename,
                    )
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
        "source": source,
    }
    files.write_meta(meta, record)
    return _public(record)


def store_all(
    rt: Runtime,
    viewer: Viewer,
    uploads: list[tuple[str, IO[bytes]]],
    field: str = "evidence",
    *,
    source: str = "staff",
    already: int = 0,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Store the files of one submission: (the records kept, the refusals). ``already``: files the form holds.

    More than MAX_EVIDENCE_FILES in all refuses the whole lot (nothing is stored); otherwise each file is
    checked alone, so one bad file costs only itself."""
    most = rt.settings["MAX_EVIDENCE_FILES"]
    if already + len(uploads) > most:
        return [], [_refusal(field, "evidence.too_many", f"at most {most} files", n=most)]
    kept, refused = [], []
    for filename, stream in uploads:
        try:
            kept.append(store(rt, viewer, filename, stream, field, source))
        except Invalid as exc:
            refused.extend(exc.errors)
    return kept, refused


def _display_name(filename: str, kind: Kind) -> str:
    """The client's file name, for display only: path parts dropped, length bounded."""
    name = re.split(r"[\\/]", filename or "")[-1].strip()[:120]
    return name or f"evidence.{kind.label}"


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: record[k] for k in ("id", "name", "mime", "size")} | {
        "from_customer": record.get("source") == "customer",
        "uploaded_at": record.get("uploaded_at"),
    }


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
            out.append(
                {"id": str(evidence_id), "name": str(evidence_id), "mime": "", "size": None, "from_customer": False}
            )
    return out


def ids_on_record(events: Iterable[dict[str, Any]], *values: dict[str, Any]) -> list[str]:
    """Every evidence id a complaint's trail and data name, first mention first, each once.

    The trail holds what each step submitted (a field whose name ends in ``evidence``) and what the
    customer sent later (``evidence.added``); ``values`` are task data not yet on the trail."""
    seen: dict[str, None] = {}
    for data in [*(e.get("data_after") or {} for e in events), *values]:
        if not isinstance(data, dict):
            continue
        for key, value in data.items():
            if key.endswith("evidence") and isinstance(value, list):
                for v in value:
                    if isinstance(v, str) and files.ID.match(v):
                        seen.setdefault(v, None)
    return list(seen)


def attach_from_customer(rt: Runtime, s: Any, ids: list[str], instance_id: int, at: Any) -> None:
    """Bind files the customer sent to their complaint and put them on its trail (``evidence.added``).

    Runs in the caller's write transaction (``s``): the trail's event and the binding go together."""
    for evidence_id in ids:
        _, meta_path = files.paths(rt, evidence_id)
        meta = files.read_meta(rt, evidence_id)
        if meta["instance_id"] is None and meta.get("source") == "customer":
            meta["instance_id"] = instance_id
            files.write_meta(meta_path, meta)
    AuditLog(s, instance_id).append("evidence.added", at=at, actor="customer", after={"evidence": list(ids)})


OPENINGS = ("view", "download")  # shown in the page, or saved as a file


def open_evidence(
    rt: Runtime, viewer: Viewer, evidence_id: str, via: str = "web", how: str = "download"
) -> tuple[Path, dict[str, Any]]:
    """The file's path and record, if the viewer may read it; else NotFound (never confirm it exists).

    A photo or a recording cannot be masked: those who do not work the complaint open it only when the
    policy entitles them to reveal personal data, and every opening (``how``: view or download) goes to
    the access log. The record's ``content_ok`` says whether the bytes still are the type recorded."""
    if how not in OPENINGS:
        raise ValueError(f"how is one of {OPENINGS}")
    meta = files.read_meta(rt, evidence_id)
    iid = meta["instance_id"]
    own_unattached = iid is None and meta["uploaded_by"] == viewer.id and meta.get("source") != "customer"
    sees = iid is not None and may_view_instance(rt, viewer, iid)
    if not policy.may_open_evidence(
        viewer.groups,
        own_unattached=own_unattached,
        sees_complaint=sees,
        works_on_complaint=sees and need_to_know.works_on(rt, viewer, iid),
    ):
        raise NotFound("no such evidence file", code="evidence_file.not_found")
    if iid is not None:
        record_access(
            rt,
            viewer,
            {"view": "evidence.viewed", "download": "evidence.downloaded"}[how],
            via,
            instance_id=iid,
            detail={"evidence_id": str(evidence_id), "name": meta.get("name"), "mime": meta.get("mime")},
        )
    blob, _ = files.paths(rt, evidence_id)
    with blob.open("rb") as f:
        kind = sniff(f.read(16))
    return blob, _public(meta) | {"content_ok": kind is not None and kind.mime == meta.get("mime")}
