"""Row-level security on the raw history: the API role sees its org's rows and no more."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import pytest

from tests.api.seed import other_org, seed_page, seed_quarantine

RAW_TABLES = ("event_log", "provider_fetches", "quarantine")


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
    assert unset == [0, 0, 0]
    assert scoped == [{org_id}, {org_id}, {org_id}, set()]


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
    "coverage",
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


# Every (table, command) the writer holds a grant for on a table under row-level security,
# and whether a permissive policy lets it through whole: applies to it (or to everyone), for
# that command or ALL, with no condition but `true` on reads and writes. Restrictive policies
# are listed apart: any one that applies to the writer filters it.
_WRITER_POLICIES = """
SELECT c.relname AS name, cmd.name AS cmd,
       EXISTS (SELECT 1 FROM pg_policies p
               WHERE p.schemaname = 'public' AND p.tablename = c.relname
                 AND p.permissive = 'PERMISSIVE'
                 AND ('fleet_writer' = ANY (p.roles) OR 'public' = ANY (p.roles))
                 AND p.cmd IN ('ALL', cmd.name)
                 AND coalesce(p.qual, 'true') = 'true'
                 AND coalesce(p.with_check, 'true') = 'true') AS passes_all,
       EXISTS (SELECT 1 FROM pg_policies p
               WHERE p.schemaname = 'public' AND p.tablename = c.relname
                 AND p.permissive = 'RESTRICTIVE'
                 AND ('fleet_writer' = ANY (p.roles) OR 'public' = ANY (p.roles))) AS restricted
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
CROSS JOIN (VALUES ('SELECT'), ('INSERT'), ('UPDATE'), ('DELETE')) AS cmd(name)
WHERE c.relkind IN ('r', 'p') AND c.relrowsecurity
  AND has_table_privilege('fleet_writer', c.oid, cmd.name)
"""


async def test_bypassing_row_security_grants_the_writer_no_row_its_policies_did_not(
    owner_pool: asyncpg.Pool,
) -> None:
    """The writer has BYPASSRLS (to COPY into event_log) only because it changes nothing."""
    held = await owner_pool.fetch(_WRITER_POLICIES)
    filtered = [(r["name"], r["cmd"]) for r in held if not r["passes_all"] or r["restricted"]]
    assert ("event_log", "INSERT") in {(r["name"], r["cmd"]) for r in held}
    assert filtered == []


async def test_only_the_writer_bypasses_row_security(owner_pool: asyncpg.Pool) -> None:
    roles = dict(
        await owner_pool.fetch(
            "SELECT rolname, rolbypassrls FROM pg_roles "
            "WHERE rolname IN ('fleet_writer', 'fleet_api')"
        )
    )
    assert roles == {"fleet_writer": True, "fleet_api": False}
