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


# Read tables the API serves: each must stay org-scoped (the catalog test below finds them all).
SERVED_READ_TABLES = {
    "drivers",
    "uber_transactions",
    "uber_driver_status_history",
    "uber_reports",
    "bolt_companies",
    "bolt_state_logs",
}
_ORG_TABLES = """
SELECT c.relname AS name, c.relrowsecurity AS rls,
       EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid
               AND 'fleet_api'::regrole = ANY (p.polroles)
               AND pg_get_expr(p.polqual, p.polrelid) LIKE '%app.org_id%') AS api_policy,
       has_table_privilege('fleet_api', c.oid, 'SELECT') AS readable
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped
WHERE c.relkind IN ('r', 'p')
"""


async def test_every_org_scoped_table_the_api_reads_is_isolated_by_org(
    owner_pool: asyncpg.Pool,
) -> None:
    tables = {r["name"]: r for r in await owner_pool.fetch(_ORG_TABLES)}
    assert set(tables) >= SERVED_READ_TABLES
    leaky = [n for n, r in tables.items() if r["readable"] and not (r["rls"] and r["api_policy"])]
    assert leaky == []
