"""Projection checkpoints: read, lock and move them.

The checkpoint row of a projection is its lock: whoever applies events to a projection holds
``FOR UPDATE`` on that row for the transaction that applies them and moves it. The live
runner, ``fleet parked retry`` and the replay swap all go through :func:`lock_checkpoint`, so
they never interleave on one projection.
"""

from __future__ import annotations

import asyncpg


async def read_checkpoint(conn: asyncpg.Connection | asyncpg.Pool, name: str) -> int:
    """The position ``name`` has applied up to (0 when it has no row yet)."""
    return int(
        await conn.fetchval(
            "SELECT coalesce((SELECT position FROM projection_checkpoints WHERE name = $1), 0)",
            name,
        )
    )


async def lock_checkpoint(conn: asyncpg.Connection, name: str) -> int:
    """Create the row if missing, lock it until the transaction ends; return its position."""
    await conn.execute(
        "INSERT INTO projection_checkpoints (name) VALUES ($1) ON CONFLICT DO NOTHING", name
    )
    return int(
        await conn.fetchval(
            "SELECT position FROM projection_checkpoints WHERE name = $1 FOR UPDATE", name
        )
    )


async def save_checkpoint(conn: asyncpg.Connection, name: str, position: int) -> None:
    """Move ``name`` to ``position`` (in the transaction that applied up to it)."""
    await conn.execute(
        "UPDATE projection_checkpoints SET position = $2, updated_at = now() WHERE name = $1",
        name,
        position,
    )


async def set_checkpoint(conn: asyncpg.Connection, name: str, position: int) -> None:
    """Create or overwrite the checkpoint of ``name``."""
    await conn.execute(
        "INSERT INTO projection_checkpoints AS c (name, position) VALUES ($1, $2) "
        "ON CONFLICT (name) DO UPDATE SET position = $2, updated_at = now()",
        name,
        position,
    )
