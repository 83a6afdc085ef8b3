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


# What a test's database holds when the test starts, by the fixtures it asks for (directly or
# through other fixtures): deploying processes/ costs more than a second and seeding the demo users
# a few hundred milliseconds, so each content is built once per session (per xdist worker) as a
# template and copied for every test that wants it.
EMPTY, USERS, DEPLOYED = "empty", "users", "deployed"


def _wanted_content(request) -> str:
    names = request.fixturenames
    if "deployed" in names:
        return DEPLOYED
    if "demo_users" in names:
        return USERS
    return EMPTY


def _fill(url: str, content: str, tmp_path: Path) -> list:
    """Seed the demo users and, for DEPLOYED, deploy processes/ into a migrated database."""
    from app.domain.clock import FixedClock
    from app.demo.users import seed_demo_users
    from app.services.process_models.deployment import deploy_directory

    app = make_app(url, FixedClock(MONDAY_MORNING), tmp_path)
    rt = app.extensions["complaintflow"]
    try:
        seed_demo_users(rt)
        return deploy_directory(rt, ROOT / "processes") if content == DEPLOYED else []
    finally:
        rt.db.dispose()


class SqliteTemplates:
    """Migrated SQLite files, one per content, made on first use and copied for each test."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.paths: dict[str, Path] = {}
        self.deployed: list = []

    def path(self, content: str) -> Path:
        if content not in self.paths:
            self.paths[content] = self._make(content)
        return self.paths[content]

    def copy(self, content: str, to: Path) -> str:
        shutil.copy(self.path(content), to)
        return f"sqlite:///{to}"

    def _make(self, content: str) -> Path:
        from app.db import Database
        from app.migrate import upgrade

        path = self.folder / f"{content}.db"
        if content == EMPTY:
            db = Database(f"sqlite:///{path}")
            upgrade(db)
            db.dispose()
        else:
            shutil.copy(self.path(USERS if content == DEPLOYED else EMPTY), path)
            deployed = _fill(f"sqlite:///{path}", content, self.folder)
            if content == DEPLOYED:
                self.deployed = deployed
        db = Database(f"sqlite:///{path}")
        with db.engine.connect() as conn:  # one self-contained file: nothing left in the WAL
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.dispose()
        return path


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory) -> SqliteTemplates:
    return SqliteTemplates(tmp_path_factory.mktemp("templates"))


@pytest.fixture(scope="session")
def sqlite_template(sqlite_templates) -> Path:
    """A migrated, empty SQLite file made once per session (migrating is slow)."""
    return sqlite_templates.path(EMPTY)


def pg_url() -> str | None:
    return os.environ.get(PG_URL_ENV)


@pytest.fixture(scope="session")
def pg_database():
    """A fresh PostgreSQL database for the session (per xdist worker), migrated; dropped at the end."""
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


class PgContents:
    """The session's PostgreSQL database, reset before each test to a content kept in memory.

    CREATE DATABASE ... TEMPLATE and DROP DATABASE, or TRUNCATE of every table, each cost about a
    second of file creation and fsync on a busy 2-core machine; deleting the few rows a test wrote and
    inserting the content's rows again costs milliseconds. session_replication_role=replica lets the
    reset pass the append-only audit triggers and the foreign keys (the tests connect as a superuser).
    """

    def __init__(self, url: str, tmp: Path):
        from sqlalchemy import create_engine

        import app.models  # noqa: F401  (every table in Base.metadata)
        from app.db import Base

        self.url, self.tmp = url, tmp
        self.engine = create_engine(url)
        self.tables = Base.metadata.sorted_tables
        self.rows: dict[str, dict[str, list[dict]]] = {EMPTY: {}}
        self.serials: list | None = None

    def reset(self, content: str) -> str:
        from sqlalchemy import text

        rows = self._rows(content)
        with self.engine.begin() as conn:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            for table in reversed(self.tables):
                conn.execute(table.delete())
            for table in self.tables:
                if rows.get(table.name):
                    conn.execute(table.insert(), rows[table.name])
            # Identities restart after the content's rows, as TRUNCATE ... RESTART IDENTITY did.
            for table, column, sequence in self._serials(conn):
                conn.execute(
                    text(
                        f'SELECT setval(\'{sequence}\', COALESCE((SELECT max("{column}") FROM "{table}"), 0)'
                        " + 1, false)"
                    )
                )
        return self.url

    def _serials(self, conn) -> list:
        if self.serials is None:
            from sqlalchemy import text

            self.serials = conn.execute(
                text(
                    "SELECT table_name, column_name, pg_get_serial_sequence(quote_ident(table_name), column_name)"
                    " FROM information_schema.columns WHERE table_schema = 'public'"
                    " AND pg_get_serial_sequence(quote_ident(table_name), column_name) IS NOT NULL"
                )
            ).all()
        return self.serials

    def _rows(self, content: str) -> dict[str, list[dict]]:
        if content not in self.rows:
            from sqlalchemy import select

            self.reset(USERS if content == DEPLOYED else EMPTY)
            _fill(self.url, content, self.tmp)
            with self.engine.connect() as conn:
                self.rows[content] = {t.name: [dict(r._mapping) for r in conn.execute(select(t))] for t in self.tables}
        return self.rows[content]


@pytest.fixture(scope="session")
def pg_contents(pg_database, tmp_path_factory):
    contents = PgContents(pg_database, tmp_path_factory.mktemp("pg-contents"))
    yield contents
    contents.engine.dispose()


def _truncate_pg(url: str) -> None:
    from sqlalchemy import create_engine, text

    import app.models  # noqa: F401
    from app.db import Base

    engine = create_engine(url)
    with engine.begin() as conn:
        names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


def pytest_generate_tests(metafunc):
    """Run on PostgreSQL too only the tests marked also_postgres (repository, concurrency, SQL dialect)."""
    if "db_url" in metafunc.fixturenames and metafunc.definition.get_closest_marker("also_postgres"):
        metafunc.parametrize(
            "db_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
        )


@pytest.fixture
def db_url(request, tmp_path, sqlite_templates):
    """A migrated database holding what the test asks for (nothing, demo users, or processes deployed).

    SQLite, and PostgreSQL as well for tests marked also_postgres."""
    content = _wanted_content(request)
    if getattr(request, "param", "sqlite") == "sqlite":
        yield sqlite_templates.copy(content, tmp_path / "test.db")
        return
    yield request.getfixturevalue("pg_contents").reset(content)


@pytest.fixture
def sqlite_url(request, tmp_path, sqlite_templates):
    return sqlite_templates.copy(_wanted_content(request), tmp_path / "test.db")


def make_app(url: str, clock, tmp_path: Path, **extra):
    from app import create_app
    from app.services.accounts.users import ensure_groups

    config = {
        "TESTING": True,
        "DATABASE_URL": url,
        "SECRET_KEY": "test-secret",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "SLA_POLICY": str(ROOT / "config" / "sla.toml"),
        "PASSWORD_HASH": "fast-for-tests",  # scrypt costs 0.1-0.2 s a sign-in; the suite signs in thousands of times
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
def demo_users():
    """The demo users (seed_demo_users): asking for it makes db_url and sqlite_url start with them."""


@pytest.fixture
def deployed(demo_users, sqlite_templates):
    """processes/ deployed as the demo does: asking for it makes db_url and sqlite_url start with them."""
    sqlite_templates.path(DEPLOYED)
    return sqlite_templates.deployed


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
