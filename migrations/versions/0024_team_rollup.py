"""The team page's per-person roll-up: report_person_day and what each complaint's completions are counted under
(report_person_complaint), filled here by the app's own recount (services/reporting/people_rebuild.py).

Afresh at 100,000 complaints the page grouped a quarter's 444,000 completions into 191,000 (person, complaint)
pairs and joined each to its complaint (p95 1.2-2.3 s); the roll-up has one row per person, day, complaint key
and previous working day (docs/performance.md, Reports).

Revision ID: 0024_team_rollup
Revises: 0023_people_pages_indexes
"""

from alembic import op
import sqlalchemy as sa

revision = "0024_team_rollup"
down_revision = "0023_people_pages_indexes"
branch_labels = None
depends_on = None

COUNTERS = ("handled", "with_deadline", "on_time", "complaints", "good", "answered", "repeats", "reopened")
FLAGS = ("good", "answered", "repeat", "reopened")


def upgrade() -> None:
    from app.services.reporting.people_rebuild import rebuild_people

    op.create_table(
        "report_person_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("user_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=False),
        sa.Column("prev_day", sa.Date(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTERS),
        sa.PrimaryKeyConstraint("day", "user_id", "category", "department", "prev_day"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "report_person_complaint",
        sa.Column("complaint_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=False),
        *(sa.Column(name, sa.Boolean(), nullable=False) for name in FLAGS),
        sa.ForeignKeyConstraint(["complaint_id"], ["complaint.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("complaint_id"),
    )
    rebuild_people(op.get_bind())


def downgrade() -> None:
    op.drop_table("report_person_complaint")
    op.drop_table("report_person_day")
