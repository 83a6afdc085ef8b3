"""首问负责制 and promised dates: complaint.owner_id (the agent who owns the complaint to the end;
backfilled from who registered it), complaint.promised_at and complaint.promise_kept (a promised
date given to the customer, and whether the complaint was answered by then)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 01:00:00
"""
from alembic import op
import sqlalchemy as sa
import app.models._types


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('promised_at', app.models._types.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('promise_kept', sa.Boolean(), nullable=True))
        batch_op.create_index('ix_complaint_owner', ['owner_id', 'status'], unique=False)
        batch_op.create_foreign_key('fk_complaint_owner_id', 'app_user', ['owner_id'], ['id'])
    op.execute('UPDATE complaint SET owner_id = created_by_id')


def downgrade() -> None:
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_constraint('fk_complaint_owner_id', type_='foreignkey')
        batch_op.drop_index('ix_complaint_owner')
        batch_op.drop_column('promise_kept')
        batch_op.drop_column('promised_at')
        batch_op.drop_column('owner_id')
