"""process_version.source: whether a version came from the processes/ folder or from a process owner

Start-up deploys processes/ only when a file changed since it was last deployed from files, and never
makes it current over an owner's deployment: both need to know which versions came from files.
Backfilled from the note the folder deploy has always written. Additive (a defaulted column).

Revision ID: 0008_source
Revises: 0007
Create Date: 2026-12-07 01:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0008_source"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("process_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=8), server_default="owner", nullable=False))
    op.execute(
        "UPDATE process_version SET source = 'files' WHERE note = 'deployed from processes/' AND deployed_by_id IS NULL"
    )


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+ has one): batch mode would copy and drop process_version,
    # which the instances' foreign keys refuse once there is data.
    op.drop_column("process_version", "source")
