"""Reading the original implementation's database: which tables it has, and their rows.

Rows are read as ``row_to_json`` text, in primary-key order, a page at a time, on a session
in UTC with ISO dates: the same row always renders to the same bytes, so a second import
finds every row unchanged. Table and column names come from :mod:`contracts.legacy`, never
from the database or the user; the key's type is read from the catalog to compare keysets.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import asyncpg

from contracts.legacy import LegacyTable

PAGE_ROWS = 1000

_TABLES_SQL = """
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
"""
_KEY_TYPE_SQL = """
SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
WHERE a.attrelid = to_regclass($1) AND a.attname = $2 AND NOT a.attisdropped
"""


@dataclass(frozen=True)
class Page:
    """One page of a table: each row's JSON, the key after the last row, and how it went."""

    table: str
    rows: list[bytes]
    after: str | None
    started_at: datetime
    duration_ms: int

    @property
    def body(self) -> bytes:
        """The page as one JSON array, recorded as the import call's response."""
        return b"[" + b",".join(self.rows) + b"]"


def describe(url: str) -> str:
    """``host/database`` of a database URL, never its user or password."""
    parts = urlsplit(url)
    return f"{parts.hostname or 'localhost'}/{parts.path.lstrip('/') or 'postgres'}"


async def connect(url: str) -> asyncpg.Connection:
    """A read-only session on the original's database, rendering times in UTC."""
    conn = await asyncpg.connect(url, server_settings={"TimeZone": "UTC", "DateStyle": "ISO"})
    await conn.execute("SET default_transaction_read_only = on")
    return conn


async def tables_present(conn: asyncpg.Connection) -> set[str]:
    """The names of the tables of the ``public`` schema."""
    return {row["relname"] for row in await conn.fetch(_TABLES_SQL)}


async def pages(
    conn: asyncpg.Connection, table: LegacyTable, page_rows: int = PAGE_ROWS
) -> AsyncIterator[Page]:
    """Every row of ``table`` in key order, ``page_rows`` at a time."""
    key = _ident(table.primary_key)
    key_type = await conn.fetchval(_KEY_TYPE_SQL, f"public.{_ident(table.name)}", table.primary_key)
    sql = (
        f"SELECT t.{key}::text AS key, row_to_json(t)::text AS row "  # noqa: S608 (names: ours)
        f"FROM public.{_ident(table.name)} t "
        f"WHERE $1::text IS NULL OR t.{key} > $1::{key_type} ORDER BY t.{key} LIMIT $2"
    )
    after: str | None = None
    while True:
        started, clock = datetime.now(UTC), time.perf_counter()
        rows = await conn.fetch(sql, after, page_rows)
        if not rows:
            return
        after = rows[-1]["key"]
        took = int((time.perf_counter() - clock) * 1000)
        yield Page(table.name, [row["row"].encode() for row in rows], after, started, took)
        if len(rows) < page_rows:
            return


async def users(conn: asyncpg.Connection, present: set[str]) -> list[tuple[str, str]]:
    """(e-mail, role) of the original's users: Supabase Auth's if readable, else its mirror."""
    auth = await conn.fetchval("SELECT to_regclass('auth.users') IS NOT NULL")
    if auth:
        rows = await conn.fetch(
            "SELECT email, coalesce(raw_user_meta_data->>'role', '') AS role FROM auth.users "
            "WHERE email IS NOT NULL ORDER BY email"
        )
    elif "users" in present:
        rows = await conn.fetch(
            "SELECT email, coalesce(role, '') AS role FROM public.users ORDER BY email"
        )
    else:
        return []
    return [(row["email"], row["role"]) for row in rows]


def _ident(name: str) -> str:
    """A lower-case SQL identifier of ours, checked (the names are constants, this is a guard)."""
    if not name.replace("_", "").isalnum() or not name.islower():
        raise ValueError(f"not an identifier: {name!r}")
    return name
