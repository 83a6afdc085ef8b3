"""The survey's four ratings on the complaint row (timeliness, attitude, result, whole process; 1-5), so the
satisfaction analysis reads columns, never task data. Earlier complaints keep theirs only in task data.

Revision ID: 0014_ratings
Revises: 0013_user_settings
"""

from alembic import op
import sqlalchemy as sa

revision = "0014_ratings"
down_revision = "0013_user_settings"
branch_labels = None
depends_on = None

RATINGS = ("rating_timeliness", "rating_attitude", "rating_result", "rating_process")


def upgrade() -> None:
    # Plain ADD COLUMN, never a batch rebuild of complaint (SQLite would cascade-delete on the rebuild).
    for name in RATINGS:
        op.add_column("complaint", sa.Column(name, sa.SmallInteger(), nullable=True))


def downgrade() -> None:
    for name in RATINGS:
        op.execute(f"ALTER TABLE complaint DROP COLUMN {name}")
