"""Request dependencies: the caller, and a connection scoped to the caller's tenant."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import asyncpg
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from query_api.problems import ApiProblem, unauthorized
from query_api.security import Principal, TokenError, verify_access_token

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


async def tenant_connection(
    request: Request, who: CurrentUser
) -> AsyncIterator[asyncpg.Connection]:
    """A connection in a transaction where row-level security sees only the caller's org."""
    pool: asyncpg.Pool = request.app.state.pool
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT set_config('app.org_id', $1, true)", str(who.org_id))
        yield conn


TenantConn = Annotated[asyncpg.Connection, Depends(tenant_connection)]


def require_role(*roles: str):  # type: ignore[no-untyped-def]
    """A dependency refusing callers whose role is not in ``roles`` (403 problem)."""

    def check(who: CurrentUser) -> Principal:
        if who.role not in roles:
            raise ApiProblem(403, "Forbidden", f"role {who.role} may not do this")
        return who

    return Depends(check)
