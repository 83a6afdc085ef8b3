"""Indexes for the satisfaction analysis, the team page and the regulator's view at 100,000 complaints.

- ``ix_human_task_late``: the steps finished after their own due time (about one in ten), by complaint. The
  satisfaction analysis counts each answered complaint's breaches; through ``ix_human_task_instance_id`` it read
  every task row of the period's complaints (444,000 for a quarter) to find them.
- ``ix_human_task_done``: completed tasks by completion time, carrying who completed them, the complaint and the
  due time, so the team page's per-person figures read the period's completions from the index alone (it had no
  index on ``completed_at`` and read the million tasks).
- ``ix_complaint_reply_times``: registration, category and the reply clock's columns, so the regulator's view counts
  a year of complaints from the index, not the wide complaint rows.

Revision ID: 0023_people_pages_indexes
Revises: 0022_dashboard_indexes
"""

import sqlalchemy as sa
from alembic import op

revision = "0023_people_pages_indexes"
down_revision = "0022_dashboard_indexes"
branch_labels = None
depends_on = None

LATE = "state = 'completed' AND completed_at > due_at"
DONE = "state = 'completed'"


def upgrade() -> None:
    op.create_index(
        "ix_human_task_late",
        "human_task",
        ["instance_id"],
        sqlite_where=sa.text(LATE),
        postgresql_where=sa.text(LATE),
    )
    op.create_index(
        "ix_human_task_done",
        "human_task",
        ["completed_at", "completed_by_id", "instance_id", "due_at"],
        sqlite_where=sa.text(DONE),
        postgresql_where=sa.text(DONE),
    )

    op.create_index(
        "ix_complaint_reply_times",
        "complaint",
        ["created_at", "category", "final_reply_due_at", "replied_at", "closed_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_complaint_reply_times", table_name="complaint")
    op.drop_index("ix_human_task_done", table_name="human_task")
    op.drop_index("ix_human_task_late", table_name="human_task")
