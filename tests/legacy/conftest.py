"""Source databases of the original implementation, one per schema variant (SQL beside)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

HERE = Path(__file__).resolve().parent


async def _source_database(superuser_url: str, ddl: str) -> AsyncIterator[str]:
    """A database of its own holding one variant of the original's schema and rows."""
    name = f"legacy_{uuid.uuid4().hex[:8]}"
    base, _, _ = superuser_url.rpartition("/")
    admin = await asyncpg.connect(superuser_url)
    await admin.execute(f"CREATE DATABASE {name}")
    url = f"{base}/{name}"
    conn = await asyncpg.connect(url)
    try:
        await conn.execute((HERE / ddl).read_text())
    finally:
        await conn.close()
    try:
        yield url
    finally:
        await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
        await admin.close()


@pytest.fixture
async def alembic_source(superuser_url: str) -> AsyncIterator[str]:
    async for url in _source_database(superuser_url, "variant_alembic.sql"):
        yield url


@pytest.fixture
async def head_source(superuser_url: str) -> AsyncIterator[str]:
    async for url in _source_database(superuser_url, "variant_head.sql"):
        yield url
