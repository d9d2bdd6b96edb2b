"""The event-store suite runs over both append paths, the way one recorder suite runs over
every backend: every test here that asks for ``writer_pool`` runs twice.

- ``copy``: the writer role as deployed (BYPASSRLS), appending by binary COPY;
- ``insert``: a writer that row-level security applies to, as on a managed server that does
  not grant BYPASSRLS, appending by the INSERT fallback (eventlog/store.py).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from core.config import DatabaseSettings

APPEND_PATHS = ("copy", "insert")


@pytest.fixture(scope="session")
async def rls_writer_pool(superuser_url: str, db: DatabaseSettings) -> AsyncIterator[asyncpg.Pool]:
    """Connections with the writer's grants and policies, but without BYPASSRLS."""
    role = f"writer_rls_{uuid.uuid4().hex[:8]}"
    base, _, _ = superuser_url.rpartition("/")
    url = f"{base}/{db.owner_url.rpartition('/')[2]}"
    admin = await asyncpg.connect(url)
    await admin.execute(f"CREATE ROLE {role} NOLOGIN NOBYPASSRLS IN ROLE fleet_writer")
    try:
        # ``setup`` runs at every acquire: the pool's reset on release undoes SET ROLE.
        async with asyncpg.create_pool(
            url, min_size=1, max_size=8, setup=lambda conn: conn.execute(f"SET ROLE {role}")
        ) as pool:
            yield pool
    finally:
        await admin.execute(f"DROP OWNED BY {role}; DROP ROLE {role}")
        await admin.close()


@pytest.fixture(params=APPEND_PATHS)
def writer_pool(
    request: pytest.FixtureRequest, writer_pool: asyncpg.Pool, rls_writer_pool: asyncpg.Pool
) -> asyncpg.Pool:
    """The session's writer pool, or one that row-level security applies to."""
    return writer_pool if request.param == "copy" else rls_writer_pool
