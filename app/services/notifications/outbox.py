"""Notifications through an outbox: enqueued in the transaction that decided them, sent by the tick.

``enqueue`` adds one row per channel of a template (config/notifications.toml: ``sms``, ``email``) with an
idempotency key, inside the caller's transaction: a notice is never lost when the decision commits, never
written when it rolls back, and a second enqueue with the same key is ignored. ``send_due`` (the scheduler
tick) claims due rows as the timer tick does (PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so hosts share the
work and never send a row twice; SQLite: the writer lock), renders each template (sandboxed Jinja), hands it
to the sender (app/services/notifications/senders.py) and records ``sent_at`` in that same transaction. A failure backs off
(1, 2, 4 ... min, at most 1 h); after NOTIFY_MAX_ATTEMPTS the row stays as ``failed`` for people to see.
"""

from __future__ import annotations

import logging
import secrets
import threading
import tomllib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Mapping

import jinja2
from itsdangerous import BadSignature, URLSafeSerializer
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import Complaint, Notification, SurveyToken
from ..runtime import Runtime
from .senders import Message, build_sender

log = logging.getLogger(__name__)
CHANNELS = ("sms", "email")
# Task data a template may read (kept in the row, so a later change of the data does not change the message).
CONTEXT_KEYS = (
    "customer_name",
    "matter",
    "solution",
    "reply",
    "incident_id",
    "case_number",
    "regulator_deadline",
    "reply_to_regulator",
    "outage_resolution",
    "refusal_reason",
)
_JINJA = SandboxedEnvironment(autoescape=False, keep_trailing_newline=False)
_TEMPLATES: dict[str, tuple[float, dict[str, dict[str, Any]]]] = {}
_LOCK = threading.Lock()


class TemplateError(ValueError):
    """A template file or template that cannot be used."""


def templates(rt: Runtime) -> dict[str, dict[str, Any]]:
    """The templates of NOTIFICATIONS_CONFIG, re-read when the file changes."""
    path = Path(
        rt.settings.get("NOTIFICATIONS_CONFIG") or Path(__file__).resolve().parents[2] / "config" / "notifications.toml"
    )
    mtime = path.stat().st_mtime
    with _LOCK:
        cached = _TEMPLATES.get(str(path))
        if cached and cached[0] == mtime:
            return cached[1]
        data = tomllib.loads(path.read_text(encoding="utf-8")).get("templates", {})
        for name, t in data.items():
            unknown = set(t) - {"sms", "email", "email_subject", "survey"}
            if unknown:
                raise TemplateError(f"{path}: templates.{name}: unknown keys {sorted(unknown)}")
            if t.get("survey", False) not in (True, False, "in_progress"):
                raise TemplateError(f'{path}: templates.{name}.survey: true, false or "in_progress"')
            for key in ("sms", "email", "email_subject"):
                if key in t:
                    try:  # a syntax error names the template now, not at send time
                        _JINJA.from_string(t[key])
                    except jinja2.TemplateError as exc:
                        raise TemplateError(f"{path}: templates.{name}.{key}: {exc}") from exc
        _TEMPLATES[str(path)] = (mtime, data)
        return data


