"""Evidence the customer sends from their own page: with the complaint they file, or later through its link.

The files pass the same checks as the agents' (complaints/evidence.store_all: type by content, size, count)
and are stored the same way, marked as the customer's. Uploads are limited per address in the database, as
filing and following are. A filing form that is sent back (a refused file, a wrong answer) holds the files
already kept as a signed list, so the customer loses nothing and nobody can slip in another's file id.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import IO, Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from ...domain.client_addresses import limit_key
from ...errors import Invalid, NotFound
from ...models import Complaint
from .. import evidence_files as files
from ..notifications.outbox import track_number
from ..runtime import Runtime
from . import evidence
from .public_channel import PUBLIC, _limit

FILES_PER_ADDRESS_PER_HOUR = 30  # a customer sends a few photos; a flood from one address stops here
FILES_PER_COMPLAINT_PER_DAY = 20  # added later, through the complaint's link


def _signer(rt: Runtime) -> URLSafeSerializer:
    return URLSafeSerializer(rt.settings["SECRET_KEY"], salt="complaintflow-customer-evidence")


def hold(rt: Runtime, ids: list[str]) -> str:
    """The signed list of files a filing form carries back to the customer ('' for none)."""
    return _signer(rt).dumps(ids) if ids else ""


def held(rt: Runtime, token: str | None) -> list[dict[str, Any]]:
    """The files a signed list names that are still the customer's and unattached (a bad list names none)."""
    if not token:
        return []
    try:
        ids = _signer(rt).loads(token)
    except BadSignature:
        return []
    out = []
    for evidence_id in ids if isinstance(ids, list) else []:
        try:
            meta = files.read_meta(rt, str(evidence_id))
        except NotFound:
            continue
        if meta.get("source") == "customer" and meta["instance_id"] is None:
            out.append(evidence.describe(rt, [meta["id"]])[0])
    return out


def keep(
    rt: Runtime, uploads: list[tuple[str, IO[bytes]]], address: str, *, already: int = 0
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Check and store the files of one customer form: (kept, refused). Counted against the address's limit."""
    if not uploads:
        return [], []
    now = rt.clock.now()
    with rt.db.write() as s:
        for _ in uploads:
            _limit(s, f"evidence:ip:{limit_key(address)}", FILES_PER_ADDRESS_PER_HOUR, timedelta(hours=1), now)
    return evidence.store_all(rt, PUBLIC, uploads, "evidence", source="customer", already=already)


def add_by_link(
    rt: Runtime, token: str, uploads: list[tuple[str, IO[bytes]]], address: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Add files to the complaint a tracking link names (open complaints only): (kept, refused).

    NotFound for a link that is not valid; Invalid (code ``evidence.closed``) once the complaint is closed."""
    number = track_number(rt, token)
    with rt.db.read() as s:
        row = s.execute(
            select(Complaint.instance_id, Complaint.status).where(Complaint.number == (number or ""))
        ).first()
    if row is None or row.instance_id is None:
        raise NotFound("this link is not valid", code="public.link_invalid")
    if row.status == "closed":
        raise Invalid(
            "the complaint is closed", [{"field": "evidence", "message": "closed", "code": "evidence.closed"}]
        )
    now = rt.clock.now()
    with rt.db.write() as s:
        for _ in uploads:
            _limit(s, f"evidence:complaint:{number}", FILES_PER_COMPLAINT_PER_DAY, timedelta(days=1), now)
    kept, refused = keep(rt, uploads, address)
    if kept:
        with rt.db.write() as s:
            evidence.attach_from_customer(rt, s, [k["id"] for k in kept], row.instance_id, rt.clock.now())
    return kept, refused


def remove_orphans(rt: Runtime) -> int:
    """Delete the customer's files never sent with a complaint, once older than CUSTOMER_UPLOAD_ORPHAN_HOURS.

    A file kept by a filing form that was sent back waits in the form's signed list until the customer
    sends it again or gives up; after the configured age nobody can still be filling that form, and the
    file (a photo, a recording: personal data) must not stay on disk for nothing. Returns how many went."""
    cutoff = rt.clock.now() - timedelta(hours=rt.settings["CUSTOMER_UPLOAD_ORPHAN_HOURS"])
    removed = 0
    for meta_path in sorted(files.root(rt).glob("??/*.json")):
        try:
            meta = files.read_meta(rt, meta_path.stem)
        except NotFound:  # removed meanwhile, or not a record's name
            continue
        if meta.get("source") != "customer" or meta.get("instance_id") is not None:
            continue
        if datetime.fromisoformat(meta["uploaded_at"]) > cutoff:
            continue
        blob, _ = files.paths(rt, meta_path.stem)
        blob.unlink(missing_ok=True)
        meta_path.unlink(missing_ok=True)
        removed += 1
    return removed
