"""Row-level security on the raw history: the API role sees its org's rows and no more."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import pytest

from tests.api.seed import other_org, seed_page, seed_quarantine

RAW_TABLES = ("event_log", "provider_fetches", "quarantine", "entity_observations")


async def test_the_api_role_sees_only_the_org_it_set(
    db_api_pool: asyncpg.Pool,
    writer_pool: asyncpg.Pool,
    owner_pool: asyncpg.Pool,
    org_id: UUID,
) -> None:
    theirs = await other_org(owner_pool, org_id)
    for org in (org_id, theirs):
        await seed_page(writer_pool, org, ["d-rls"])
        await seed_quarantine(writer_pool, org, b"{", "truncated")
    await owner_pool.execute(
        "INSERT INTO provider_accounts (org_id, provider, account_id) VALUES ($1, 'uber', 'a')",
        theirs,
    )
    async with db_api_pool.acquire() as conn, conn.transaction():
        unset = [await conn.fetchval(f"SELECT count(*) FROM {t}") for t in RAW_TABLES]  # noqa: S608
        await conn.execute("SELECT set_config('app.org_id', $1, true)", str(org_id))
        scoped = [
            {r[0] for r in await conn.fetch(f"SELECT DISTINCT org_id FROM {t}")}  # noqa: S608
            for t in (*RAW_TABLES, "provider_accounts")
        ]
    assert unset == [0, 0, 0, 0]
    assert scoped == [{org_id}, {org_id}, {org_id}, {org_id}, set()]


async def test_the_api_role_cannot_read_bodies_tokens_or_login_failures_directly(
    db_api_pool: asyncpg.Pool,
) -> None:
    for table in ("provider_responses", "refresh_tokens", "login_failures"):
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await db_api_pool.fetchval(f"SELECT count(*) FROM {table}")  # noqa: S608


async def test_the_api_role_cannot_write_the_history(
    db_api_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    fetch_id, _, _ = await seed_page(writer_pool, org_id, ["d-ro"])
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await db_api_pool.execute("DELETE FROM provider_fetches WHERE fetch_id = $1", fetch_id)
