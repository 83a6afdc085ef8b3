"""Back up and restore the whole database, consistent while the app keeps serving.

SQLite: the online backup API copies a consistent snapshot (in WAL mode a reader, so writers go
on); a restore copies the backup's pages over the live file under SQLite's own write lock.
PostgreSQL: ``pg_dump --format=custom`` (a consistent snapshot by itself); a restore empties the
schema and loads the dump in ONE transaction (``pg_restore -f - | psql --single-transaction``),
so it either replaces everything or changes nothing. Ids in a restored database may be handed
out again, and every process caches deployed models by version id: stop the app and scheduler
processes before a restore and start them after (docs/deploy.md).
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url

from ..db import Database

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"

# Empty the schema before loading: tables (and their triggers), sequences and functions in public.
_EMPTY_PUBLIC = """
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
    EXECUTE format('DROP TABLE IF EXISTS public.%I CASCADE', r.tablename);
  END LOOP;
  FOR r IN SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' LOOP
    EXECUTE format('DROP SEQUENCE IF EXISTS public.%I CASCADE', r.sequencename);
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS f FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = 'public' LOOP
    EXECUTE 'DROP FUNCTION IF EXISTS ' || r.f || ' CASCADE';
  END LOOP;
END $$;
"""


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why and what to do."""


def backup(db: Database, path: Path) -> str:
    """Write a consistent copy of the database to path; return a one-line description."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if db.is_sqlite:
        _sqlite_backup(_sqlite_file(db), path)
        return f"SQLite backup written to {path} ({path.stat().st_size} bytes)"
    _run(
        [
            _binary("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-acl",
            f"--file={path}",
            f"--dbname={_libpq_url(db.url)}",
        ],
        "pg_dump",
    )
    return f"PostgreSQL dump (custom format) written to {path} ({path.stat().st_size} bytes)"


def restore(db: Database, path: Path) -> str:
    """Replace the database's content with a backup made by backup(); return a one-line description."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    head = _head(path)
    db.dispose()  # no pooled connection of ours holds the old file or tables
    if db.is_sqlite:
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError(f"{path} is not an SQLite backup (this database is SQLite)")
        _sqlite_restore(path, _sqlite_file(db))
        return f"SQLite database {_sqlite_file(db)} restored from {path}"
    if not head.startswith(PGDUMP_MAGIC):
        raise BackupError(f"{path} is not a pg_dump custom-format file (this database is PostgreSQL)")
    _pg_restore(db.url, path)
    return f"PostgreSQL database restored from {path}"


# -- SQLite ---------------------------------------------------------------------------------------


def _sqlite_file(db: Database) -> Path:
    name = make_url(db.url).database
    if not name or name == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(name)


def _sqlite_backup(source: Path, target: Path) -> None:
    tmp = target.with_name(target.name + ".partial")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(tmp)
    try:
        src.backup(dst)  # one step: a read snapshot; in WAL mode writers are not blocked
        dst.execute("PRAGMA journal_mode=DELETE")  # a self-contained single file
    finally:
        dst.close()
        src.close()
    os.replace(tmp, target)


def _sqlite_restore(backup_file: Path, live: Path) -> None:
    src = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    try:
        if src.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"{backup_file} fails SQLite's integrity check")
        if src.execute("SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'").fetchone()[0] != 1:
            raise BackupError(f"{backup_file} is not a complaintflow database (no alembic_version)")
        live.parent.mkdir(parents=True, exist_ok=True)
        dst = sqlite3.connect(live, timeout=30)
        try:
            src.backup(dst)  # takes the live file's write lock; other connections see the result after
            dst.execute("PRAGMA journal_mode=WAL")
        finally:
            dst.close()
    except sqlite3.Error as exc:
        raise BackupError(f"restore failed: {exc}") from exc
    finally:
        src.close()


# -- PostgreSQL -----------------------------------------------------------------------------------


def _libpq_url(url: str) -> str:
    """The SQLAlchemy URL as libpq understands it (no +driver)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0,
    )
    if candidates:
        return candidates[-1]
    raise BackupError(
        f"{name} was not found: install the PostgreSQL client programs of the server's major "
        f"version (Debian: apt-get install postgresql-client) or put {name} on PATH"
    )


def _run(cmd: list[str], what: str) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{what} failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}")


def _pg_restore(url: str, path: Path) -> None:
    pg_restore, psql = _binary("pg_restore"), _binary("psql")
    env = {**os.environ, "PGOPTIONS": "-c lock_timeout=30s"}  # fail, not hang, if a process still holds a table
    with tempfile.TemporaryFile("w+") as errors:
        dump = subprocess.Popen(
            [pg_restore, "--no-owner", "--no-acl", "--file=-", str(path)], stdout=subprocess.PIPE, stderr=errors
        )
        load = subprocess.Popen(
            [
                psql,
                "--no-psqlrc",
                "--quiet",
                "--single-transaction",
                "-v",
                "ON_ERROR_STOP=1",
                f"--dbname={_libpq_url(url)}",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            env=env,
        )
        try:
            load.stdin.write(_EMPTY_PUBLIC.encode())
            shutil.copyfileobj(dump.stdout, load.stdin)
        except BrokenPipeError:
            pass  # psql stopped on an error; its message is in errors
        finally:
            load.stdin.close()
            dump.stdout.close()
        dump_rc, load_rc = dump.wait(), load.wait()
        if dump_rc or load_rc:
            errors.seek(0)
            raise BackupError(
                f"restore failed and changed nothing (pg_restore exit {dump_rc}, psql exit {load_rc}): "
                f"{errors.read().strip()[-2000:]}"
            )


def _head(path: Path) -> bytes:
    with open(path, "rb") as f:
        return f.read(16)
