"""The tenants ingest polls, each with its own provider credentials.

Every enabled org is polled. The default org (``FLEET_ORG_SLUG``) takes the environment's
credentials (``UBER_CLIENT_ID``...), as it always did; any org, the default one included for
a provider the environment leaves unset, takes the credentials stored with
``fleet credentials set``. The list is read once, at start: an org created, disabled or given
credentials afterwards is picked up when ingest restarts.

A stored secret that does not open with ``FLEET_CREDENTIALS_KEY`` leaves that org's provider
idle, with an error naming both, and never stops the other orgs.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
from cryptography.fernet import MultiFernet

from core.config import BoltSettings, ConfigError, UberSettings, load_bolt, load_uber
from core.credentials import CredentialsUnreadable, load_credentials_key, open_sealed

log = logging.getLogger(__name__)

_ENABLED = "SELECT org_id, slug FROM orgs WHERE disabled_at IS NULL ORDER BY created_at, slug"
_STORED = """
SELECT c.org_id, c.provider, c.client_id, c.secret_encrypted, c.auth_url, c.base_url, c.extra
FROM provider_credentials c JOIN orgs o ON o.org_id = c.org_id
WHERE o.disabled_at IS NULL
"""


@dataclass(frozen=True)
class Tenant:
    """One enabled org and the credentials it is polled with (None: that provider idle)."""

    org_id: UUID
    slug: str
    uber: UberSettings | None
    bolt: BoltSettings | None
    default: bool  # the environment's org: its resources keep their unprefixed names


async def enabled_tenants(pool: asyncpg.Pool, env: Mapping[str, str]) -> list[Tenant]:
    """Every enabled org with its credentials; ConfigError when the default org is missing."""
    default_slug = env.get("FLEET_ORG_SLUG", "default")
    # A disabled default org is not polled, but must exist: a typo in the slug would
    # otherwise leave the environment's credentials unused without a word.
    if not await pool.fetchval("SELECT 1 FROM orgs WHERE slug = $1", default_slug):
        raise ConfigError(f"no org {default_slug!r}: run `fleet migrate` (creates FLEET_ORG_SLUG)")
    orgs = {UUID(str(r["org_id"])): str(r["slug"]) for r in await pool.fetch(_ENABLED)}
    stored = await _stored(pool, env, orgs)
    return [
        _tenant(org_id, slug, env if slug == default_slug else None, stored.get(org_id, {}))
        for org_id, slug in orgs.items()
    ]


def _tenant(
    org_id: UUID,
    slug: str,
    env: Mapping[str, str] | None,
    stored: Mapping[str, Mapping[str, str]],
) -> Tenant:
    """The environment's credentials (default org only) where it has them, else the stored."""
    uber = load_uber(env) if env is not None else None
    bolt = load_bolt(env) if env is not None else None
    if uber is None and "uber" in stored:
        uber = load_uber(stored["uber"])
    if bolt is None and "bolt" in stored:
        bolt = load_bolt(stored["bolt"])
    return Tenant(org_id, slug, uber, bolt, default=env is not None)


async def _stored(
    pool: asyncpg.Pool, env: Mapping[str, str], orgs: Mapping[UUID, str]
) -> dict[UUID, dict[str, Mapping[str, str]]]:
    """Each org's stored credentials as the settings the loaders read, secrets opened."""
    rows = await pool.fetch(_STORED)
    if not rows:
        return {}  # no key needed (nor asked for) where nothing is stored
    box = load_credentials_key(env)
    found: dict[UUID, dict[str, Mapping[str, str]]] = {}
    for row in rows:
        org_id = UUID(str(row["org_id"]))
        try:
            settings = _as_settings(row, box, orgs[org_id], env)
        except CredentialsUnreadable as exc:
            log.error("%s: its %s resources stay idle", exc, row["provider"])
            continue
        found.setdefault(org_id, {})[row["provider"]] = settings
    return found


def _as_settings(
    row: asyncpg.Record, box: MultiFernet, slug: str, env: Mapping[str, str]
) -> dict[str, str]:
    """A stored row as the provider's environment variables, so that the loaders apply the
    same defaults and checks to both; pacing and scopes are the environment's."""
    prefix = "UBER" if row["provider"] == "uber" else "BOLT"
    extra: dict[str, Any] = json.loads(row["extra"])  # asyncpg hands jsonb over as text
    settings = {
        f"{prefix}_CLIENT_ID": row["client_id"],
        f"{prefix}_CLIENT_SECRET": open_sealed(box, row["secret_encrypted"], slug, row["provider"]),
        f"{prefix}_AUTH_URL": row["auth_url"] or "",
        f"{prefix}_BASE_URL": row["base_url"] or "",
        "UBER_DEFAULT_ORG_ID": str(extra.get("uber_org_id") or ""),
        "BOLT_COMPANY_IDS": ",".join(str(i) for i in extra.get("company_ids") or ()),
    }
    for shared in ("UBER_SCOPES", "BOLT_RATE_RPS", "BOLT_RATE_BURST"):
        if shared in env:
            settings[shared] = env[shared]
    return settings
