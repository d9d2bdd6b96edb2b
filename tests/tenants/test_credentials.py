"""Stored provider credentials: sealed with the key, readable by ingest's role only."""

from __future__ import annotations

import logging
import uuid
from uuid import UUID

import asyncpg
import pytest
from cryptography.fernet import MultiFernet

from core.config import ConfigError
from core.credentials import load_credentials_key, new_key, open_sealed
from fleet.tenants import Credentials, rotate_credentials, set_credentials, set_disabled
from ingest.tenants import enabled_tenants

SECRET = "s3cret-" + uuid.uuid4().hex


def box(*keys: str) -> MultiFernet:
    return load_credentials_key({"FLEET_CREDENTIALS_KEY": ",".join(keys)})


async def store(pool: asyncpg.Pool, org_id: UUID, key: str, provider: str = "bolt") -> None:
    async with pool.acquire() as conn:
        await set_credentials(conn, box(key), str(org_id), Credentials(provider, "cid", SECRET))


async def test_the_api_role_cannot_read_stored_credentials_not_even_its_orgs(
    db_api_pool: asyncpg.Pool, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await store(owner_pool, org_id, new_key())
    async with db_api_pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT set_config('app.org_id', $1, true)", str(org_id))
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.fetchval("SELECT count(*) FROM provider_credentials")


async def test_the_writer_reads_every_orgs_stored_credentials(
    writer_pool: asyncpg.Pool, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await store(owner_pool, org_id, new_key())
    assert (
        await writer_pool.fetchval(
            "SELECT client_id FROM provider_credentials WHERE org_id = $1", org_id
        )
        == "cid"
    )


async def test_a_wrong_key_idles_that_org_naming_it_and_the_provider_never_the_secret(
    writer_pool: asyncpg.Pool,
    owner_pool: asyncpg.Pool,
    org_id: UUID,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await store(owner_pool, org_id, new_key())
    slug = await owner_pool.fetchval("SELECT slug FROM orgs WHERE org_id = $1", org_id)
    env = {"FLEET_CREDENTIALS_KEY": new_key(), "FLEET_ORG_SLUG": slug}
    with caplog.at_level(logging.ERROR):
        [mine] = [t for t in await enabled_tenants(writer_pool, env) if t.org_id == org_id]
    assert mine.bolt is None
    assert f"the stored bolt credentials of org {slug} do not open" in caplog.text
    assert SECRET not in caplog.text


async def test_prod_refuses_a_missing_or_malformed_key_by_its_name() -> None:
    with pytest.raises(ConfigError, match="FLEET_CREDENTIALS_KEY must be set"):
        load_credentials_key({"APP_ENV": "prod"})
    with pytest.raises(ConfigError, match="FLEET_CREDENTIALS_KEY holds a malformed key") as err:
        load_credentials_key({"APP_ENV": "prod", "FLEET_CREDENTIALS_KEY": "not-a-key-" + SECRET})
    assert SECRET not in str(err.value)


async def test_a_key_rotation_seals_every_secret_with_the_first_key_or_none(
    owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    old, new = new_key(), new_key()
    await store(owner_pool, org_id, old, "uber")
    async with owner_pool.acquire() as conn:
        rollback = conn.transaction()
        await rollback.start()  # the other tests' secrets, under keys of their own, come back
        try:
            await conn.execute("DELETE FROM provider_credentials WHERE org_id <> $1", org_id)
            with pytest.raises(ConfigError, match="do not open"):
                await rotate_credentials(conn, box(new))  # the old key is missing: no write
            assert await rotate_credentials(conn, box(new, old)) == 1
            token = await conn.fetchval("SELECT secret_encrypted FROM provider_credentials")
        finally:
            await rollback.rollback()
    assert open_sealed(box(new), token, "org", "uber") == SECRET


async def test_ingest_polls_an_org_with_stored_credentials_until_it_is_disabled(
    writer_pool: asyncpg.Pool, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    key = new_key()
    await store(owner_pool, org_id, key)
    env = {"FLEET_CREDENTIALS_KEY": key, "FLEET_ORG_SLUG": "default"}
    await owner_pool.execute(
        "INSERT INTO orgs (slug, name) VALUES ('default', 'Default') ON CONFLICT DO NOTHING"
    )
    [mine] = [t for t in await enabled_tenants(writer_pool, env) if t.org_id == org_id]
    assert mine.bolt is not None and mine.bolt.client_secret == SECRET and not mine.default

    async with owner_pool.acquire() as conn:
        await set_disabled(conn, str(org_id), disabled=True)
    # Read at ingest's start: the next start leaves the disabled org out.
    assert org_id not in {t.org_id for t in await enabled_tenants(writer_pool, env)}
