"""deploy/supabase/schema.sql: up to date with migrations/, and it applies to a Postgres set
up like Supabase's (an ``auth`` schema with ``auth.jwt()``, roles ``anon``/``authenticated``).
"""

from __future__ import annotations

import importlib.util
import json
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType

import asyncpg
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _builder() -> ModuleType:
    path = ROOT / "deploy" / "supabase" / "build_schema.py"
    spec = importlib.util.spec_from_file_location("build_schema", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_schema", module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


build_schema = _builder()

# What Supabase provides before any project SQL runs (auth.jwt() as Supabase defines it).
_SUPABASE_STUB = """
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN
        CREATE ROLE anon NOLOGIN NOINHERIT;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
        CREATE ROLE authenticated NOLOGIN NOINHERIT;
    END IF;
END
$$;
CREATE SCHEMA auth;
CREATE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('request.jwt.claim', true), ''),
                    nullif(current_setting('request.jwt.claims', true), ''))::jsonb
$$;
GRANT USAGE ON SCHEMA auth, public TO anon, authenticated;
GRANT EXECUTE ON FUNCTION auth.jwt() TO anon, authenticated;
-- Supabase's default: every table and function created in public is granted to these roles.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON FUNCTIONS TO anon, authenticated;
"""


def test_schema_sql_is_up_to_date_with_the_migrations() -> None:
    current = build_schema.SCHEMA.read_text(encoding="utf-8")
    assert current == build_schema.build(), (
        "deploy/supabase/schema.sql is stale: run python deploy/supabase/build_schema.py"
    )


def test_migrations_are_ordered_by_their_depends_lines(tmp_path: Path) -> None:
    (tmp_path / "0001_a.sql").write_text("SELECT 1;\n")
    (tmp_path / "0002_b.sql").write_text("-- depends: 0003_c\nSELECT 2;\n")
    (tmp_path / "0003_c.sql").write_text("-- depends: 0001_a\nSELECT 3;\n")
    (tmp_path / "0003_c.rollback.sql").write_text("SELECT 0;\n")
    ordered = build_schema.dependency_order(build_schema.read_migrations(tmp_path))
    assert [m.id for m in ordered] == ["0001_a", "0003_c", "0002_b"]


def test_a_table_a_later_migration_drops_gets_no_twin_and_no_grant() -> None:
    policy = "CREATE POLICY {t}_org ON {t} TO fleet_api USING (org_id = {org});\n"
    sql = (
        policy.format(t="kept", org=build_schema.APP_ORG)
        + policy.format(t="gone", org=build_schema.APP_ORG)
        + "DROP TABLE gone;\n"
    )
    access = build_schema.supabase_access(sql)
    assert "kept_org_supabase ON kept" in access and "GRANT SELECT ON kept TO" in access
    assert "gone" not in access


def test_every_api_policy_gets_a_jwt_twin_for_authenticated() -> None:
    sql = build_schema.build()
    dropped = {m["table"] for m in build_schema._DROP_TABLE.finditer(sql)}
    api_policies = [m for m in build_schema._POLICY.finditer(sql) if m["table"] not in dropped]
    twins = sql.count("TO authenticated\n")
    assert api_policies and twins == len(api_policies)
    assert "password_hash" not in build_schema.supabase_access(sql)
    assert "GRANT SELECT ON users" not in sql and ", users," not in sql.split("Supabase access")[1]


@pytest.fixture
async def supabase_like(superuser_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A fresh database with Supabase's auth stub, and the schema applied by a superuser."""
    name = f"supabase_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(superuser_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = superuser_url.rpartition("/")
    conn = await asyncpg.connect(f"{base}/{name}")
    try:
        await conn.execute(_SUPABASE_STUB)
        await conn.execute(build_schema.SCHEMA.read_text(encoding="utf-8"))
        yield conn
    finally:
        await conn.close()
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


async def _as(conn: asyncpg.Connection, role: str, org: uuid.UUID | None, sql: str) -> list:  # type: ignore[type-arg]
    async with conn.transaction():
        await conn.execute(f"SET LOCAL ROLE {role}")
        if org is not None:
            claims = json.dumps({"sub": str(uuid.uuid4()), "org_id": str(org)})
            await conn.execute("SELECT set_config('request.jwt.claims', $1, true)", claims)
        return list(await conn.fetch(sql))


async def test_schema_applies_and_authenticated_sees_only_its_org(
    supabase_like: asyncpg.Connection,
) -> None:
    conn = supabase_like
    orgs = [
        await conn.fetchval(
            "INSERT INTO orgs (slug, name) VALUES ($1, $1) RETURNING org_id", f"o{i}"
        )
        for i in range(2)
    ]
    for org in orgs:
        await conn.execute(
            "INSERT INTO drivers (org_id, provider, driver_id, account_id, first_seen_at, "
            "updated_at, last_position) VALUES ($1, 'uber', $2, 'a', now(), now(), 1)",
            org,
            f"d-{org}",
        )
        await conn.execute(
            "INSERT INTO users (org_id, email, password_hash, role) VALUES ($1, $2, 'x', 'admin')",
            org,
            f"{org}@example.test",
        )

    seen = await _as(conn, "authenticated", orgs[0], "SELECT org_id FROM drivers")
    assert [row["org_id"] for row in seen] == [orgs[0]]
    assert await _as(conn, "authenticated", None, "SELECT org_id FROM drivers") == []
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await _as(conn, "authenticated", orgs[0], "SELECT password_hash FROM users")
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await _as(conn, "anon", None, "SELECT * FROM drivers")
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await _as(conn, "authenticated", orgs[0], "SELECT * FROM refresh_tokens")
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await _as(conn, "authenticated", orgs[0], "DELETE FROM drivers")
    with pytest.raises(asyncpg.InsufficientPrivilegeError):  # returns password hashes
        await _as(conn, "authenticated", orgs[0], "SELECT * FROM auth_find_user('x@y.z')")
    print(
        "\n[supabase] verified: schema.sql applied on a fresh database with an auth stub; "
        "authenticated sees only its JWT org's drivers, not users' hashes; anon sees nothing"
    )
