"""Improvement actions (root cause, rectification, owner, due date, status, evaluation) with their own
hash-chained history; in-app notices that are not about a task; baseline alerts, one per day and category.

Additive (expand only).

Revision ID: 0017_improvement
Revises: 0016_incidents_log
Create Date: 2026-12-07 04:00:00
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0017_improvement"
down_revision = "0016_incidents_log"
branch_labels = None
depends_on = None


def _json():
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "improvement_action",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("root_cause", sa.Text(), nullable=False),
        sa.Column("measure", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        _at("due_at"),
        _at("warn_at"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("progress", sa.Text(), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        _at("created_at"),
        _at("updated_at"),
        _at("started_at", True),
        _at("done_at", True),
        _at("warned_at", True),
        _at("escalated_at", True),
        sa.Column("evaluation", _json(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_improvement_action_owner_id", "improvement_action", ["owner_id"])
    op.create_index("ix_improvement_action_status_due", "improvement_action", ["status", "due_at"])
    op.create_table(
        "improvement_action_complaint",
        sa.Column(
            "action_id", sa.Integer(), sa.ForeignKey("improvement_action.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("complaint_id", sa.Integer(), sa.ForeignKey("complaint.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_table(
        "improvement_action_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "action_id", sa.Integer(), sa.ForeignKey("improvement_action.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("seq", sa.Integer(), nullable=False),
        _at("at"),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("type", sa.String(48), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("data_before", _json(), nullable=True),
        sa.Column("data_after", _json(), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("action_id", "seq"),
    )
    op.create_table(
        "staff_notice",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(160), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(48), nullable=False),
        _at("at"),
        sa.Column("url_kind", sa.String(32), nullable=True),
        sa.Column("ref", sa.String(64), nullable=True),
        sa.Column("data", _json(), nullable=True),
    )
    op.create_index("ix_staff_notice_user_at", "staff_notice", ["user_id", "at"])
    op.create_table(
        "baseline_alert",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("baseline", sa.Float(), nullable=False),
        sa.Column("spread", sa.Float(), nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        _at("found_at"),
        sa.UniqueConstraint("day", "category"),
    )


def downgrade() -> None:
    for table in (
        "baseline_alert",
        "staff_notice",
        "improvement_action_event",
        "improvement_action_complaint",
        "improvement_action",
    ):
        op.drop_table(table)
