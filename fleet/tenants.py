"""Tenants and their provider credentials, administered with the owner's connection.

``fleet orgs create|list|disable|enable`` and ``fleet credentials set|list|delete|rotate``
(fleet/tenant_commands.py). Secrets are sealed (core/credentials.py) before they reach the
database, and nothing here returns one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from uuid import UUID

import asyncpg
from cryptography.fernet import MultiFernet

from core.credentials import reseal, seal
from fleet.accounts import AccountError, find_org

PROVIDERS = ("uber", "bolt")

_ORGS = """
SELECT o.slug, o.name, o.org_id, o.created_at, o.disabled_at,
       (SELECT count(*) FROM users u WHERE u.org_id = o.org_id) AS users,
       (SELECT string_agg(c.provider, ',' ORDER BY c.provider) FROM provider_credentials c
        WHERE c.org_id = o.org_id) AS stored
FROM orgs o ORDER BY o.created_at, o.slug
"""
_SET = """
INSERT INTO provider_credentials
    (org_id, provider, client_id, secret_encrypted, auth_url, base_url, extra)
VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)
ON CONFLICT (org_id, provider) DO UPDATE SET
    client_id = excluded.client_id, secret_encrypted = excluded.secret_encrypted,
    auth_url = excluded.auth_url, base_url = excluded.base_url, extra = excluded.extra,
    updated_at = now()
"""
_LIST = """
SELECT o.slug, c.provider, c.client_id, c.auth_url, c.base_url, c.extra::text, c.updated_at
FROM provider_credentials c JOIN orgs o ON o.org_id = c.org_id ORDER BY o.slug, c.provider
"""


async def create_org(conn: asyncpg.Connection, slug: str, name: str) -> UUID:
    """A new tenant; AccountError when the slug is taken or malformed."""
    try:
        org_id = await conn.fetchval(
            "INSERT INTO orgs (slug, name) VALUES ($1, $2) RETURNING org_id", slug, name
        )
    except asyncpg.UniqueViolationError:
        raise AccountError(f"an org {slug!r} exists already") from None
    except asyncpg.CheckViolationError:
        raise AccountError(
            "slug must be lowercase letters, digits and dashes, starting with a letter or digit"
        ) from None
    return UUID(str(org_id))


async def list_orgs(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    """Every tenant with its state, its number of users and the providers it has stored."""
    return list(await conn.fetch(_ORGS))


_REVOKE_SESSIONS = """
UPDATE refresh_tokens SET revoked_at = now()
WHERE revoked_at IS NULL AND user_id IN (SELECT user_id FROM users WHERE org_id = $1)
"""


async def set_disabled(conn: asyncpg.Connection, org: str, disabled: bool) -> UUID:
    """Disable (or enable again) a tenant: its logins and sessions now (the login function
    reads the org's state, migrations/0017), its polls from ingest's next start."""
    org_id = await find_org(conn, org)
    async with conn.transaction():
        await conn.execute(
            "UPDATE orgs SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, now()) END "
            "WHERE org_id = $1",
            org_id,
            disabled,
        )
        if disabled:
            await conn.execute(_REVOKE_SESSIONS, org_id)
    return org_id


@dataclass(frozen=True)
class Credentials:
    """What ``fleet credentials set`` stores for one org and provider."""

    provider: str
    client_id: str
    secret: str = field(repr=False)
    auth_url: str | None = None
    base_url: str | None = None
    uber_org_id: str | None = None  # Uber: the one Uber org polled (as UBER_DEFAULT_ORG_ID)
    company_ids: Sequence[int] = ()  # Bolt: the companies polled (as BOLT_COMPANY_IDS)

    def extra(self) -> str:
        scoping: dict[str, object] = {}
        if self.uber_org_id:
            scoping["uber_org_id"] = self.uber_org_id
        if self.company_ids:
            scoping["company_ids"] = list(self.company_ids)
        return json.dumps(scoping)


def _check(found: Credentials) -> None:
    if found.provider not in PROVIDERS:
        raise AccountError(f"provider must be one of {', '.join(PROVIDERS)}")
    if not found.client_id.strip():
        raise AccountError("the client id is empty")
    if not found.secret.strip():
        raise AccountError("the client secret is empty (it is read from standard input)")


async def set_credentials(
    conn: asyncpg.Connection, box: MultiFernet, org: str, found: Credentials
) -> None:
    """Store (or replace) an org's credentials for one provider, the secret sealed."""
    _check(found)
    org_id = await find_org(conn, org)
    await conn.execute(
        _SET,
        org_id,
        found.provider,
        found.client_id.strip(),
        seal(box, found.secret.strip()),
        found.auth_url or None,
        found.base_url or None,
        found.extra(),
    )


async def list_credentials(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    """Every stored set of credentials: org, provider, client id, URLs; never the secret."""
    return list(await conn.fetch(_LIST))


async def delete_credentials(conn: asyncpg.Connection, org: str, provider: str) -> None:
    """Forget an org's credentials for one provider; AccountError when there are none."""
    org_id = await find_org(conn, org)
    done = await conn.execute(
        "DELETE FROM provider_credentials WHERE org_id = $1 AND provider = $2", org_id, provider
    )
    if done == "DELETE 0":
        raise AccountError(f"org {org} has no stored {provider} credentials")


async def rotate_credentials(conn: asyncpg.Connection, box: MultiFernet) -> int:
    """Seal every stored secret again with the first key; how many. All or none: a secret
    that no key opens stops the rotation before anything is written."""
    async with conn.transaction():
        rows = await conn.fetch(
            "SELECT c.org_id, o.slug, c.provider, c.secret_encrypted FROM provider_credentials c "
            "JOIN orgs o ON o.org_id = c.org_id FOR UPDATE OF c"
        )
        resealed = [(r["org_id"], r["provider"], _resealed(box, r)) for r in rows]
        await conn.executemany(
            "UPDATE provider_credentials SET secret_encrypted = $3, updated_at = now() "
            "WHERE org_id = $1 AND provider = $2",
            resealed,
        )
    return len(resealed)


def _resealed(box: MultiFernet, row: asyncpg.Record) -> bytes:
    return reseal(box, row["secret_encrypted"], row["slug"], row["provider"])
