"""Refresh tokens and login throttling, through the SECURITY DEFINER functions of 0006.

Both happen before the caller's org is known, so the API role reaches ``refresh_tokens`` and
``login_failures`` only through functions owned by the migration owner
(migrations/0006_api_access.sql), never by a grant on the tables.

Refresh tokens are 256-bit random strings; the database keeps their SHA-256 only. A plain
hash (not argon2) is enough for a secret with that much entropy, and lets the lookup be an
index probe.

Failed logins are counted in the database rather than in each process, so that every API
worker and replica sees the same attempts (an in-memory counter would give each worker its
own five tries). The check and the record are two statements: concurrent attempts can pass a
check together, which bounds the overshoot by the request concurrency, not by time.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Literal

import asyncpg

from query_api.security import Principal

Outcome = Literal["ok", "unknown", "expired", "reused", "disabled"]


@dataclass(frozen=True)
class AuthSettings:
    """Refresh token lifetime and login throttling (5 failures in 15 minutes by default)."""

    refresh_ttl_s: int = 14 * 24 * 3600
    login_max_failures: int = 5
    login_window_s: int = 15 * 60


def token_hash(token: str) -> bytes:
    """What the database stores for a refresh token: its SHA-256."""
    return hashlib.sha256(token.encode()).digest()


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


async def issue_refresh(pool: asyncpg.Pool, user_id: object, ttl_s: int) -> str | None:
    """A refresh token starting a new family for ``user_id`` (None when the user is disabled)."""
    token = new_refresh_token()
    expires = await pool.fetchval(
        "SELECT auth_issue_refresh($1, $2, $3)", user_id, token_hash(token), ttl_s
    )
    return token if expires is not None else None


@dataclass(frozen=True)
class Rotation:
    outcome: Outcome
    who: Principal | None = None
    token: str | None = None


async def rotate_refresh(pool: asyncpg.Pool, token: str, ttl_s: int) -> Rotation:
    """Revoke ``token`` and issue its successor; a revoked token revokes its family."""
    successor = new_refresh_token()
    row = await pool.fetchrow(
        "SELECT outcome, user_id, org_id, email, role FROM auth_rotate_refresh($1, $2, $3)",
        token_hash(token),
        token_hash(successor),
        ttl_s,
    )
    assert row is not None
    if row["outcome"] != "ok":
        return Rotation(row["outcome"])
    who = Principal(row["user_id"], row["org_id"], row["role"], row["email"])
    return Rotation("ok", who, successor)


async def revoke_refresh(pool: asyncpg.Pool, token: str) -> bool:
    """Revoke the session (token family) of ``token``; False when it is unknown."""
    return bool(await pool.fetchval("SELECT auth_revoke_refresh($1)", token_hash(token)))


async def login_retry_after(pool: asyncpg.Pool, email: str, ip: str, s: AuthSettings) -> int:
    """Seconds before this email or address may try again; 0 when it may now."""
    wait = await pool.fetchval(
        "SELECT auth_login_retry_after($1, $2, $3, $4)",
        email,
        ip,
        s.login_max_failures,
        s.login_window_s,
    )
    return max(int(wait or 0), 0)


async def record_login(
    pool: asyncpg.Pool, email: str, ip: str, succeeded: bool, s: AuthSettings
) -> None:
    """Count a failure, or forget the email's failures after a success."""
    await pool.execute(
        "SELECT auth_record_login($1, $2, $3, $4)", email, ip, succeeded, s.login_window_s
    )
