"""The audit trail's two SHA-256 digests (prev_hash, hash) stored as their 32 bytes instead of 64 hex
characters: 64 bytes less per event, about 640 per finished complaint. The chain is still computed over
the hex text and every reader sees hex (models/_types.Sha256Digest), so the check and the exports do
not change; only the stored form does.

PostgreSQL: one ALTER TABLE with ``USING decode(.., 'hex')`` for both columns, one rewrite of the table
in a single pass (no row triggers fire, no dead rows left behind; batched UPDATEs would leave a second
copy of every row to vacuum, the opposite of the goal).
SQLite cannot change a column's type: the table is rebuilt, its rows copied into the new table in
batches of ids with the digests converted on the way (an UPDATE in place would meet the append-only
triggers), then its indexes and triggers (migration 0003) are created again.

Revision ID: 0021_audit_digests
Revises: 0020_survey_notices
"""

import re

from alembic import op
import sqlalchemy as sa

revision = "0021_audit_digests"
down_revision = "0020_survey_notices"
branch_labels = None
depends_on = None

BATCH = 200_000  # ids per INSERT ... SELECT on SQLite
COLUMNS = ("prev_hash", "hash")


def _unhex(value):
    return None if value is None else bytes.fromhex(value)


def _rebuild_sqlite(old_type: str, new_type: str, convert: str) -> None:
    """Copy audit_event into a table whose digest columns are declared ``new_type``, converting them."""
    bind = op.get_bind()
    bind.connection.driver_connection.create_function("cf_unhex", 1, _unhex, deterministic=True)
    ddl = bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'audit_event'")).scalar()
    extras = [
        sql
        for (sql,) in bind.execute(
            sa.text(
                "SELECT sql FROM sqlite_master WHERE tbl_name = 'audit_event' AND type IN ('index', 'trigger')"
                " AND sql IS NOT NULL"
            )
        )
    ]
    for column in COLUMNS:
        declared = f"\t{column} {old_type} NOT NULL"
        assert declared in ddl, f"audit_event.{column} is not declared {old_type}"
        ddl = ddl.replace(declared, f"\t{column} {new_type} NOT NULL")
    names = [row[1] for row in bind.execute(sa.text("PRAGMA table_info(audit_event)"))]
    selected = ", ".join(convert.format(n) if n in COLUMNS else n for n in names)
    # After an earlier rebuild SQLite keeps the renamed table's name quoted: CREATE TABLE "audit_event".
    op.execute(re.sub(r'^CREATE TABLE "?audit_event"?', "CREATE TABLE audit_event_new", ddl))
    top = bind.execute(sa.text("SELECT coalesce(max(id), 0) FROM audit_event")).scalar()
    for low in range(0, top, BATCH):
        bind.execute(
            sa.text(
                f"INSERT INTO audit_event_new ({', '.join(names)}) SELECT {selected} FROM audit_event"
                " WHERE id > :low AND id <= :high ORDER BY id"
            ),
            {"low": low, "high": low + BATCH},
        )
    op.execute("DROP TABLE audit_event")  # its triggers and indexes go with it
    op.execute("ALTER TABLE audit_event_new RENAME TO audit_event")
    for sql in extras:
        op.execute(sql)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE audit_event"
            " ALTER COLUMN prev_hash TYPE bytea USING decode(prev_hash, 'hex'),"
            " ALTER COLUMN hash TYPE bytea USING decode(hash, 'hex')"
        )
    else:
        _rebuild_sqlite("VARCHAR(64)", "BLOB", "cf_unhex({})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE audit_event"
            " ALTER COLUMN prev_hash TYPE varchar(64) USING encode(prev_hash, 'hex'),"
            " ALTER COLUMN hash TYPE varchar(64) USING encode(hash, 'hex')"
        )
    else:
        _rebuild_sqlite("BLOB", "VARCHAR(64)", "lower(hex({}))")
