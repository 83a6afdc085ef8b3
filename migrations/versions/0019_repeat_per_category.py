"""One repeat definition: the same phone and the same category within the window, or a reopening.

The repeat rate counted the same phone with any category; the per-complaint flag needed the same category or a
reopening (domain/metrics.is_repeat now defines both). The roll-ups keep each complaint's gap to the phone's
previous complaint *of the same category* and whether it was reopened; the rebuild recounts them.

Revision ID: 0019_repeats
Revises: 0018_progress_surveys
"""

from alembic import op
import sqlalchemy as sa

revision = "0019_repeats"
down_revision = "0018_progress_surveys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from app.services.reporting.rebuild import rebuild_in_migration

    op.add_column("report_complaint", sa.Column("reopened", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("report_complaint_day", sa.Column("reopened", sa.Integer(), nullable=False, server_default="0"))
    rebuild_in_migration(op.get_bind(), revision)


def downgrade() -> None:
    op.execute("ALTER TABLE report_complaint_day DROP COLUMN reopened")
    op.execute("ALTER TABLE report_complaint DROP COLUMN reopened")
