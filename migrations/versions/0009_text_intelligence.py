"""Text features: imported history, versioned classifier models, suggestions and decisions, bursts

Revision ID: 0009_text
Revises: 0008_source
Create Date: 2026-12-07 01:00:00
"""

from alembic import op
import sqlalchemy as sa
import app.models._types


revision = "0009_text"
down_revision = "0008_source"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")
UTC = app.models._types.UtcDateTime()


def upgrade() -> None:
    op.create_table(
        "history_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("errors", JSON, nullable=False),
        sa.Column("label_map", JSON, nullable=False),
        sa.Column("taxonomy", sa.String(length=16), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("finished_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "history_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), sa.ForeignKey("history_import.id", ondelete="CASCADE"), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("special_type", sa.String(length=32), nullable=True),
        sa.Column("severity", sa.String(length=16), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("customer_phone", sa.String(length=20), nullable=True),
        sa.Column("department", sa.String(length=32), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("occurred_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_history_record_import_id", "history_record", ["import_id"])
    op.create_table(
        "text_model",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("blob", sa.LargeBinary(), nullable=False),
        sa.Column("trained_texts", sa.Integer(), nullable=False),
        sa.Column("sources", JSON, nullable=False),
        sa.Column("evaluation", JSON, nullable=True),
        sa.Column("trained_seconds", sa.Float(), nullable=True),
        sa.Column("trained_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version"),
    )
    op.create_index("ix_text_model_is_current", "text_model", ["is_current"])
    op.create_table(
        "text_suggestion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), sa.ForeignKey("complaint.id", ondelete="CASCADE"), nullable=True),
        sa.Column("model_version", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("suggested", JSON, nullable=False),
        sa.Column("decided", JSON, nullable=False),
        sa.Column("overridden", sa.Boolean(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("decided_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_text_suggestion_complaint", "text_suggestion", ["complaint_id", "created_at"])
    op.create_table(
        "burst_suggestion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=200), nullable=False),
        sa.Column("terms", JSON, nullable=False),
        sa.Column("complaint_ids", JSON, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("incident_id", sa.Integer(), sa.ForeignKey("outage_incident.id"), nullable=True),
        sa.Column("window_start", UTC, nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("decided_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("decided_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_burst_suggestion_status", "burst_suggestion", ["status", "created_at"])


def downgrade() -> None:
    for table in ("burst_suggestion", "text_suggestion", "text_model", "history_record", "history_import"):
        op.drop_table(table)
