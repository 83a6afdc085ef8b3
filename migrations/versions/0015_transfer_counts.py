"""Transfers (转派) and returns (退单) counted on the complaint, and first-contact resolution excluding them.

The counts are backfilled from the audit trail (task.transferred, task.returned), which has recorded every
one since the first release; then the roll-ups are recounted with the new definition
(domain/metrics.first_contact_resolved), as migration 0012 did.

Revision ID: 0015_transfers
Revises: 0014_ratings
"""

from alembic import op
import sqlalchemy as sa

revision = "0015_transfers"
down_revision = "0014_ratings"
branch_labels = None
depends_on = None

COUNTS = {"transfer_count": "task.transferred", "return_count": "task.returned"}


def upgrade() -> None:
    from app.services.reporting.rebuild import rebuild_in_migration

    # Plain ADD COLUMN, never a batch rebuild of complaint (SQLite would cascade-delete on the rebuild).
    for name in COUNTS:
        op.add_column("complaint", sa.Column(name, sa.Integer(), nullable=False, server_default="0"))
    for name, event in COUNTS.items():
        op.execute(
            f"UPDATE complaint SET {name} = (SELECT COUNT(*) FROM audit_event a"
            f" WHERE a.instance_id = complaint.instance_id AND a.type = '{event}')"
            f" WHERE instance_id IN (SELECT instance_id FROM audit_event WHERE type = '{event}')"
        )
    rebuild_in_migration(op.get_bind(), revision)  # once, at the newest such migration (rebuild.REBUILT_AT)


def downgrade() -> None:
    for name in COUNTS:
        op.execute(f"ALTER TABLE complaint DROP COLUMN {name}")
