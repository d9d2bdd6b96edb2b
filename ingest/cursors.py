"""Poll cursors in Postgres, saved in the transaction of the page that moved them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import msgspec

_SAVE = """
INSERT INTO poll_cursors (org_id, provider, resource, account_id, cursor)
VALUES ($1, $2, $3, $4, $5::jsonb)
ON CONFLICT (org_id, provider, resource, account_id) DO UPDATE
    SET cursor = excluded.cursor, updated_at = now()
"""


async def load_cursor(
    conn: asyncpg.Connection | asyncpg.Pool,
    org_id: UUID,
    provider: str,
    resource: str,
    account_id: str,
) -> dict[str, Any] | None:
    """The saved cursor of one poll, or None before its first page."""
    raw = await conn.fetchval(
        "SELECT cursor::text FROM poll_cursors "
        "WHERE org_id = $1 AND provider = $2 AND resource = $3 AND account_id = $4",
        org_id,
        provider,
        resource,
        account_id,
    )
    return None if raw is None else dict(msgspec.json.decode(raw))


async def save_cursor(
    conn: asyncpg.Connection,
    org_id: UUID,
    provider: str,
    resource: str,
    account_id: str,
    cursor: dict[str, Any],
) -> None:
    """Save a cursor; call inside the transaction that stores the page it follows."""
    await conn.execute(
        _SAVE, org_id, provider, resource, account_id, msgspec.json.encode(cursor).decode()
    )
