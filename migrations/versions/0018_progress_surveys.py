"""Surveys of complaints still in progress, apart from the closing survey, and who was told of each answer.

``survey_token.kind`` tells the in-progress link from the closing one (existing links are closing ones);
``progress_survey`` holds the sample (one row per complaint: never surveyed twice) and its answers;
``survey_notice`` the people each answer's audit event (``survey.answered``) was routed to.

Revision ID: 0018_progress_surveys
Revises: 0017_improvement
"""

from alembic import op
import sqlalchemy as sa

from app.models._types import UtcDateTime

revision = "0018_progress_surveys"
down_revision = "0017_improvement"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("survey_token", sa.Column("kind", sa.String(16), nullable=False, server_default="closing"))
    op.create_table(
        "progress_survey",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "complaint_id", sa.Integer(), sa.ForeignKey("complaint.id", ondelete="CASCADE"), nullable=False, unique=True
        ),
        sa.Column("sampled_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("satisfaction", sa.String(24), nullable=True),
        sa.Column("satisfaction_reason", sa.Text(), nullable=True),
        sa.Column("rating_timeliness", sa.SmallInteger(), nullable=True),
        sa.Column("rating_attitude", sa.SmallInteger(), nullable=True),
        sa.Column("rating_result", sa.SmallInteger(), nullable=True),
        sa.Column("rating_process", sa.SmallInteger(), nullable=True),
        sa.Column("low", sa.Boolean(), nullable=True),
    )
    op.create_index("ix_progress_survey_sampled_at", "progress_survey", ["sampled_at"])
    op.create_table(
        "survey_notice",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("event_id", sa.Integer(), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("survey_notice")
    op.drop_index("ix_progress_survey_sampled_at", "progress_survey")
    op.drop_table("progress_survey")
    op.execute("ALTER TABLE survey_token DROP COLUMN kind")
