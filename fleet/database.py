"""Database set-up: roles and database on a server we administer, and the yoyo migrations."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from core.state import API_ROLE, DB_NAME, OWNER_ROLE, WRITER_ROLE


def migrations_dir() -> Path:
    """The folder of SQL migrations (``FLEET_MIGRATIONS_DIR`` overrides the repo's)."""
    override = os.environ.get("FLEET_MIGRATIONS_DIR")
    return Path(override) if override else Path(__file__).resolve().parents[1] / "migrations"


async def provision(superuser_url: str, passwords: dict[str, str], db_name: str = DB_NAME) -> None:
    """Create (or re-key) the three login roles and the database they use.

    Run with a superuser on a server the project administers (the embedded one, or a test
    server). The owner role applies migrations and owns every table; the writer and API roles
    get their grants from the migrations.
    """
    conn = await asyncpg.connect(superuser_url)
    try:
        roles = {
            OWNER_ROLE: ("LOGIN NOSUPERUSER", passwords["pg_owner"]),
            # BYPASSRLS lets the writer COPY into event_log: migrations/0013 says why it
            # grants nothing its policies did not already allow. The API role never has it.
            WRITER_ROLE: ("LOGIN NOSUPERUSER BYPASSRLS", passwords["pg_writer"]),
            API_ROLE: ("LOGIN NOSUPERUSER NOBYPASSRLS", passwords["pg_api"]),
        }
        for role, (options, password) in roles.items():
            exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
            verb = "ALTER" if exists else "CREATE"
            # Identifiers and passwords cannot be bound parameters in DDL; these come from our
            # own constants and generated secrets (URL-safe alphabet), never from user input.
            await conn.execute(f"{verb} ROLE {role} {options} PASSWORD '{password}'")
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", db_name):
            await conn.execute(f'CREATE DATABASE "{db_name}" OWNER {OWNER_ROLE}')
    finally:
        await conn.close()


def _yoyo_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme="postgresql+psycopg"))


def migrate(owner_url: str) -> list[str]:
    """Apply pending migrations under yoyo's lock; return the ids applied."""
    from yoyo import get_backend, read_migrations

    backend = get_backend(_yoyo_url(owner_url))
    migrations = read_migrations(str(migrations_dir()))
    with backend.lock():
        pending = backend.to_apply(migrations)
        backend.apply_migrations(pending)
    return [m.id for m in pending]
