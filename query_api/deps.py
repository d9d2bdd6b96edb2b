"""Request dependencies: the caller, their role, and a connection scoped to their tenant."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated
from uuid import UUID

import asyncpg
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from query_api.problems import ApiProblem, unauthorized
from query_api.security import ROLES, Principal, TokenError, VerifiedTokens

_bearer = HTTPBearer(auto_error=False, description="Access token from POST /auth/login")


# The dependencies below are ``async def`` although they never await: FastAPI runs a plain
# ``def`` dependency in a worker thread, and that hop costs more than the whole check.


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller, from a valid access token; 401 problem otherwise."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthorized("missing bearer token")
    tokens: VerifiedTokens = request.app.state.tokens
    try:
        return tokens.verify(credentials.credentials)
    except TokenError as exc:
        raise unauthorized(str(exc)) from exc


CurrentUser = Annotated[Principal, Depends(current_principal)]


def require_role(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency refusing callers whose role is not in ``roles`` (403 problem).

    Use it as ``Depends(require_role("admin"))``, on a router (``dependencies=[…]``) or
    through the aliases below; query_api/ROLES.md lists which role may call what.
    """
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")

    async def check(who: CurrentUser) -> Principal:
        if who.role not in roles:
            raise ApiProblem(403, "Forbidden", f"role {who.role} may not do this")
        return who

    return check


ANY_ROLE = require_role(*ROLES)
AUDIT_ROLES = require_role("auditor", "admin")
ADMIN_ROLE = require_role("admin")

AnyUser = Annotated[Principal, Depends(ANY_ROLE)]
Auditor = Annotated[Principal, Depends(AUDIT_ROLES)]
Admin = Annotated[Principal, Depends(ADMIN_ROLE)]


def _begin_read_only_as(org_id: UUID) -> str:
    """BEGIN and set ``app.org_id``, in one round trip (a simple-protocol query string).

    Formatted, not bound, because only the simple protocol takes two statements at once; the
    value is a ``UUID`` from a verified token, whose text is hex digits and dashes.
    """
    if not isinstance(org_id, UUID):
        raise TypeError("org_id must be a UUID")
    return f"BEGIN READ ONLY; SELECT set_config('app.org_id', '{org_id}', true)"


async def tenant_connection(
    request: Request, who: CurrentUser
) -> AsyncIterator[asyncpg.Connection]:
    """A connection in a transaction where row-level security sees only the caller's org.

    It stays open until the response is sent (FastAPI's default dependency scope), so a
    streamed CSV export reads through it. The transaction is begun by hand to save a round
    trip (see ``_begin_read_only_as``), so routes must not open ``conn.transaction()`` in it;
    ``app.org_id`` is local to it and ends with it. Should the COMMIT or ROLLBACK below not
    run (a cancelled task), the pool rolls back on release (query_api/app.py). Requests take
    connections in arrival order through ``app.state.gate`` (why: query_api/app.py).
    """
    pool: asyncpg.Pool = request.app.state.pool
    async with request.app.state.gate, pool.acquire() as conn:
        await conn.execute(_begin_read_only_as(who.org_id))
        try:
            yield conn
        except BaseException:
            with contextlib.suppress(Exception):  # the pool rolls back if this fails
                await conn.execute("ROLLBACK")
            raise
        await conn.execute("COMMIT")


TenantConn = Annotated[asyncpg.Connection, Depends(tenant_connection)]


async def tenant_write_connection(
    request: Request, who: CurrentUser
) -> AsyncIterator[asyncpg.Connection]:
    """Like ``tenant_connection``, but the transaction may write (RLS still applies)."""
    pool: asyncpg.Pool = request.app.state.pool
    async with request.app.state.gate, pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT set_config('app.org_id', $1, true)", str(who.org_id))
        yield conn


TenantWriteConn = Annotated[asyncpg.Connection, Depends(tenant_write_connection)]


async def client_address(request: Request) -> str:
    """The caller's address as the server sees it (behind a proxy: uvicorn --proxy-headers)."""
    return request.client.host if request.client else "unknown"


ClientAddress = Annotated[str, Depends(client_address)]
