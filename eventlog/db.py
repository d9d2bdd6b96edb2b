"""Connection pools, built in a composition root and passed down."""

from __future__ import annotations

import asyncpg


async def create_pool(
    url: str, *, role: str | None = None, min_size: int = 1, max_size: int = 10
) -> asyncpg.Pool:
    """A pool on ``url``; with ``role``, every session runs as that role from its start."""
    settings = {"application_name": "fleet"}
    if role:
        settings["role"] = role
    pool = await asyncpg.create_pool(
        url, min_size=min_size, max_size=max_size, server_settings=settings
    )
    assert pool is not None
    return pool
