"""Daily roll-ups of the dashboard (report_complaint_day, report_step_day, and report_complaint: what
each complaint is counted under), complaint.breached_ever for the search and complaint.replied_at for
the regulator's view; all backfilled

The roll-ups are filled by the app's own rebuild (services/reporting/rebuild.py), the code generate-demo
and `complaintflow rebuild-reports` run too, so the backfill counts exactly as the services will. A
later change of what a roll-up counts ships with a migration that runs the rebuild again; the rebuild writes
the newest schema, so it runs once, at that newest migration (rebuild.REBUILT_AT), whichever one an upgrade starts from.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 10:00:00
"""

from alembic import op
import sqlalchemy as sa
import app.models._types


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

DAY_KEY = ("day", "category", "department")
# SQLite: the day tables are stored in key order (WITHOUT ROWID), so a period's rows are one contiguous
# range read without a second lookup per row (a quarter's figures 25 % faster at 100,000 complaints).


def upgrade() -> None:
    op.create_table(
        "report_complaint",
        sa.Column("complaint_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("repeat_gap", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("first_time", sa.Boolean(), nullable=False),
        sa.Column("satisfaction", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["complaint_id"], ["complaint.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("complaint_id"),
        sa.UniqueConstraint("instance_id"),
    )
    op.create_table(
        "report_complaint_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("repeat_gap", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("registered", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Integer(), nullable=False),
        sa.Column("first_time", sa.Integer(), nullable=False),
        sa.Column("satisfied", sa.Integer(), nullable=False),
        sa.Column("basically_satisfied", sa.Integer(), nullable=False),
        sa.Column("unsatisfied", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*DAY_KEY, "channel", "severity", "repeat_gap"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "report_step_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=False),
        sa.Column("element_id", sa.String(length=128), nullable=False),
        sa.Column("band", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("completed", sa.Integer(), nullable=False),
        sa.Column("with_deadline", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.Column("duration_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(*DAY_KEY, "element_id", "band"),
        sqlite_with_rowid=False,
    )
    op.add_column("complaint", sa.Column("breached_ever", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("complaint", sa.Column("replied_at", app.models._types.UtcDateTime(timezone=True), nullable=True))
    from app.services.reporting.rebuild import rebuild_in_migration

    rebuild_in_migration(op.get_bind(), revision)  # the roll-ups and the two complaint columns: at REBUILT_AT


def downgrade() -> None:
    op.drop_table("report_step_day")
    op.drop_table("report_complaint_day")
    op.drop_table("report_complaint")
    # Plain DROP COLUMN (SQLite 3.35+): a batch rebuild of complaint would DROP it, and with foreign keys
    # on that deletes every row first, cascading to the tables that reference complaints.
    op.execute("ALTER TABLE complaint DROP COLUMN replied_at")
    op.execute("ALTER TABLE complaint DROP COLUMN breached_ever")