# -- enqueue (inside the deciding transaction) ------------------------------------------------------------------
def enqueue(
    s: Session,
    rt: Runtime,
    template: str,
    key: str,
    now: datetime,
    *,
    complaint: Complaint | None = None,
    instance_id: int | None = None,
    data: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
    to: Mapping[str, str] | None = None,
) -> list[Notification]:
    """Add the template's messages for a complaint's (or an appeal's) customer, or for ``to`` ({channel: address});
    a known key adds nothing."""
    spec = templates(rt).get(template)
    if spec is None:
        log.warning(
            "notification template %r is not in %s; nothing sent", template, rt.settings.get("NOTIFICATIONS_CONFIG")
        )
        return []
    data = dict(data or {})
    phone = complaint.customer_phone if complaint is not None else data.get("customer_phone")
    email = (complaint.customer_email if complaint is not None else None) or data.get("customer_email")
    context = {k: data[k] for k in CONTEXT_KEYS if isinstance(data.get(k), (str, int, float)) and data.get(k) != ""}
    if complaint is not None:
        context |= {"number": complaint.number, "customer_name": complaint.customer_name}
    context |= dict(extra or {})
    if spec.get("survey") and complaint is not None:  # survey = "in_progress": the open complaints' sample
        kind = "in_progress" if spec["survey"] == "in_progress" else "closing"
        context["survey_nonce"] = mint_survey(s, rt, complaint.id, now, kind)
    rows = []
    addresses = (("sms", phone), ("email", email)) if to is None else tuple(to.items())
    for channel, recipient in addresses:
        if channel not in spec or not recipient:
            continue
        full_key = f"{key}:{channel}"
        if s.scalar(select(func.count()).select_from(Notification).where(Notification.idempotency_key == full_key)):
            continue
        row = Notification(
            idempotency_key=full_key,
            template=template,
            channel=channel,
            recipient=str(recipient),
            context=context,
            complaint_id=complaint.id if complaint is not None else None,
            instance_id=instance_id,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        s.add(row)
        rows.append(row)
    return rows


# -- survey links ---------------------------------------------------------------------------------------------------
def _signer(rt: Runtime) -> URLSafeSerializer:
    return URLSafeSerializer(rt.settings["SECRET_KEY"], salt="complaintflow-survey")


def mint_survey(s: Session, rt: Runtime, complaint_id: int, now: datetime, kind: str = "closing") -> str:
    """A new single-use survey nonce for a complaint (the link carries it signed)."""
    days = rules(rt).survey_days
    nonce = secrets.token_hex(16)
    s.add(
        SurveyToken(
            nonce=nonce, complaint_id=complaint_id, created_at=now, expires_at=now + timedelta(days=days), kind=kind
        )
    )
    return nonce


def survey_token(rt: Runtime, nonce: str) -> str:
    return _signer(rt).dumps(nonce)


def survey_nonce(rt: Runtime, token: str) -> str | None:
    """The nonce a link carries, or None when the signature does not hold."""
    try:
        value = _signer(rt).loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


# -- tracking links -------------------------------------------------------------------------------------------------
# A complaint number is sequential and guessable; the link carries it signed with the server's key, so
# only a message sent to the customer (or the page they filed on) hands it out.
def _track_signer(rt: Runtime) -> URLSafeSerializer:
    return URLSafeSerializer(rt.settings["SECRET_KEY"], salt="complaintflow-track")


def track_token(rt: Runtime, number: str) -> str:
    """The unguessable token of a complaint's tracking link."""
    return _track_signer(rt).dumps(number)


def track_number(rt: Runtime, token: str) -> str | None:
    """The complaint number a tracking token carries, or None when its signature does not hold."""
    try:
        value = _track_signer(rt).loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


def rules(rt: Runtime):
    from ..runtime.flow_config import flow_rules

    return flow_rules(rt)


# -- rendering and sending (the tick) ----------------------------------------------------------------------------------
def render(rt: Runtime, row: Notification) -> tuple[str | None, str]:
    """The subject (e-mail) and text of a row, from its template and stored context."""
    spec = templates(rt)[row.template]
    base = rt.settings.get("PUBLIC_BASE_URL", "").rstrip("/")
    values = dict(row.context or {})
    values["track_url"] = (
        f"{base}/customer/track/{track_token(rt, values['number'])}"
        if values.get("number")
        else f"{base}/customer/track"
    )
    if values.get("survey_nonce"):
        values["survey_url"] = f"{base}/customer/survey/{survey_token(rt, values['survey_nonce'])}"
    body = _JINJA.from_string(spec[row.channel]).render(**values).strip()
    subject = (
        _JINJA.from_string(spec.get("email_subject", "")).render(**values).strip() if row.channel == "email" else None
    )
    return subject, body


def sender_for(rt: Runtime):
    """The runtime's sender, built once from NOTIFY_SENDER."""
    if "_notify_sender" not in vars(rt):
        vars(rt)["_notify_sender"] = build_sender(rt.settings)
    return vars(rt)["_notify_sender"]


def send_due(rt: Runtime, batch: int | None = None, max_batches: int = 1000) -> int:
    """One tick: send every due message, batch after batch; return how many were sent."""
    size = batch or rt.settings.get("NOTIFY_BATCH", 20)
    sent = 0
    for _ in range(max_batches):
        claimed, done = send_batch(rt, size)
        sent += done
        if claimed < size:
            break
    return sent


def send_batch(rt: Runtime, size: int) -> tuple[int, int]:
    """Claim up to size due rows (skipping rows another process holds), send them, record it; one transaction."""
    sender = sender_for(rt)
    max_attempts = rt.settings.get("NOTIFY_MAX_ATTEMPTS", 8)
    now = rt.clock.now()
    sent = 0
    with rt.db.write() as s:
        rows = list(
            s.scalars(
                select(Notification)
                .where(Notification.status == "pending", Notification.next_attempt_at <= now)
                .order_by(Notification.next_attempt_at, Notification.id)
                .limit(size)
                .with_for_update(skip_locked=True)
            )
        )
        for row in rows:
            row.attempts += 1
            try:
                subject, body = render(rt, row)
                ref = sender.send(Message(row.idempotency_key, row.channel, row.recipient, subject, body))
            except Exception as exc:  # noqa: BLE001 - a failed message backs off; the others go on
                row.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
                if row.attempts >= max_attempts:
                    row.status = "failed"
                    log.error("notification %s failed for good: %s", row.idempotency_key, row.last_error)
                else:
                    row.next_attempt_at = now + timedelta(minutes=min(2 ** (row.attempts - 1), 60))
                continue
            row.status, row.sent_at, row.subject, row.body = "sent", now, subject, body
            row.sender, row.provider_ref, row.last_error = getattr(sender, "name", "custom"), str(ref)[:200], None
            sent += 1
    return len(rows), sent


# -- reading (supervisors) -------------------------------------------------------------------------------------------
def notification_view(row: Notification) -> dict[str, Any]:
    return {
        "id": row.id,
        "template": row.template,
        "channel": row.channel,
        "recipient": row.recipient,
        "status": row.status,
        "attempts": row.attempts,
        "complaint_id": row.complaint_id,
        "created_at": row.created_at.isoformat(),
        "sent_at": row.sent_at.isoformat() if row.sent_at else None,
        "next_attempt_at": row.next_attempt_at.isoformat(),
        "last_error": row.last_error,
        "subject": row.subject,
        "body": row.body,
    }
