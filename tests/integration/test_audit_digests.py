"""The audit trail's digests are stored as 32 bytes; what a manager reads, exports and checks stays the same."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import text

from .test_instance_audit import two  # noqa: F401  (the fixture: one closed complaint, one at dispatch)

pytestmark = pytest.mark.also_postgres


def stored(rt) -> list[tuple]:
    """Each event's digests as the database holds them, with their SQL type and length."""
    if rt.db.url.startswith("postgresql"):
        sql = (
            "SELECT instance_id, seq, pg_typeof(prev_hash)::text, octet_length(prev_hash), pg_typeof(hash)::text,"
            " octet_length(hash) FROM audit_event ORDER BY instance_id, seq"
        )
    else:
        sql = (
            "SELECT instance_id, seq, typeof(prev_hash), length(CAST(prev_hash AS BLOB)), typeof(hash),"
            " length(CAST(hash AS BLOB)) FROM audit_event ORDER BY instance_id, seq"
        )
    with rt.db.read() as s:
        return [tuple(r) for r in s.execute(text(sql))]


def schema(rt) -> set[str]:
    """The indexes and triggers on audit_event, by name."""
    if rt.db.url.startswith("postgresql"):
        sql = (
            "SELECT indexname FROM pg_indexes WHERE tablename = 'audit_event'"
            " UNION SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_event'::regclass AND NOT tgisinternal"
        )
    else:
        sql = "SELECT name FROM sqlite_master WHERE tbl_name = 'audit_event' AND type IN ('index', 'trigger')"
    with rt.db.read() as s:
        return set(s.scalars(text(sql)))


def trail(api, iid: int) -> list[dict]:
    return api.get("manager", f"/process-instances/{iid}/events").get_json()["items"]


def migrate(rt, target: str) -> None:
    from alembic import command

    from app.migrate import alembic_config, upgrade

    if target == "head":
        upgrade(rt.db)
        return
    cfg = alembic_config(rt.db.url)
    with rt.db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.stamp(cfg, "head", purge=True)
        command.downgrade(cfg, target)
    rt.db.dispose()  # pooled connections may hold the old table's prepared statements


def test_digests_are_stored_as_32_bytes_and_read_as_the_hex_chain(api, rt, two):  # noqa: F811
    done, running = two
    rows = stored(rt)
    assert rows and {r[2:] for r in rows} <= {("blob", 32, "blob", 32), ("bytea", 32, "bytea", 32)}
    for iid in (done["process_instance_id"], running["process_instance_id"]):
        events = trail(api, iid)
        assert all(len(e["hash"]) == 64 and e["hash"] == e["hash"].lower() for e in events)
        # each digest is SHA-256 over the previous one's hex and the event's fields, as before
        assert len({e["hash"] for e in events}) == len(events)
        assert api.get("manager", f"/process-instances/{iid}/chain").get_json()["ok"] is True


def test_migration_down_and_up_keeps_every_event_and_the_chain(app, api, rt, two):  # noqa: F811
    from .flow import complete, scenario

    done, running = two
    ids = (done["process_instance_id"], running["process_instance_id"])
    before = {iid: trail(api, iid) for iid in ids}
    objects = schema(rt)
    count = len(stored(rt))

    migrate(rt, "0020_survey_notices")
    with rt.db.read() as s:
        hexes = dict(
            ((r[0], r[1]), (r[2], r[3]))
            for r in s.execute(text("SELECT instance_id, seq, prev_hash, hash FROM audit_event"))
        )
    assert len(hexes) == count
    for iid in ids:
        prev = "0" * 64
        for e in before[iid]:
            # the old text form: the same digests, in lowercase hex, each linked to the one before
            assert hexes[(iid, e["seq"])] == (prev, e["hash"])
            prev = e["hash"]
    assert schema(rt) == objects  # the append-only triggers and the indexes came back with the table
    with rt.db.write() as s, pytest.raises(Exception, match="append-only"):
        s.execute(text("UPDATE audit_event SET reason = 'x' WHERE instance_id = :i"), {"i": ids[0]})

    migrate(rt, "head")
    assert {r[2:] for r in stored(rt)} <= {("blob", 32, "blob", 32), ("bytea", 32, "bytea", 32)}
    assert len(stored(rt)) == count
    assert schema(rt) == objects
    for iid in ids:
        assert trail(api, iid) == before[iid]  # the API reads exactly what it read before
        assert api.get("manager", f"/process-instances/{iid}/chain").get_json()["ok"] is True
    with rt.db.write() as s, pytest.raises(Exception, match="append-only"):
        s.execute(text("DELETE FROM audit_event WHERE instance_id = :i"), {"i": ids[0]})

    # the chain goes on from the converted rows: the next step's event links to the last converted digest
    step = scenario("major_complaint_supervisor_review")["steps"][4]
    assert complete(api, ids[1], step["task"], step["group"], step["data"]).status_code == 200
    after = trail(api, ids[1])
    assert after[: len(before[ids[1]])] == before[ids[1]] and len(after) > len(before[ids[1]])
    assert api.get("manager", f"/process-instances/{ids[1]}/chain").get_json()["ok"] is True
    result = app.test_cli_runner().invoke(args=["verify"])
    assert result.exit_code == 0 and "every chain intact" in result.output


def test_a_digest_is_sha256_over_the_previous_hex_and_the_fields(rt, two):  # noqa: F811
    """The stored bytes are the digest of the same text the chain always hashed (hex of the previous one)."""
    from sqlalchemy import select

    from app.models import AuditEvent
    from app.services.audit.log import _fields

    done, _ = two
    with rt.db.read() as s:
        events = s.scalars(
            select(AuditEvent).where(AuditEvent.instance_id == done["process_instance_id"]).order_by(AuditEvent.seq)
        ).all()
        raw = [
            bytes(r[0])
            for r in s.execute(
                text("SELECT hash FROM audit_event WHERE instance_id = :i ORDER BY seq"),
                {"i": done["process_instance_id"]},
            )
        ]
        prev = "0" * 64
        for e, digest in zip(events, raw):
            canonical = json.dumps(_fields(e), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
            assert digest == hashlib.sha256((prev + canonical).encode("utf-8")).digest()
            prev = digest.hex()
