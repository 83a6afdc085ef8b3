"""Tables of the flow's branches: outage incidents, appeals, the notification outbox, survey tokens,
and the public channel's request log (its rate limit works across hosts)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from ._types import JsonType, UtcDateTime


class OutageIncident(Base):
    """A major outage (重大故障): complaints about it are linked here and answered together when it is fixed."""

    __tablename__ = "outage_incident"
    __table_args__ = (Index("ix_outage_incident_status", "status", "started_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # GZ + yyyymmdd + 3 digits
    title: Mapped[str] = mapped_column(String(200))
    area: Mapped[str] = mapped_column(String(200))  # matched against a complaint's place and matter
    service: Mapped[str] = mapped_column(String(32))  # mobile | broadband | voice | iptv | other
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expected_fix_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | resolved
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OutageNotice(Base):
    """A progress notice (or the final answer) posted on an incident and sent to every linked customer."""

    __tablename__ = "outage_notice"
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("outage_incident.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # progress | resolved
    text: Mapped[str] = mapped_column(Text)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    posted_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Appeal(Base):
    """A work order from the regulator's appeal centre (申诉), admissible or not, and its handling instance."""

    __tablename__ = "appeal"
    __table_args__ = (Index("ix_appeal_status_received", "status", "received_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str] = mapped_column(String(40), unique=True)  # the appeal centre's number
    regulator_deadline: Mapped[datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    customer_name: Mapped[str] = mapped_column(String(64))
    customer_phone: Mapped[str] = mapped_column(String(20), index=True)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaint.id"), index=True)  # our earlier complaint
    category: Mapped[str] = mapped_column(String(32))
    fee_dispute: Mapped[bool] = mapped_column(Boolean, default=False)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    matter: Mapped[str] = mapped_column(Text)
    demand: Mapped[str | None] = mapped_column(Text)
    admissible: Mapped[bool] = mapped_column(Boolean)
    inadmissible_reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # inadmissible | open | closed
    outcome: Mapped[str | None] = mapped_column(String(16))  # settled | investigated
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Notification(Base):
    """One message in the outbox: written in the transaction that decided it, sent once by the tick."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)  # also handed to the sender
    template: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(8))  # sms | email
    recipient: Mapped[str] = mapped_column(String(160))
    context: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)  # values the template reads
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaint.id", ondelete="SET NULL"), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(String(200))  # as sent
    body: Mapped[str | None] = mapped_column(Text)  # as sent
    sender: Mapped[str | None] = mapped_column(String(32))
    provider_ref: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class SurveyToken(Base):
    """The single-use satisfaction survey link a reply sends (the link carries the signed nonce)."""

    __tablename__ = "survey_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    nonce: Mapped[str] = mapped_column(String(32), unique=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # closing: the reply's survey, which completes the return visit; in_progress: the sample of open complaints
    kind: Mapped[str] = mapped_column(String(16), default="closing", server_default="closing")


class PublicRequest(Base):
    """One counted request of the public channel (filing, following): the rate limit counts these rows."""

    __tablename__ = "public_request"
    __table_args__ = (Index("ix_public_request_bucket", "bucket", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    bucket: Mapped[str] = mapped_column(String(120))  # e.g. "file:ip:203.0.113.7", "track:ip:..."
    at: Mapped[datetime] = mapped_column(UtcDateTime)
