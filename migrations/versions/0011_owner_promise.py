"""首问负责制 and promised dates: complaint.owner_id (the agent who owns the complaint to the end;
backfilled from who registered it), complaint.promised_at and complaint.promise_kept (a promised
date given to the customer, and whether the complaint was answered by then)

Revision ID: 0011_owner
Revises: 0010_sessions
Create Date: 2026-12-07 01:00:00
"""

from alembic import op
import sqlalchemy as sa
import app.models._types


revision = "0011_owner"
down_revision = "0010_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN, never a batch rebuild of complaint: on SQLite with foreign keys on, a rebuild
    # DROPs the table, which deletes every row first and cascades to the tables that reference it.
    op.add_column("complaint", sa.Column("owner_id", sa.Integer(), nullable=True))
    op.add_column("complaint", sa.Column("promised_at", app.models._types.UtcDateTime(timezone=True), nullable=True))
    op.add_column("complaint", sa.Column("promise_kept", sa.Boolean(), nullable=True))
    op.create_index("ix_complaint_owner", "complaint", ["owner_id", "status"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # SQLite cannot add a constraint to an existing table without that rebuild (nor drop a column a
        # foreign key names): there the column is plain, and the services only write users' ids to it.
        op.create_foreign_key("fk_complaint_owner_id", "complaint", "app_user", ["owner_id"], ["id"])
    op.execute("UPDATE complaint SET owner_id = created_by_id")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("fk_complaint_owner_id", "complaint", type_="foreignkey")
    op.drop_index("ix_complaint_owner", table_name="complaint")
    op.execute("ALTER TABLE complaint DROP COLUMN promise_kept")
    op.execute("ALTER TABLE complaint DROP COLUMN promised_at")
    op.execute("ALTER TABLE complaint DROP COLUMN owner_id")
