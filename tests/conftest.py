"""Fixtures shared by every tier: fixed clocks, apps on SQLite and PostgreSQL, signed-in clients."""
from __future__ import annotations

import os
import shutil
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PG_URL_ENV = "COMPLAINTFLOW_TEST_PG_URL"
# Monday 2026-03-02 09:00 in Shanghai: an ordinary working morning, far from any holiday.
MONDAY_MORNING = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)


@pytest.fixture
def clock():
    from app.domain.clock import FixedClock

    return FixedClock(MONDAY_MORNING)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file made once per session and copied for each test (migrating is slow)."""
    from app.db import Database
    from app.migrate import upgrade

    path = tmp_path_factory.mktemp("template") / "template.db"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


def pg_url() -> str | None:
    return os.environ.get(PG_URL_ENV)


@pytest.fixture(scope="session")
def pg_database():
    """A fresh PostgreSQL database for the session, migrated; dropped at the end."""
    base = pg_url()
    if not base:
        pytest.skip(f"PostgreSQL tests need {PG_URL_ENV} (the README's test command sets it)")
    from sqlalchemy import create_engine, text

    from app.db import Database
    from app.migrate import upgrade

    name = f"cf_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.rsplit("/", 1)[0] + "/" + name
    db = Database(url)
    upgrade(db)
    db.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_pg(url: str) -> None:
    from sqlalchemy import create_engine, text

    import app.models  # noqa: F401
    from app.db import Base

    engine = create_engine(url)
    with engine.begin() as conn:
        names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path, sqlite_template):
    """A migrated, empty database: each test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_database")
    _truncate_pg(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path, sqlite_template):
    path = tmp_path / "test.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def make_app(url: str, clock, tmp_path: Path, **extra):
    from app import create_app
    from app.services.accounts.users import ensure_groups

    config = {
        "TESTING": True,
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "SLA_POLICY": str(ROOT / "config" / "sla.toml"),
        **extra,
    }
    app = create_app(config, clock=clock)
    ensure_groups(app.extensions["complaintflow"])
    return app


@pytest.fixture
def app(db_url, clock, tmp_path):
    app = make_app(db_url, clock, tmp_path)
    yield app
    app.extensions["complaintflow"].db.dispose()


@pytest.fixture
def rt(app):
    return app.extensions["complaintflow"]


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def demo_users(rt):
    from app.demo.users import seed_demo_users

    seed_demo_users(rt)


@pytest.fixture
def deployed(rt, demo_users):
    """processes/ deployed as the demo does."""
    from app.services.process_models.deployment import deploy_directory

    return deploy_directory(rt, ROOT / "processes")


class Api:
    """A thin JSON client that signs in as a demo user."""

    def __init__(self, client):
        self.client = client
        self._tokens: dict[str, str] = {}

    def headers(self, user: str) -> dict[str, str]:
        if user not in self._tokens:
            r = self.client.post("/api/v1/auth/token", json={"username": user, "password": "demo1234"})
            assert r.status_code == 200, r.get_json()
            self._tokens[user] = r.get_json()["token"]
        return {"Authorization": f"Bearer {self._tokens[user]}"}

    def get(self, user: str, path: str, **kw):
        return self.client.get(f"/api/v1{path}", headers=self.headers(user), **kw)

    def post(self, user: str, path: str, **kw):
        return self.client.post(f"/api/v1{path}", headers=self.headers(user), **kw)


@pytest.fixture
def api(client, demo_users):
    return Api(client)
