"""Model drafts: a process owner's diagram and forms being edited, per user

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 12:00:00
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
import app.models._types


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "model_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.String(length=128), nullable=False),
        sa.Column("bpmn", sa.Text(), nullable=False),
        sa.Column(
            "forms", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("updated_at", app.models._types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "process_id"),
    )
    with op.batch_alter_table("model_draft", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_model_draft_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("model_draft", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_model_draft_user_id"))
    op.drop_table("model_draft")
