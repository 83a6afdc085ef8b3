"""Back up while serving, keep working, restore: the open complaints carry on from the backup."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import Complaint, ProcessInstance
from app.services.audit.log import verify_chain

from .flow import complete, registration, scenario

pytestmark = pytest.mark.also_postgres


def advance(api, iid: int, steps: list[dict], start: int, stop: int) -> None:
    for step in steps[start:stop]:
        r = complete(api, iid, step["task"], step["group"], step["data"])
        assert r.status_code == 200, (step["task"], r.get_json())


def test_a_restored_backup_carries_on_the_open_complaints(app, rt, api, deployed, tmp_path):
    sc = scenario("general_satisfied_first_reply")
    steps = sc["steps"]
    iids = []
    for _ in range(3):
        r = api.post("agent", "/complaints", json=registration(sc))
        assert r.status_code == 201, r.get_json()
        iids.append(r.get_json()["process_instance_id"])
    done_at_backup = [0, 2, 5]  # steps completed per complaint when the backup is taken
    for iid, done in zip(iids, done_at_backup):
        advance(api, iid, steps, 0, done)
    for user in ("agent", "dispatcher", "network", "manager"):
        api.headers(user)  # tokens issued before the backup survive the restore

    runner = app.test_cli_runner()
    backup_file = tmp_path / "complaintflow.backup"
    made = runner.invoke(args=["backup", str(backup_file)])
    assert made.exit_code == 0, made.output
    assert backup_file.stat().st_size > 0

    # Work goes on after the backup; the restore takes it back.
    advance(api, iids[0], steps, 0, 3)
    later = api.post("agent", "/complaints", json=registration(sc))
    assert later.status_code == 201

    restored = runner.invoke(args=["restore", "--yes", str(backup_file)])
    assert restored.exit_code == 0, restored.output

    with rt.db.read() as s:
        assert sorted(s.scalars(select(Complaint.instance_id))) == sorted(iids)
    for iid, done in zip(iids, done_at_backup):
        inst = api.get("manager", f"/process-instances/{iid}").get_json()
        assert [t["element_id"] for t in inst["ready_tasks"]] == [steps[done]["task"]]
        advance(api, iid, steps, done, len(steps))  # every open complaint carries on to its end
        assert api.get("manager", f"/process-instances/{iid}").get_json()["status"] == "completed"
    with rt.db.read() as s:
        assert all(verify_chain(s, iid).ok for iid in s.scalars(select(ProcessInstance.id)))


def test_restore_refuses_a_file_of_the_other_kind(app, tmp_path, db_url):
    wrong = tmp_path / "wrong.backup"
    wrong.write_bytes(b"PGDMP" + b"\0" * 64 if db_url.startswith("sqlite") else b"SQLite format 3\x00" + b"\0" * 64)
    result = app.test_cli_runner().invoke(args=["restore", "--yes", str(wrong)])
    assert result.exit_code != 0
    assert "is not" in result.output


def test_a_missing_pg_dump_is_named(monkeypatch, tmp_path):
    from app.ops import backup

    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    monkeypatch.setattr(backup.glob, "glob", lambda pattern: [])
    with pytest.raises(backup.BackupError, match="pg_dump was not found"):
        backup._binary("pg_dump")
