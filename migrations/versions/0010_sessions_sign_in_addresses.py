"""Sessions that sign-out ends on the server; sign-in failures counted per address too

``web_session`` holds one row per signed-in browser (the cookie carries only a random id), so a
cookie replayed after sign-out or past its idle or absolute limit is refused. ``sign_in_failure``
gains the address a try came from, and ``sign_in_address`` remembers where each user signed in
successfully, so that strangers' failures slow strangers, not the user. Additive (expand only).

Revision ID: 0010_sessions
Revises: 0009_text
Create Date: 2026-12-07 01:00:00
"""

from alembic import op
import sqlalchemy as sa
import app.models._types


revision = "0010_sessions"
down_revision = "0009_text"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.models._types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", app.models._types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_web_session_user_id", "web_session", ["user_id"], unique=False)
    op.create_table(
        "sign_in_address",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=45), nullable=False),
        sa.Column("at", app.models._types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username", "address"),
    )
    with op.batch_alter_table("sign_in_failure") as batch:
        batch.add_column(sa.Column("address", sa.String(length=45), nullable=True))
        batch.create_index("ix_sign_in_failure_address_at", ["address", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sign_in_failure") as batch:
        batch.drop_index("ix_sign_in_failure_address_at")
        batch.drop_column("address")
    op.drop_table("sign_in_address")
    op.drop_index("ix_web_session_user_id", table_name="web_session")
    op.drop_table("web_session")
