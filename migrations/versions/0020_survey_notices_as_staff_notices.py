"""Survey answers reach people as staff notices (services/notifications/staff.py, migration 0017's table), the
one store of notices that are not about a task, so migration 0018's ``survey_notice`` goes; its rows become
staff notices, each under the key the routing writes (``survey:<event>:<user>``).

Revision ID: 0020_survey_notices
Revises: 0019_repeats
"""

from alembic import op
import sqlalchemy as sa

revision = "0020_survey_notices"
down_revision = "0019_repeats"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from app.models._types import JsonType, UtcDateTime

    notice = sa.table("survey_notice", sa.column("user_id", sa.Integer), sa.column("event_id", sa.Integer))
    event = sa.table(
        "audit_event",
        sa.column("id", sa.Integer),
        sa.column("instance_id", sa.Integer),
        sa.column("at", UtcDateTime(timezone=True)),
        sa.column("data_after", JsonType),
    )
    complaint = sa.table(
        "complaint", sa.column("id", sa.Integer), sa.column("instance_id", sa.Integer), sa.column("number", sa.String)
    )
    staff = sa.table(
        "staff_notice",
        sa.column("key", sa.String),
        sa.column("user_id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("at", UtcDateTime(timezone=True)),
        sa.column("url_kind", sa.String),
        sa.column("ref", sa.String),
        sa.column("data", JsonType),
    )
    rows = (
        op.get_bind()
        .execute(
            sa.select(
                notice.c.user_id, notice.c.event_id, event.c.at, event.c.data_after, complaint.c.id, complaint.c.number
            )
            .join(event, event.c.id == notice.c.event_id)
            .join(complaint, complaint.c.instance_id == event.c.instance_id)
        )
        .all()
    )
    for user_id, event_id, at, after, complaint_id, number in rows:
        after = after or {}
        op.execute(
            staff.insert().values(
                key=f"survey:{event_id}:{user_id}",
                user_id=user_id,
                kind="survey.low" if after.get("low") else "survey.answered",
                at=at,
                url_kind="complaint",
                ref=str(complaint_id),
                data={"number": number, **{k: after.get(k) for k in ("kind", "satisfaction", "low")}},
            )
        )
    op.drop_table("survey_notice")


def downgrade() -> None:
    op.create_table(
        "survey_notice",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("event_id", sa.Integer(), primary_key=True),
    )
    op.execute("DELETE FROM staff_notice WHERE url_kind = 'complaint'")
