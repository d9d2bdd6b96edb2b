"""Tenants and users, administered with the owner's connection (``fleet users …``)."""

from __future__ import annotations

import secrets
from uuid import UUID

import asyncpg

from core.passwords import ROLES, hash_password


class AccountError(Exception):
    """A user or org command cannot be done; the message says why."""


async def ensure_org(conn: asyncpg.Connection, slug: str, name: str) -> UUID:
    """The tenant with ``slug``, created when missing."""
    org_id = await conn.fetchval("SELECT org_id FROM orgs WHERE slug = $1", slug)
    if org_id is None:
        org_id = await conn.fetchval(
            "INSERT INTO orgs (slug, name) VALUES ($1, $2) "
            "ON CONFLICT (slug) DO UPDATE SET name = orgs.name RETURNING org_id",
            slug,
            name,
        )
    return UUID(str(org_id))


async def find_org(conn: asyncpg.Connection, org: str) -> UUID:
    """An org by slug or id; AccountError when there is none."""
    try:
        row = await conn.fetchval("SELECT org_id FROM orgs WHERE org_id = $1", UUID(org))
    except ValueError:
        row = await conn.fetchval("SELECT org_id FROM orgs WHERE slug = $1", org)
    if row is None:
        raise AccountError(f"no org {org!r} (give its slug or id)")
    return UUID(str(row))


def _check(email: str, password: str, role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if "@" not in email:
        raise AccountError("email must contain @")
    if len(password) < 12:
        raise AccountError("password must have at least 12 characters")


async def create_user(
    conn: asyncpg.Connection, *, email: str, password: str, org: str, role: str
) -> UUID:
    """A new user; AccountError when the email is taken or a value is invalid."""
    _check(email, password, role)
    org_id = await find_org(conn, org)
    try:
        user_id = await conn.fetchval(
            "INSERT INTO users (org_id, email, password_hash, role) VALUES ($1, $2, $3, $4) "
            "RETURNING user_id",
            org_id,
            email.strip().lower(),
            hash_password(password),
            role,
        )
    except asyncpg.UniqueViolationError:
        raise AccountError(f"a user with email {email} exists already") from None
    return UUID(str(user_id))


async def set_password(conn: asyncpg.Connection, email: str, password: str) -> None:
    _check(email, password, "admin")
    done = await conn.execute(
        "UPDATE users SET password_hash = $2 WHERE email = $1",
        email.strip().lower(),
        hash_password(password),
    )
    if done == "UPDATE 0":
        raise AccountError(f"no user with email {email}")


def generate_password() -> str:
    return secrets.token_urlsafe(18)


async def ensure_admin(
    conn: asyncpg.Connection, org_id: UUID, email: str, password: str | None
) -> str | None:
    """Make sure the first admin exists; return a generated password the first time only.

    With ``password`` (FLEET_ADMIN_PASSWORD) the admin is created or re-keyed with it.
    Without, ``email`` is created with a generated password, which is returned once.
    """
    exists = await conn.fetchval("SELECT 1 FROM users WHERE email = $1", email.lower())
    if password is not None:
        if exists:
            await set_password(conn, email, password)
        else:
            await create_user(conn, email=email, password=password, org=str(org_id), role="admin")
        return None
    if exists:
        return None
    generated = generate_password()
    await create_user(conn, email=email, password=generated, org=str(org_id), role="admin")
    return generated
