"""Daily roll-ups of the dashboard's period figures, kept by the services in the change's own transaction.

Every row is keyed by the local day the complaints were registered on and by their category and
department (the dashboard's filters); '' stands for "none yet" so that the keys can be upserted
(NULLs never conflict). services/steps/rollups.py keeps them, services/reporting/rebuild.py
recomputes them from the raw rows (migration 0007's backfill, generate-demo, `rebuild-reports`).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base

NO_GAP = -1  # no earlier complaint of the phone in the category within a year (domain/metrics.NO_GAP)


class ReportComplaint(Base):
    """What the roll-ups count one complaint under, so that a change can take the old counts back."""

    __tablename__ = "report_complaint"
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaint.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    instance_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    day: Mapped[date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(32))
    department: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    severity: Mapped[str] = mapped_column(String(16))
    # whole days since the phone's previous complaint of the same category, rounded up (domain/metrics.repeat_gap)
    repeat_gap: Mapped[int] = mapped_column(Integer)
    closed: Mapped[bool] = mapped_column(Boolean)
    first_time: Mapped[bool] = mapped_column(Boolean)  # domain/metrics.first_contact_resolved
    satisfaction: Mapped[str] = mapped_column(String(32))
    reopened: Mapped[bool] = mapped_column(Boolean, default=False)  # reopen_count > 0: a repeat whatever the gap


class ReportComplaintDay(Base):
    """Complaints registered per day and key: volume, distributions, outcomes, satisfaction, repeats."""

    __tablename__ = "report_complaint_day"
    __table_args__ = {"sqlite_with_rowid": False}  # rows stored in key order: a period is one contiguous range
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    department: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    severity: Mapped[str] = mapped_column(String(16), primary_key=True)
    repeat_gap: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    registered: Mapped[int] = mapped_column(Integer)
    closed: Mapped[int] = mapped_column(Integer)
    first_time: Mapped[int] = mapped_column(Integer)
    satisfied: Mapped[int] = mapped_column(Integer)
    basically_satisfied: Mapped[int] = mapped_column(Integer)
    unsatisfied: Mapped[int] = mapped_column(Integer)
    reopened: Mapped[int] = mapped_column(Integer, default=0)  # the repeat rate counts these whatever their gap


class ReportStepDay(Base):
    """Completed tasks of the complaints registered per day and key, per step and duration band."""

    __tablename__ = "report_step_day"
    __table_args__ = {"sqlite_with_rowid": False}
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    department: Mapped[str] = mapped_column(String(32), primary_key=True)
    element_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    band: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # domain/duration_bands.py
    name: Mapped[str] = mapped_column(String(256))
    completed: Mapped[int] = mapped_column(Integer)
    with_deadline: Mapped[int] = mapped_column(Integer)
    on_time: Mapped[int] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(BigInteger)  # the sum: the mean is exact


class ReportPersonDay(Base):
    """The team page's per-person figures: completions per day, person and the complaint's key and flags.

    Each row sums, for the (person, complaint) pairs whose completions on ``day`` follow the person's previous
    completion on that complaint on ``prev_day`` (NO_DAY: none before), the steps completed and, once per pair,
    the complaint and its flags. A period counts a complaint once per person: on its first day there, the one
    whose ``prev_day`` is before the period (services/steps/people_counts.py).
    """

    __tablename__ = "report_person_day"
    __table_args__ = {"sqlite_with_rowid": False}
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    department: Mapped[str] = mapped_column(String(32), primary_key=True)
    prev_day: Mapped[date] = mapped_column(Date, primary_key=True)
    handled: Mapped[int] = mapped_column(Integer)
    with_deadline: Mapped[int] = mapped_column(Integer)
    on_time: Mapped[int] = mapped_column(Integer)
    complaints: Mapped[int] = mapped_column(Integer)
    good: Mapped[int] = mapped_column(Integer)
    answered: Mapped[int] = mapped_column(Integer)
    repeats: Mapped[int] = mapped_column(Integer)
    reopened: Mapped[int] = mapped_column(Integer)


class ReportPersonComplaint(Base):
    """What report_person_day counts one complaint's completions under, so that a change takes them back."""

    __tablename__ = "report_person_complaint"
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaint.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    category: Mapped[str] = mapped_column(String(32))
    department: Mapped[str] = mapped_column(String(32))
    good: Mapped[bool] = mapped_column(Boolean)
    answered: Mapped[bool] = mapped_column(Boolean)
    repeat: Mapped[bool] = mapped_column(Boolean)
    reopened: Mapped[bool] = mapped_column(Boolean)
