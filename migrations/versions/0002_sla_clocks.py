"""SLA clocks: calendar overrides, official years, extension requests, complaint clocks, suspension

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 11:26:42.150580
"""

from alembic import op
import sqlalchemy as sa
import app.models._types


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_revision",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("changed_at", app.models._types.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    # The one counter row every process polls to know when to reload its calendar.
    op.bulk_insert(
        sa.table("calendar_revision", sa.column("id", sa.Integer), sa.column("revision", sa.Integer)),
        [{"id": 1, "revision": 0}],
    )
    op.create_table(
        "calendar_override",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("is_workday", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", app.models._types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["app_user.id"],
        ),
        sa.PrimaryKeyConstraint("day"),
    )
    op.create_table(
        "calendar_year",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("notice", sa.Text(), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column("entered_at", app.models._types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entered_by_id"],
            ["app_user.id"],
        ),
        sa.PrimaryKeyConstraint("year"),
    )
    op.create_table(
        "extension_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=True),
        sa.Column("hours", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.models._types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", app.models._types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("old_due_at", app.models._types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("new_due_at", app.models._types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instance.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["app_user.id"],
        ),
        sa.ForeignKeyConstraint(["task_id"], ["human_task.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("extension_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_extension_request_instance_id"), ["instance_id"], unique=False)
        batch_op.create_index("ix_extension_request_status", ["status", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_extension_request_task_id"), ["task_id"], unique=False)

    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("first_reply_due_at", app.models._types.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("first_reply_warn_at", app.models._types.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("final_reply_due_at", app.models._types.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("final_reply_warn_at", app.models._types.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("clocks_provisional", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("suspended_at", app.models._types.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("suspend_reason", sa.Text(), nullable=True))

    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sla_paused_at", app.models._types.UtcDateTime(timezone=True), nullable=True))

    with op.batch_alter_table("timer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("provisional", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("timer", schema=None) as batch_op:
        batch_op.drop_column("provisional")

    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_column("sla_paused_at")

    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.drop_column("suspend_reason")
        batch_op.drop_column("suspended_at")
        batch_op.drop_column("clocks_provisional")
        batch_op.drop_column("final_reply_warn_at")
        batch_op.drop_column("final_reply_due_at")
        batch_op.drop_column("first_reply_warn_at")
        batch_op.drop_column("first_reply_due_at")

    with op.batch_alter_table("extension_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_extension_request_task_id"))
        batch_op.drop_index("ix_extension_request_status")
        batch_op.drop_index(batch_op.f("ix_extension_request_instance_id"))

    op.drop_table("extension_request")
    op.drop_table("calendar_year")
    op.drop_table("calendar_override")
    op.drop_table("calendar_revision")
