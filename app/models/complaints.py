"""Complaints: the searchable record beside each complaint-handling instance."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Index, Numeric, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from ._types import UtcDateTime


class Complaint(Base):
    """A customer complaint; the process instance holds the flow, this row the fields people search."""

    __tablename__ = "complaint"
    __table_args__ = (
        Index("ix_complaint_phone", "customer_phone", "created_at"),
        # satisfaction: the dashboard counts the period's closed complaints by the answer from this index alone
        Index("ix_complaint_status_created", "status", "created_at", "satisfaction"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # TS + yyyymmdd + 6 digits
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), unique=True)
    customer_name: Mapped[str] = mapped_column(String(64))
    customer_phone: Mapped[str] = mapped_column(String(20))
    account: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16), index=True)
    category: Mapped[str | None] = mapped_column(String(32), index=True)
    severity: Mapped[str] = mapped_column(String(16), default="general")
    special_type: Mapped[str | None] = mapped_column(String(32))
    department: Mapped[str | None] = mapped_column(String(32))
    matter: Mapped[str] = mapped_column(Text)
    demand: Mapped[str | None] = mapped_column(Text)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    status: Mapped[str] = mapped_column(String(16))  # open | closed
    current_step: Mapped[str | None] = mapped_column(String(128))
    satisfaction: Mapped[str | None] = mapped_column(String(32))
    # the survey's four ratings, 1-5 (feedback or return visit; the latest answer)
    rating_timeliness: Mapped[int | None] = mapped_column(SmallInteger)
    rating_attitude: Mapped[int | None] = mapped_column(SmallInteger)
    rating_result: Mapped[int | None] = mapped_column(SmallInteger)
    rating_process: Mapped[int | None] = mapped_column(SmallInteger)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Complaint-wide clocks (SLA policy [complaint.*]), fixed at registration.
    first_reply_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    first_reply_warn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    final_reply_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    final_reply_warn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    clocks_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    # Suspension (挂起): every clock of the complaint stops while suspended_at is set.
    suspended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    suspend_reason: Mapped[str | None] = mapped_column(Text)
    # Branches of the flow: the customer's e-mail for notices, the outage it is linked to,
    # repeats (filed again on the same matter within the window, or reopened), responsibility and compensation.
    customer_email: Mapped[str | None] = mapped_column(String(120))
    outage_incident_id: Mapped[int | None] = mapped_column(ForeignKey("outage_incident.id"), index=True)
    is_repeat: Mapped[bool] = mapped_column(Boolean, default=False)
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("complaint.id"))
    reopen_count: Mapped[int] = mapped_column(default=0)
    # 转派 and 退单 of the complaint's tasks, counted in the transaction of each (services/tasks/actions.py):
    # first-contact resolution excludes a complaint that was passed on (domain/metrics.first_contact_resolved).
    transfer_count: Mapped[int] = mapped_column(default=0, server_default="0")
    return_count: Mapped[int] = mapped_column(default=0, server_default="0")
    responsibility: Mapped[str | None] = mapped_column(String(16))  # ours | customer | third_party
    compensation_type: Mapped[str | None] = mapped_column(String(16))
    compensation_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    compensation_status: Mapped[str | None] = mapped_column(
        String(16)
    )  # not_required | pending | approved | adjusted | rejected
    # A step's breach timer fired or a step was finished after its deadline (kept by services/report_rollups
    # and services/timers): the search's "breached ever" reads this flag, not two EXISTS per row.
    breached_ever: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the customer first got the result (the first completed reply step, complaint_clocks.REPLY_STEPS),
    # kept by services/report_rollups: the regulator's view reads it, not a MIN over the tasks per complaint.
    replied_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # 首问负责制: the agent who owns the complaint to the end; agent-lane steps go to their inbox.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # A date promised to the customer for a complex case (handle's promised_date) and whether it was kept.
    promised_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    promise_kept: Mapped[bool | None] = mapped_column(Boolean)


class NumberSequence(Base):
    """The last complaint number handed out per day; bumped inside the registering transaction."""

    __tablename__ = "number_sequence"
    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(default=0)
