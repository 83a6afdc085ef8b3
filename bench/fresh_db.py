"""A fresh PostgreSQL database for a bench run: the benches that take --db drop and create it first."""

from __future__ import annotations


def recreate_postgresql(url: str) -> str:
    """Drop the database the URL names (closing its connections) and create it empty; return the URL."""
    from sqlalchemy import create_engine, text

    base, name = url.rsplit("/", 1)
    admin = create_engine(base + "/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return url
