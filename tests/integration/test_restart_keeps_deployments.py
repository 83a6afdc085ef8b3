"""A restart deploys processes/ only when a file changed, and never undoes a process owner's deployment."""

from __future__ import annotations

import hashlib
import logging
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from app.models import HumanTask, ProcessInstance, ProcessVersion
from tests.conftest import Api, make_app

from .flow import registration, scenario
from .test_model_api import complaint_upload
from .web_client import Web

ROOT = Path(__file__).resolve().parents[2]
PROCESS_NAME = 'name="投诉处理"'


@pytest.fixture
def folder(tmp_path) -> Path:
    """A copy of processes/ that a test may edit, as an operator edits the release's files."""
    target = tmp_path / "processes"
    shutil.copytree(ROOT / "processes", target)
    return target


def start(db_url, clock, tmp_path, folder):
    """What `serve` does before it serves: migrate, deploy processes/, seed the demo users."""
    app = make_app(db_url, clock, tmp_path, PROCESSES_DIR=str(folder))
    runner = app.test_cli_runner()
    for command in (["init-db"], ["deploy"], ["seed-demo"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
        if command == ["deploy"]:
            app.config["deploy_output"] = result.output
    return app


def stop(app) -> None:
    app.extensions["complaintflow"].db.dispose()


def versions(app, process_id="complaint_handling") -> list[tuple[int, bool, str]]:
    with app.extensions["complaintflow"].db.read() as s:
        return list(
            s.execute(
                select(ProcessVersion.version, ProcessVersion.is_current, ProcessVersion.source)
                .where(ProcessVersion.process_id == process_id)
                .order_by(ProcessVersion.version)
            ).all()
        )


def instances(app) -> list[tuple]:
    """Every instance as stored (its version, lock counter and state) and its tasks: what a restart must not touch."""
    with app.extensions["complaintflow"].db.read() as s:
        rows = [
            (i.id, i.process_version_id, i.version, i.status, hashlib.sha256(i.state).hexdigest())
            for i in s.scalars(select(ProcessInstance).order_by(ProcessInstance.id))
        ]
        tasks = list(
            s.execute(
                select(HumanTask.id, HumanTask.instance_id, HumanTask.state, HumanTask.due_at).order_by(HumanTask.id)
            ).all()
        )
    return rows + tasks


def register(app) -> int:
    api = Api(app.test_client())
    r = api.post("agent", "/complaints", json=registration(scenario("general_satisfied_first_reply")))
    assert r.status_code == 201, r.get_json()
    return r.get_json()["process_instance_id"]


def renamed(data: bytes, name: str) -> bytes:
    return data.replace(PROCESS_NAME.encode(), f'name="{name}"'.encode(), 1)


def test_a_restart_keeps_the_version_an_owner_deployed_and_leaves_instances_alone(db_url, clock, tmp_path, folder):
    app = start(db_url, clock, tmp_path, folder)
    on_v1 = register(app)
    owner_diagram = renamed((folder / "complaint_handling.bpmn").read_bytes(), "投诉处理（管理员修订）")
    r = Api(app.test_client()).post("owner", "/process-models", **complaint_upload(owner_diagram))
    assert r.status_code == 201 and r.get_json()["version"] == 2
    on_v2 = register(app)
    before = instances(app)
    stop(app)

    app = start(db_url, clock, tmp_path, folder)  # the restart
    try:
        assert versions(app) == [(1, False, "files"), (2, True, "owner")]
        assert "files unchanged since version 1; version 2 stays current" in app.config["deploy_output"]
        assert instances(app) == before
        with app.extensions["complaintflow"].db.read() as s:
            assert s.get(ProcessInstance, on_v1).process_version_id != s.get(ProcessInstance, on_v2).process_version_id
        started = Api(app.test_client()).post(
            "agent", "/process-instances", json={"process_id": "complaint_handling", "data": {}}
        )
        assert started.get_json()["process_version"] == 2
    finally:
        stop(app)


def test_a_restart_still_deploys_a_changed_file(db_url, clock, tmp_path, folder):
    app = start(db_url, clock, tmp_path, folder)
    running = register(app)
    before = instances(app)
    stop(app)
    path = folder / "complaint_handling.bpmn"
    path.write_bytes(renamed(path.read_bytes(), "投诉处理（新版）"))

    app = start(db_url, clock, tmp_path, folder)
    try:
        assert versions(app) == [(1, False, "files"), (2, True, "files")]
        assert versions(app, "appeal_handling") == [(1, True, "files")]  # unchanged files: no new version
        assert instances(app) == before
        with app.extensions["complaintflow"].db.read() as s:
            assert s.get(ProcessInstance, running).process_version_id == before[0][1]
    finally:
        stop(app)


def test_a_changed_file_waits_beside_an_owners_version_until_the_owner_chooses_it(
    db_url, clock, tmp_path, folder, caplog
):
    app = start(db_url, clock, tmp_path, folder)
    owner_diagram = renamed((folder / "complaint_handling.bpmn").read_bytes(), "投诉处理（管理员修订）")
    assert Api(app.test_client()).post("owner", "/process-models", **complaint_upload(owner_diagram)).status_code == 201
    stop(app)
    path = folder / "complaint_handling.bpmn"
    path.write_bytes(renamed(path.read_bytes(), "投诉处理（发布版）"))

    with caplog.at_level(logging.WARNING, logger="app.services.process_models.deployment"):
        app = start(db_url, clock, tmp_path, folder)
    try:
        assert versions(app) == [(1, False, "files"), (2, True, "owner"), (3, False, "files")]
        assert "version 3 stored from the changed files, NOT current" in app.config["deploy_output"]
        assert any("version 2, deployed by a process owner, stays current" in r.getMessage() for r in caplog.records)

        web = Web(app).login("owner")
        library = web.text("/models")
        assert 'data-testid="newer-file-version-complaint_handling"' in library
        assert "有更新的文件版本可用" in library and "存为第 3 版，但未设为当前版本" in library
        assert 'data-testid="newer-file-version-appeal_handling"' not in library
        assert "投诉处理（管理员修订）" in library and "投诉处理（发布版）" not in library  # the current version's name
        r = web.post("/models/complaint_handling/versions/3/current")
        assert r.status_code == 302
        assert versions(app) == [(1, False, "files"), (2, False, "owner"), (3, True, "files")]
        assert 'data-testid="newer-file-version-complaint_handling"' not in web.text("/models")
        assert Web(app).login("manager").client.post("/models/complaint_handling/versions/2/current").status_code in (
            400,
            403,
        )
    finally:
        stop(app)

    app = start(db_url, clock, tmp_path, folder)  # and the next restart changes nothing
    try:
        assert versions(app) == [(1, False, "files"), (2, False, "owner"), (3, True, "files")]
    finally:
        stop(app)


def test_deploy_force_makes_changed_files_current_over_an_owners_version(db_url, clock, tmp_path, folder):
    app = start(db_url, clock, tmp_path, folder)
    owner_diagram = renamed((folder / "complaint_handling.bpmn").read_bytes(), "投诉处理（管理员修订）")
    assert Api(app.test_client()).post("owner", "/process-models", **complaint_upload(owner_diagram)).status_code == 201
    path = folder / "complaint_handling.bpmn"
    path.write_bytes(renamed(path.read_bytes(), "投诉处理（发布版）"))
    try:
        held = app.test_cli_runner().invoke(args=["deploy"])
        assert held.exit_code == 0 and "version 3 stored from the changed files, NOT current" in held.output
        result = app.test_cli_runner().invoke(args=["deploy", "--force"])
        assert result.exit_code == 0, result.output
        assert versions(app) == [(1, False, "files"), (2, False, "owner"), (3, True, "files")]  # no copy as v4
    finally:
        stop(app)


def test_upgrading_an_existing_database_tells_file_versions_from_owners(tmp_path):
    """Migration 0008 backfills process_version.source from the note the folder deploy has always written."""
    from alembic import command
    from sqlalchemy import text

    from app.db import Database
    from app.migrate import alembic_config, upgrade

    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    cfg = alembic_config(db.url)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0007")
        for version, note, current in ((1, "deployed from processes/", False), (2, "改了分派规则", True)):
            conn.execute(
                text(
                    "INSERT INTO process_version (process_id, version, name, bpmn_file, files, hash, note, "
                    "deployed_at, is_current) VALUES ('p', :v, 'p', 'p.bpmn', '{}', :h, :note, "
                    "'2026-11-01 00:00:00', :cur)"
                ),
                {"v": version, "h": f"h{version}", "note": note, "cur": current},
            )
    upgrade(db)
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT version, source FROM process_version ORDER BY version")).all()
    db.dispose()
    assert [tuple(r) for r in rows] == [(1, "files"), (2, "owner")]
