"""Per-user settings: where each user last read their notices, their saved inbox views

Additive (expand only).

Revision ID: 0013_user_settings
Revises: 0012_fcr_rounds
Create Date: 2026-12-07 02:10:00
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = "0013_user_settings"
down_revision = "0012_fcr_rounds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_setting",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=48), nullable=False),
        sa.Column(
            "value", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True
        ),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "name"),
    )


def downgrade() -> None:
    op.drop_table("user_setting")
