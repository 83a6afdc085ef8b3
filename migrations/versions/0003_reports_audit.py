"""Reports and audit: saved searches, the access log, search indexes, append-only triggers

The audit trail (audit_event) and the access log (access_log) refuse UPDATE and DELETE in the
database itself: a BEFORE UPDATE/DELETE trigger raises, on SQLite and on PostgreSQL, so a bug or
a careless hand with SQL cannot rewrite history. Someone with DDL rights can drop the triggers;
what catches that is the hash chain (`complaintflow verify`). Nothing legitimate needs to bypass
them: backups read (pg_dump, the SQLite backup API or a file copy) and restores insert into a
fresh database (pg_restore/psql load the rows before the triggers are created, COPY and INSERT
pass them anyway); wiping a test database is TRUNCATE or DROP DATABASE, which the row triggers
do not see. Deleting a process instance now fails instead of silently cascading to its trail.
A later migration that rebuilds audit_event or access_log with batch_alter_table on SQLite
drops these triggers with the old table and must create them again (see _triggers below).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 12:00:00
"""

from alembic import op
import sqlalchemy as sa
import app.models._types


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

APPEND_ONLY = ("audit_event", "access_log")

INDEXES = (
    ("complaint", "ix_complaint_created", ["created_at", "id"]),
    ("complaint", "ix_complaint_closed", ["closed_at", "id"]),
    ("complaint", "ix_complaint_category_created", ["category", "created_at"]),
    ("complaint", "ix_complaint_channel_created", ["channel", "created_at"]),
    ("complaint", "ix_complaint_severity_created", ["severity", "created_at"]),
    ("complaint", "ix_complaint_department_created", ["department", "created_at"]),
    ("complaint", "ix_complaint_suspended", ["suspended_at"]),
    ("human_task", "ix_human_task_state_due", ["state", "due_at"]),
    ("timer", "ix_timer_kind_status", ["kind", "status", "instance_id"]),
)


def _triggers(table: str) -> list[str]:
    if op.get_bind().dialect.name == "postgresql":
        return [
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION complaintflow_append_only()"
        ]
    return [
        f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        for verb in ("UPDATE", "DELETE")
    ]


def upgrade() -> None:
    op.create_table(
        "saved_search",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("params", sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("created_at", app.models._types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "name"),
    )
    op.create_index("ix_saved_search_user_id", "saved_search", ["user_id"], unique=False)
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", app.models._types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("via", sa.String(length=8), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=True),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql"), nullable=True),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaint.id"],
        ),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instance.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_access_log_complaint", "access_log", ["complaint_id", "at"], unique=False)
    op.create_index("ix_access_log_user", "access_log", ["user_id", "at"], unique=False)
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION complaintflow_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP "
            "USING ERRCODE = 'insufficient_privilege'; END $$"
        )
    for table in APPEND_ONLY:
        for statement in _triggers(table):
            op.execute(statement)


def downgrade() -> None:
    is_pg = op.get_bind().dialect.name == "postgresql"
    for table in APPEND_ONLY:
        if is_pg:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        else:
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    if is_pg:
        op.execute("DROP FUNCTION IF EXISTS complaintflow_append_only()")
    for table, name, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_index("ix_access_log_user", table_name="access_log")
    op.drop_index("ix_access_log_complaint", table_name="access_log")
    op.drop_table("access_log")
    op.drop_index("ix_saved_search_user_id", table_name="saved_search")
    op.drop_table("saved_search")
