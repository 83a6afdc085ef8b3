"""Service tasks whose connector kept failing wait as incidents a supervisor retries (service_incident);
what a diagram's scripts print is kept per instance, bounded (instance_log).

Revision ID: 0016_incidents_log
Revises: 0015_transfers
"""

from alembic import op
import sqlalchemy as sa

from app.models._types import UtcDateTime

revision = "0016_incidents_log"
down_revision = "0015_transfers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_incident",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "instance_id", sa.Integer(), sa.ForeignKey("process_instance.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("task_id", sa.String(36), nullable=False),
        sa.Column("element_id", sa.String(128), nullable=False),
        sa.Column("element_name", sa.String(200), nullable=False),
        sa.Column("connector", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
    )
    op.create_index("ix_service_incident_instance_id", "service_incident", ["instance_id"])
    op.create_index("ix_service_incident_open", "service_incident", ["status", "instance_id"])
    op.create_table(
        "instance_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "instance_id", sa.Integer(), sa.ForeignKey("process_instance.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("element_id", sa.String(128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
    )
    op.create_index("ix_instance_log_instance", "instance_log", ["instance_id", "id"])


def downgrade() -> None:
    op.drop_table("instance_log")
    op.drop_table("service_incident")
