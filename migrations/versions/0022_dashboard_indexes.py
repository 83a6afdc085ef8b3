"""Two indexes for the dashboard's complaint reads, which read the complaint table itself at 100,000 complaints.

- 承诺兑现 (promises): complaints whose promised date falls in the period had no index and were found by reading
  every complaint row, whatever the period (``ix_complaint_promised``).
- The period's closed complaints split by the customer's answer (``resolution.solved_confirmed``) found them
  through ``ix_complaint_status_created`` and then read each row for its satisfaction: the index now carries
  it, so the count reads the index alone. The open-complaint reads use the same index as before.

Revision ID: 0022_dashboard_indexes
Revises: 0021_audit_digests
"""

from alembic import op

revision = "0022_dashboard_indexes"
down_revision = "0021_audit_digests"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_complaint_promised", "complaint", ["promised_at"])
    op.drop_index("ix_complaint_status_created", table_name="complaint")
    op.create_index("ix_complaint_status_created", "complaint", ["status", "created_at", "satisfaction"])


def downgrade() -> None:
    op.drop_index("ix_complaint_status_created", table_name="complaint")
    op.create_index("ix_complaint_status_created", "complaint", ["status", "created_at"])
    op.drop_index("ix_complaint_promised", table_name="complaint")
