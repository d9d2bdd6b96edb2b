"""Bringing a database to the current schema, with its default tenant."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from uuid import UUID

import asyncpg

from core.config import database_configured, load_database, state_dir
from core.state import load_secrets
from fleet.accounts import ensure_org
from fleet.database import migrate, provision
from fleet.postgres import EmbeddedPostgres

DEFAULT_ORG_NAME = "AA DENIS MOBILITÉS"


def prepare_database(env: Mapping[str, str]) -> list[str]:
    """Provision (embedded default only), migrate, and create the default org."""
    if not database_configured(env):
        state = state_dir(env)
        server = EmbeddedPostgres(state)
        port = server.running_port()
        if port is None:
            raise RuntimeError("the embedded PostgreSQL is not running")
        asyncio.run(provision(server.superuser_url(port), load_secrets(state)))
    db = load_database(env)
    applied = migrate(db.owner_url)
    asyncio.run(_default_org(db.owner_url, env))
    return applied


async def _default_org(owner_url: str, env: Mapping[str, str]) -> UUID:
    conn = await asyncpg.connect(owner_url)
    try:
        return await ensure_org(
            conn, env.get("FLEET_ORG_SLUG", "default"), env.get("FLEET_ORG_NAME", DEFAULT_ORG_NAME)
        )
    finally:
        await conn.close()
