"""The thinnest app on this stack, the reference for bench/two_workers.py: Flask + SpiffWorkflow + SQLite.

No authentication, no validation, no projection beyond the ready tasks' ids, no audit trail, no roll-ups.
Its best variant (DESIGN.md's baselines): the state is read and the engine run outside any lock, then one
short write transaction (``BEGIN IMMEDIATE``) checks the version it read and saves, on the driver's own
connection (sqlite3, no ORM). The engine is the app's seam (app/engine), so both apps serialize the same
state the same way. Run by gunicorn: ``THIN_DB=/tmp/x.db gunicorn -w 2 thin_app:app`` from bench/.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
from pathlib import Path

from flask import Flask, jsonify, request

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.engine import Engine, parse_bundle  # noqa: E402

MODEL = ROOT / "bench" / "eight_tasks.bpmn"
BUNDLE = parse_bundle({MODEL.name: MODEL.read_bytes()})
ENGINE = Engine()
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS instance (id INTEGER PRIMARY KEY, state BLOB, version INTEGER, status TEXT)",
    "CREATE TABLE IF NOT EXISTS task (id TEXT PRIMARY KEY, instance_id INTEGER)",
)

app = Flask(__name__)
_local = threading.local()


def db() -> sqlite3.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(os.environ["THIN_DB"], isolation_level=None, timeout=10)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        for statement in SCHEMA:
            conn.execute(statement)
        _local.conn = conn
    return conn


@app.post("/api/v1/process-instances")
def start():
    inst = ENGINE.start(BUNDLE, (request.get_json() or {}).get("data") or {})
    state, ready = inst.dump(), [t.id for t in inst.ready_tasks()]
    conn = db()
    conn.execute("BEGIN IMMEDIATE")
    iid = conn.execute("INSERT INTO instance (state, version, status) VALUES (?, 1, 'running')", (state,)).lastrowid
    conn.executemany("INSERT INTO task (id, instance_id) VALUES (?, ?)", [(t, iid) for t in ready])
    conn.execute("COMMIT")
    return jsonify({"id": iid, "ready_tasks": [{"id": t} for t in ready]}), 201


@app.post("/api/v1/tasks/<task_id>/complete")
def complete(task_id: str):
    conn = db()
    row = conn.execute(
        "SELECT i.id, i.state, i.version FROM task t JOIN instance i ON i.id = t.instance_id WHERE t.id = ?",
        (task_id,),
    ).fetchone()
    if row is None:
        return jsonify({"error": "no such task"}), 404
    iid, state, version = row
    inst = ENGINE.load(BUNDLE, state)  # outside the write lock
    inst.complete(task_id, (request.get_json() or {}).get("data") or {})
    new_state, ready = inst.dump(), [t.id for t in inst.ready_tasks()]
    conn.execute("BEGIN IMMEDIATE")
    saved = conn.execute(
        "UPDATE instance SET state = ?, version = version + 1, status = ? WHERE id = ? AND version = ?",
        (new_state, "completed" if inst.completed else "running", iid, version),
    ).rowcount
    if not saved:
        conn.execute("ROLLBACK")
        return jsonify({"error": "changed meanwhile"}), 409
    conn.execute("DELETE FROM task WHERE id = ?", (task_id,))
    conn.executemany("INSERT INTO task (id, instance_id) VALUES (?, ?)", [(t, iid) for t in ready])
    conn.execute("COMMIT")
    return jsonify({"next_tasks": [{"id": t} for t in ready]})


@app.get("/api/v1/openapi.json")
def ready():  # the driver's "is it up" probe
    return jsonify({})
