"""Request dependencies: the caller, their role, and a connection scoped to their tenant."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated

import asyncpg
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from query_api.problems import ApiProblem, unauthorized
from query_api.security import ROLES, Principal, TokenError, verify_access_token

_bearer = HTTPBearer(auto_error=False, description="Access token from POST /auth/login")


def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller, from a valid access token; 401 problem otherwise."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthorized("missing bearer token")
    try:
        return verify_access_token(request.app.state.jwt, credentials.credentials)
    except TokenError as exc:
        raise unauthorized(str(exc)) from exc


CurrentUser = Annotated[Principal, Depends(current_principal)]


def require_role(*roles: str) -> Callable[[Principal], Principal]:
    """A dependency refusing callers whose role is not in ``roles`` (403 problem).

    Use it as ``Depends(require_role("admin"))``, on a router (``dependencies=[…]``) or
    through the aliases below; query_api/ROLES.md lists which role may call what.
    """
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")

    def check(who: CurrentUser) -> Principal:
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


async def tenant_connection(
    request: Request, who: CurrentUser
) -> AsyncIterator[asyncpg.Connection]:
    """A connection in a transaction where row-level security sees only the caller's org.

    It stays open until the response is sent (FastAPI's default dependency scope), so a
    streamed CSV export reads through it.
    """
    pool: asyncpg.Pool = request.app.state.pool
    async with pool.acquire() as conn, conn.transaction(readonly=True):
        await conn.execute("SELECT set_config('app.org_id', $1, true)", str(who.org_id))
        yield conn


TenantConn = Annotated[asyncpg.Connection, Depends(tenant_connection)]


async def tenant_write_connection(
    request: Request, who: CurrentUser
) -> AsyncIterator[asyncpg.Connection]:
    """Like ``tenant_connection``, but the transaction may write (RLS still applies)."""
    pool: asyncpg.Pool = request.app.state.pool
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT set_config('app.org_id', $1, true)", str(who.org_id))
        yield conn


TenantWriteConn = Annotated[asyncpg.Connection, Depends(tenant_write_connection)]


def client_address(request: Request) -> str:
    """The caller's address as the server sees it (behind a proxy: uvicorn --proxy-headers)."""
    return request.client.host if request.client else "unknown"


ClientAddress = Annotated[str, Depends(client_address)]
