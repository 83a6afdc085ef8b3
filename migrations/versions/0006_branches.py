"""Branches of the flow: outage incidents, appeals, the notification outbox, survey tokens, the public
channel's request log; on complaints: e-mail, outage link, repeat flag, reopen count, compensation

Additive only (new tables, nullable or defaulted columns): safe while older processes keep serving.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 14:00:00
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
import app.models._types


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UTC = app.models._types.UtcDateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "outage_incident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("area", sa.String(length=200), nullable=False),
        sa.Column("service", sa.String(length=32), nullable=False),
        sa.Column("started_at", UTC, nullable=False),
        sa.Column("expected_fix_at", UTC, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("resolved_at", UTC, nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["app_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.create_index("ix_outage_incident_status", "outage_incident", ["status", "started_at"], unique=False)
    op.create_table(
        "outage_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("posted_by_id", sa.Integer(), nullable=True),
        sa.Column("posted_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["outage_incident.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["posted_by_id"],
            ["app_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_outage_notice_incident_id", "outage_notice", ["incident_id"], unique=False)
    op.create_table(
        "appeal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_number", sa.String(length=40), nullable=False),
        sa.Column("regulator_deadline", UTC, nullable=False),
        sa.Column("received_at", UTC, nullable=False),
        sa.Column("customer_name", sa.String(length=64), nullable=False),
        sa.Column("customer_phone", sa.String(length=20), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("fee_dispute", sa.Boolean(), nullable=False),
        sa.Column("occurred_at", UTC, nullable=False),
        sa.Column("matter", sa.Text(), nullable=False),
        sa.Column("demand", sa.Text(), nullable=True),
        sa.Column("admissible", sa.Boolean(), nullable=False),
        sa.Column("inadmissible_reason", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("closed_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaint.id"],
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instance.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_number"),
        sa.UniqueConstraint("instance_id"),
    )
    op.create_index("ix_appeal_complaint_id", "appeal", ["complaint_id"], unique=False)
    op.create_index("ix_appeal_customer_phone", "appeal", ["customer_phone"], unique=False)
    op.create_index("ix_appeal_status_received", "appeal", ["status", "received_at"], unique=False)
    # The outbox: a row per message, written in the transaction that decided it; the tick claims due rows.
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=160), nullable=False),
        sa.Column("template", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("recipient", sa.String(length=160), nullable=False),
        sa.Column("context", JSON, nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=True),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTC, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("sender", sa.String(length=32), nullable=True),
        sa.Column("provider_ref", sa.String(length=200), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("sent_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["complaint_id"], ["complaint.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instance.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    op.create_index("ix_notification_complaint_id", "notification", ["complaint_id"], unique=False)
    op.create_index("ix_notification_due", "notification", ["status", "next_attempt_at"], unique=False)
    op.create_table(
        "survey_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.Column("used_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["complaint_id"], ["complaint.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("nonce"),
    )
    op.create_index("ix_survey_token_complaint_id", "survey_token", ["complaint_id"], unique=False)
    op.create_table(
        "public_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(length=120), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_public_request_bucket", "public_request", ["bucket", "at"], unique=False)
    # New complaint columns: nullable, or with a server default for the rows already there.
    op.add_column("complaint", sa.Column("customer_email", sa.String(length=120), nullable=True))
    _add_reference("outage_incident_id", "outage_incident", "fk_complaint_outage_incident")
    op.add_column("complaint", sa.Column("is_repeat", sa.Boolean(), nullable=False, server_default=sa.false()))
    _add_reference("repeat_of_id", "complaint", "fk_complaint_repeat_of")
    op.add_column("complaint", sa.Column("reopen_count", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("complaint", sa.Column("responsibility", sa.String(length=16), nullable=True))
    op.add_column("complaint", sa.Column("compensation_type", sa.String(length=16), nullable=True))
    op.add_column("complaint", sa.Column("compensation_amount", sa.Numeric(precision=12, scale=2), nullable=True))
    op.add_column("complaint", sa.Column("compensation_status", sa.String(length=16), nullable=True))
    op.create_index("ix_complaint_outage_incident_id", "complaint", ["outage_incident_id"], unique=False)


def _add_reference(column: str, table: str, name: str) -> None:
    """A nullable foreign-key column on complaint (SQLite takes the reference inline, without ALTER CONSTRAINT)."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE complaint ADD COLUMN {column} INTEGER REFERENCES {table} (id)")
    else:
        op.add_column("complaint", sa.Column(column, sa.Integer(), nullable=True))
        op.create_foreign_key(name, "complaint", table, [column], ["id"])


def downgrade() -> None:
    op.drop_index("ix_complaint_outage_incident_id", table_name="complaint")
    with op.batch_alter_table("complaint") as batch_op:
        for name in (
            "compensation_status",
            "compensation_amount",
            "compensation_type",
            "responsibility",
            "reopen_count",
            "repeat_of_id",
            "is_repeat",
            "outage_incident_id",
            "customer_email",
        ):
            batch_op.drop_column(name)
    for table in ("public_request", "survey_token", "notification", "appeal", "outage_notice", "outage_incident"):
        op.drop_table(table)
