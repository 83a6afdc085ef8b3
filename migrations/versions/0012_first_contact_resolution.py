"""First-contact resolution needs exactly one handling round: recount the roll-ups.

A complaint closed without any handling task (a fraud report passed to the police, a supervisor's closure)
counted as resolved at first contact. The definition changed in services/reporting/counts.py (through
domain/metrics.py); as migration 0007 says, a change of what a roll-up counts ships with a rebuild.

Revision ID: 0012_fcr_rounds
Revises: 0011_owner
"""

from __future__ import annotations

from alembic import op

revision = "0012_fcr_rounds"
down_revision = "0011_owner"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from app.services.reporting.rebuild import rebuild_in_migration

    rebuild_in_migration(op.get_bind(), revision)  # once, at the newest such migration (rebuild.REBUILT_AT)


def downgrade() -> None:
    pass  # the older count is a worse definition of the same columns: nothing to undo in the schema
